"""The two requests every resident conversation is made of, answered without FastAPI's machinery.

``POST /api/v1/bots/{bot}/messages`` and ``…/sessions`` are nearly all of the service's requests.
FastAPI's middleware, its routing over every route (the admin API's included) and its request
handling cost about a sixth of a worker's CPU under load. This ASGI middleware recognises the two
paths and calls the very endpoint functions FastAPI would (``chat_platform.api.resident``), then
answers errors with the application's own exception handlers: the statuses, bodies and schema are
the ones documented, and the API tests and schemathesis run against this path. Everything else
goes on to FastAPI. It sits inside the body limit (``api/body_limit.py``), CORS and the
simulator's headers, so they all still apply.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from . import resident

_PATHS = re.compile(r"/api/v1/bots/([^/]+)/(messages|sessions)")
_ENDPOINTS: dict[str, Callable[[str, Request], Awaitable[Response]]] = {
    "messages": resident.send_message,
    "sessions": resident.start_session,
}


class FastLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = (
            _PATHS.fullmatch(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        )
        if found is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)  # bodies are limited in front of this (api/body_limit.py)
        try:
            response = await _ENDPOINTS[found[2]](found[1], request)
        except ClientDisconnect:  # gone before the body arrived (or cut off as too large): no one to answer
            return
        except Exception as exc:  # answered as FastAPI would: by the app's handler for its class
            response = await _handled(request, exc)
        await response(scope, receive, send)


async def _handled(request: Request, exc: Exception) -> Response:
    handlers = request.app.exception_handlers
    for kind in type(exc).__mro__:
        if kind in handlers:
            response: Response = await handlers[kind](request, exc)
            return response
    raise exc  # no handler at all: ServerErrorMiddleware answers 500
