"""The resident-facing FastAPI application: widget API, Rasa channels, demo page, operations."""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared_nlu.clock import JAPAN

from .api import ops, rasa, resident
from .api.body_limit import BodyLimit, BodyLimits
from .api.fast_lane import FastLane
from .api.proxies import TrustedProxies, parse_networks
from .api.schemas import error_responses
from .api.security_headers import SecurityHeaders
from .channels import line
from .errors import AppError, conflict, unavailable, unstorable
from .services import Services
from .settings import Settings

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("madoguchi")


def _language(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "ja"


def create_app(
    settings: Settings | None = None,
    services: Services | None = None,
    watch: bool = True,
    public: bool = True,
    admin: bool | None = None,
    allow_simulation: bool = False,
) -> FastAPI:
    """Build the app. Given ``services`` (tests), it is used as is; otherwise started from ``settings``.

    ``public`` serves the resident API and widget; ``admin`` the admin API and dashboard (default:
    the ``admin_enabled`` setting). Production runs them as two services, ``make run`` as one.
    """
    settings = settings or (services.settings if services else Settings.from_env())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        running = services or Services.start(settings)
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

    app = FastAPI(
        title="Madoguchi resident API",
        version="1",
        description="Chat with Osaka Prefecture's bots: the widget API, Rasa-compatible channels and parse.",
        lifespan=lifespan,
    )
    if public:  # added first, so CORS and the simulator's headers (added after) wrap it
        app.add_middleware(FastLane)
    _guards(app, settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    _error_handlers(app)
    if allow_simulation:  # only the in-process simulator builds such an app; never a served one
        app.middleware("http")(_simulation_headers)
    app.include_router(ops.router)
    if public:
        app.include_router(resident.router)
        app.include_router(rasa.router)
        # the statuses the webhook refuses with (unknown bot, no channel or bad signature, not a webhook)
        app.include_router(line.router, responses=error_responses(400, 401, 404, 422))
        app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")

        @app.get("/", include_in_schema=False)
        def demo() -> FileResponse:
            return FileResponse(STATIC / "demo.html")

    if settings.admin_enabled if admin is None else admin:
        from admin.router import mount_admin  # imported here: a public-only worker never loads admin code

        mount_admin(app)
    return app


def _guards(app: FastAPI, settings: Settings) -> None:
    """Around every route, the fast lane included: body limits, then (outside them) the client
    address from trusted proxies and the browser security headers."""
    limits = BodyLimits(settings.max_body_bytes, settings.max_upload_bytes, settings.max_line_body_bytes)
    app.add_middleware(BodyLimit, limits=limits)
    if settings.trusted_proxies:
        app.add_middleware(TrustedProxies, networks=parse_networks(settings.trusted_proxies))
    app.add_middleware(SecurityHeaders)


def _reload_on_sighup(services: Services) -> None:
    """``kill -HUP <pid>`` stores packs edited in bots/ as new versions and reloads them."""
    # not possible off the main thread (an app embedded in tests): then there is no signal handling
    with contextlib.suppress(ValueError):
        signal.signal(
            signal.SIGHUP, lambda *_: threading.Thread(target=services.reload_from_disk, daemon=True).start()
        )


async def _simulation_headers(request: Request, call_next: Any) -> Any:
    """``X-Madoguchi-Simulation: 1`` marks traffic as simulated; ``X-Madoguchi-Simulated-Time``
    (ISO 8601) replays it at that moment. Honoured only by apps built with allow_simulation."""
    from .conversations import SIMULATED_NOW, SIMULATION

    simulated = request.headers.get("x-madoguchi-simulation") == "1"
    at = request.headers.get("x-madoguchi-simulated-time")
    simulation = SIMULATION.set(simulated)
    # stored as UTC like real traffic: SQLite keeps no offset, so a +09:00 time would read back 9 h late
    when = datetime.fromisoformat(at) if simulated and at else None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=JAPAN)  # a time without an offset is Japan time, as residents live it
    moment = SIMULATED_NOW.set(when.astimezone(UTC) if when is not None else None)
    try:
        return await call_next(request)
    finally:
        SIMULATED_NOW.reset(moment)
        SIMULATION.reset(simulation)


def _error_handlers(app: FastAPI) -> None:
    def metrics_error(request: Request, code: str) -> None:
        services = getattr(request.app.state, "services", None)
        if services is not None:
            services.metrics.observe_error(code)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        metrics_error(request, exc.code)
        return JSONResponse(exc.body(_language(request)), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            error = AppError(
                400,
                "invalid_json",
                "リクエストの本文が JSON として読めません。",
                "The request body is not valid JSON.",
            )
        else:
            where = ", ".join(".".join(str(x) for x in p.get("loc", ()) if x != "body") for p in problems[:5])
            error = AppError(
                422, "invalid_request", f"リクエストの項目が正しくありません: {where}",
                f"Some fields of the request are missing or have the wrong type: {where}",
            )  # fmt: skip
        metrics_error(request, error.code)
        return JSONResponse(error.body(_language(request)), status_code=error.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Errors raised by the framework itself (an unreadable body, an unknown path or method) get
        the same body as ours, not Starlette's ``{"detail": …}``."""
        error = _framework_error(exc.status_code)
        metrics_error(request, error.code)
        return JSONResponse(error.body(_language(request)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(DBAPIError)
    async def database_down(request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "database unavailable: %s", exc.__class__.__name__
        )  # no SQL, no parameters: they hold resident text
        error = unavailable()
        metrics_error(request, error.code)
        return JSONResponse(error.body(_language(request)), status_code=503, headers=error.headers)

    # IntegrityError is a DBAPIError too, but the database answered: a unique constraint refused a
    # write that raced another one. That is a conflict with what is stored, not an outage: the client
    # must reload it before trying again (409), not just wait (503). Starlette picks the handler of
    # the most specific class, so OperationalError and InterfaceError still reach database_down.
    @app.exception_handler(IntegrityError)
    async def constraint_refused(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("write refused by a constraint on %s: %s", request.url.path, exc.__class__.__name__)
        error = conflict()
        metrics_error(request, error.code)
        return JSONResponse(error.body(_language(request)), status_code=error.status)

    # What the database refused as a value (PostgreSQL: NUL in text, a string too long) or what
    # could not even be encoded for it (a lone surrogate): the request's doing, whatever missed it.
    @app.exception_handler(DataError)
    @app.exception_handler(UnicodeError)
    async def unstorable_value(request: Request, exc: Exception) -> JSONResponse:
        log.warning("unstorable value on %s: %s", request.url.path, exc.__class__.__name__)
        error = unstorable()
        metrics_error(request, error.code)
        return JSONResponse(error.body(_language(request)), status_code=error.status)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s: %s", request.url.path, exc.__class__.__name__)
        metrics_error(request, "internal")
        error = AppError(
            500,
            "internal",
            "申し訳ありません。内部エラーが発生しました。",
            "Sorry, something went wrong on our side.",
        )
        return JSONResponse(error.body(_language(request)), status_code=500)


def _framework_error(status: int) -> AppError:
    if status == 400:  # FastAPI could not read the body at all (e.g. bytes that are not UTF-8)
        return AppError(
            400,
            "invalid_json",
            "リクエストの本文が JSON として読めません。",
            "The request body is not valid JSON.",
        )
    if status == 404:
        return AppError(404, "not_found", "そのアドレスはありません。", "There is nothing at this address.")
    if status == 405:
        return AppError(
            405, "method_not_allowed", "このアドレスはその方法（メソッド）では使えません。",
            "This address does not accept that method.",
        )  # fmt: skip
    return AppError(
        status, "http_error", "リクエストを処理できませんでした。", "The request could not be processed."
    )
