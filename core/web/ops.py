"""Health, readiness and metrics for whoever runs the service."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from .deps import ServicesDep

router = APIRouter(tags=["operations"])


class ReadyOut(BaseModel):
    database: str
    writes: str = Field(description="ok, or refused: the database answers but does not take writes")
    packs: str
    last_reload_error: str | None


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={
        503: {
            "model": ReadyOut,
            "description": "The database is unreachable or refuses writes, or no packs are loaded",
        }
    },
    summary="The database is reachable and takes writes, and the packs are loaded",
)
def readyz(services: ServicesDep) -> JSONResponse:
    database = services.db.ping()
    writes = database and services.db.writable()  # a heartbeat write at most every few seconds
    loaded = services.runtime.ready
    body = {
        "database": "ok" if database else "unreachable",
        "writes": "ok" if writes else "refused",
        "packs": services.runtime.current.fingerprint if loaded else "not loaded",
        "last_reload_error": services.runtime.last_error,
    }
    return JSONResponse(body, status_code=200 if database and writes and loaded else 503)


@router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics")
def metrics(services: ServicesDep) -> str:
    return services.metrics.render()
