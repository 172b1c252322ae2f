"""Python actions: dialogue logic a YAML file cannot express, listed by name in ``registry``."""
