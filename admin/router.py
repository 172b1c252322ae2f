"""Every admin endpoint, under ``/admin/api/v1``, and the dashboard at ``/admin/``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from .api import bots, cost_settings, me, packs, registry, reports

STATIC = Path(__file__).parent / "static"

router = APIRouter(prefix="/admin/api/v1")
router.include_router(me.router)
router.include_router(registry.router)
router.include_router(reports.router)
router.include_router(cost_settings.router)
router.include_router(packs.router)
router.include_router(bots.router)


def mount_admin(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/admin/static", StaticFiles(directory=STATIC, check_dir=False), name="admin-static")

    @app.get("/admin", include_in_schema=False)
    def admin_root() -> RedirectResponse:
        return RedirectResponse("/admin/")

    @app.get("/admin/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html")
