"""Request bodies refused with 413 before they are read, on every route (a pure ASGI middleware).

FastAPI reads a body whole before an endpoint can look at its size: four 100 MB posts to the Rasa
REST webhook took a worker from 475 to 1,064 MB. This middleware sits in front of the whole
application, the fast lane included, and

* answers 413 at once when the declared ``Content-Length`` is over the route's limit (nothing of
  the body is read), and
* counts a body without one (``Transfer-Encoding: chunked``) as it arrives: the moment it passes
  the limit, the 413 is sent and the application is told the client went away, so the rest is
  never buffered.

Each route has its limit from the settings: everything ``max_body_bytes``, except the paths whose
service declares a larger one (the admin's pack uploads ``max_upload_bytes``, the LINE webhook
``max_line_body_bytes``), handed in by the composition root (``madoguchi.app``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import AppError

log = logging.getLogger("madoguchi")


@dataclass(frozen=True)
class BodyLimits:
    default: int
    # (path pattern, limit) for the routes that take more than ``default``; the first that matches wins
    larger: tuple[tuple[re.Pattern[str], int], ...] = ()

    def for_path(self, path: str) -> int:
        for pattern, limit in self.larger:
            if pattern.fullmatch(path):
                return limit
        return self.default


class BodyLimit:
    """Refuses bodies over the route's limit with 413 and our JSON error, without buffering them."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        received = 0
        refused = False  # over the limit: the application is told the client has gone
        answered = False  # our 413 went out: the application's own answer is dropped
        started = False

        async def counted() -> Message:
            nonlocal received, refused, answered
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:  # (an endpoint that answers before reading has answered already)
                        await _refuse(scope, send, limit)
                        answered = True
                    # to the application the client has gone: it stops reading, whatever it buffered is dropped
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception as exc:
            if not refused:
                raise
            # the endpoint failed on the body it never got whole; the client has been answered
            log.debug("request refused as too large; the endpoint stopped with %s", exc.__class__.__name__)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we are called
    return None


def too_large(limit: int) -> AppError:
    size = f"{limit // 1024} KB" if limit < 1_048_576 else f"{limit / 1_048_576:g} MB"
    return AppError(
        413,
        "body_too_large",
        f"リクエストが大きすぎます（{size} まで）。内容を減らしてから送ってください。",
        f"The request is too large (at most {size}). Send less in one request.",
    )


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    error = too_large(limit)
    language = "ja"
    for name, value in scope["headers"]:
        if name == b"accept-language" and value.lower().startswith(b"en"):
            language = "en"
    services = getattr(getattr(scope.get("app"), "state", None), "services", None)
    if services is not None:
        services.metrics.observe_error(error.code)
    # the rest of the body is not read: the connection is closed after the answer
    response = JSONResponse(error.body(language), status_code=413, headers={"Connection": "close"})

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)
