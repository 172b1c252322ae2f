"""One JSON error body for every failure: ours, the framework's, the database's and the unexpected."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AppError, conflict, unavailable, unstorable

log = logging.getLogger("madoguchi")


def _language(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "ja"


def install_error_handlers(app: FastAPI) -> None:
    """Every error answered with the same JSON body (``core.web.error_schemas``), in the client's language."""

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
                422,
                "invalid_request",
                f"リクエストの項目が正しくありません: {where}",
                f"Some fields of the request are missing or have the wrong type: {where}",
            )
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
            405,
            "method_not_allowed",
            "このアドレスはその方法（メソッド）では使えません。",
            "This address does not accept that method.",
        )
    return AppError(
        status, "http_error", "リクエストを処理できませんでした。", "The request could not be processed."
    )
