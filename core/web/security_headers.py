"""Browser security headers: a Content-Security-Policy and friends on the pages we serve.

* ``/admin`` (the dashboard, its files and its API): only our own scripts, styles and API calls;
  no inline script or style (the dashboard has none), no framing, no referrer.
* ``/`` (the widget's demo page): the same for the page itself (its script and styles are files
  in ``static/``) — the widget loads its script and stylesheet from this origin and talks to the
  API on it, which ``'self'`` allows. The widget embedded in other sites is governed by *their*
  policy; nothing here changes what it needs there (its files carry no framing or CORP header).
* every response: ``X-Content-Type-Options: nosniff`` (our files are served with their types).

A pure ASGI middleware: it adds headers to the response start and touches nothing else.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
NOSNIFF = [(b"x-content-type-options", b"nosniff")]
ADMIN_HEADERS = [
    (b"content-security-policy", ADMIN_CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    *NOSNIFF,
]
DEMO_HEADERS = [
    (b"content-security-policy", DEMO_CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    *NOSNIFF,
]


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    if path == "/admin" or path.startswith("/admin/"):
        return ADMIN_HEADERS
    if path == "/":
        return DEMO_HEADERS
    return NOSNIFF


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # on every response: kept cheap (no route sets these headers itself)
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
