"""The composition root: the only package that knows every part. It builds the app and the command
line from the core (``core``), the resident service (``chat_platform``) and the admin (``admin``)."""
