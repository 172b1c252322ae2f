"""Every admin endpoint, under ``/admin/api/v1``, and the dashboard at ``/admin/``."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from core.input_checks import refuse_unusable_text, unusable_text_refuser
from core.settings import Settings
from core.web.app import AppPart, LargerBodies

from .api import bots, cost_settings, me, packs, projects, reports

STATIC = Path(__file__).parent / "static"
# pack uploads, file edits, the editor's checks (whole files as typed) and FAQ spreadsheets
UPLOADS = re.compile(r"/admin/api/v1/bots/[^/]+/(?:packs(?:/files/[^/]+|/validate)?|faq-import)")

# every path and query parameter and JSON field is checked for NUL, control characters and lone
# surrogates before an endpoint runs (422 naming the field): such text cannot be stored. Pack
# files are not: the pack validator reports what is wrong in them with the file and line.
CHECKED = [Depends(refuse_unusable_text)]
router = APIRouter(prefix="/admin/api/v1")
router.include_router(me.router, dependencies=CHECKED)
router.include_router(projects.router, dependencies=CHECKED)
router.include_router(reports.router, dependencies=CHECKED)
router.include_router(cost_settings.router, dependencies=CHECKED)
router.include_router(packs.router, dependencies=[Depends(unusable_text_refuser("files"))])
router.include_router(bots.router, dependencies=[Depends(unusable_text_refuser("files"))])


def admin_part() -> AppPart:
    def larger_bodies(settings: Settings) -> LargerBodies:
        return ((UPLOADS, settings.max_upload_bytes),)

    return AppPart(mount_admin, larger_bodies)


def mount_admin(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/admin/static", StaticFiles(directory=STATIC, check_dir=False), name="admin-static")

    @app.get("/admin", include_in_schema=False)
    def admin_root() -> RedirectResponse:
        return RedirectResponse("/admin/")

    @app.get("/admin/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html")
