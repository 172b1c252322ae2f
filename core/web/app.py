"""The FastAPI application every worker runs, built from the parts the services plug in.

The core brings what every app needs: starting the services, the pack watch, the guards around
every route (body limits, trusted proxies, security headers, CORS), one error body for every failure
and the operations routes. Each service adds its part (``chat_platform.app.resident_part``,
``admin.router.admin_part``); the composition root (``madoguchi.app``) chooses them.
"""

from __future__ import annotations

import contextlib
import gc
import re
import signal
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ..services import Services
from ..settings import Settings
from . import ops
from .body_limit import BodyLimit, BodyLimits
from .error_handlers import install_error_handlers
from .proxies import TrustedProxies, parse_networks
from .security_headers import SecurityHeaders

LargerBodies = tuple[tuple[re.Pattern[str], int], ...]


def _none(settings: Settings) -> LargerBodies:
    return ()


def _fine(app: FastAPI) -> None:
    """Nothing to check."""


@dataclass(frozen=True)
class AppPart:
    """One service's share of an app."""

    # adds its routes and middleware; middleware added here runs inside the guards (they wrap it)
    install: Callable[[FastAPI], None]
    # (path pattern, limit) for its routes that take bodies over ``max_body_bytes`` (uploads, webhooks)
    larger_bodies: Callable[[Settings], LargerBodies] = _none
    # raises when the assembled app (every part's routes, handlers) would not work as this part needs
    check: Callable[[FastAPI], Any] = _fine


def build_app(
    settings: Settings,
    parts: Sequence[AppPart],
    start: Callable[[], Services],
    services: Services | None = None,
    watch: bool = True,
    title: str = "Madoguchi",
    description: str = "",
) -> FastAPI:
    """An app serving ``parts``. Given ``services`` (tests), they are used as they are; otherwise
    ``start()`` starts them when the app starts, and they are stopped with it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        running = services or start()
        app.state.services = running
        # requests run in a thread each; no more at once than the worker has database connections
        anyio.to_thread.current_default_thread_limiter().total_tokens = running.db.pool_size
        # The trained bots are millions of long-lived objects (vocabularies, packs): left to the
        # garbage collector, each full collection walked them all and stalled the worker for a
        # tenth of a second now and then. Frozen, collections only look at what requests create.
        gc.freeze()
        if watch:
            running.watch_packs()
            _reload_on_sighup(running)
        yield
        if services is None:
            running.stop()

    app = FastAPI(title=title, version="1", description=description, lifespan=lifespan)
    for part in parts:  # first, so that the guards added next wrap their middleware (e.g. the fast lane)
        part.install(app)
    larger = tuple(limit for part in parts for limit in part.larger_bodies(settings))
    app.add_middleware(BodyLimit, limits=BodyLimits(settings.max_body_bytes, larger))
    if settings.trusted_proxies:
        app.add_middleware(TrustedProxies, networks=parse_networks(settings.trusted_proxies))
    app.add_middleware(SecurityHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    install_error_handlers(app)
    app.include_router(ops.router)
    for part in parts:
        part.check(app)
    return app


def _reload_on_sighup(services: Services) -> None:
    """``kill -HUP <pid>`` stores packs edited in bots/ as new versions and reloads them."""
    # not possible off the main thread (an app embedded in tests): then there is no signal handling
    with contextlib.suppress(ValueError):
        signal.signal(
            signal.SIGHUP, lambda *_: threading.Thread(target=services.reload_from_disk, daemon=True).start()
        )
