"""The error body every route sends (``{"error": {code, message, message_en}}``), for OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str
    message_en: str


class ErrorOut(BaseModel):
    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON, or the message is empty or holds control characters",
    401: "Missing or invalid credentials (admin token, LINE signature)",
    403: "The token's role or department may not do this",
    404: "Unknown bot, session, message, project or version",
    409: "Conflicts with what is stored (already rated, duplicate, unchanged or concurrently changed)",
    413: "The message or body is too large",
    422: "Missing fields or fields with the wrong type or value",
    429: "Rate limited: wait for Retry-After seconds",
    503: "The database is unreachable for a moment: retry after Retry-After seconds",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error statuses: the body the app's error handlers send (ErrorOut)."""
    return {status: {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[status]} for status in statuses}
