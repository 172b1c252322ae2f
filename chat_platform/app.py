"""The resident service's part of an app: widget API, Rasa channels, LINE webhook and demo page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from core.settings import Settings
from core.web.app import AppPart, LargerBodies
from core.web.error_schemas import error_responses
from shared_nlu.clock import JAPAN

from .api import fast_lane, rasa, resident
from .channels import line
from .chat_service import SIMULATED_NOW, SIMULATION

STATIC = Path(__file__).parent / "static"
LINE_WEBHOOK = re.compile(r"/bots/[^/]+/webhooks/line")


def resident_part(allow_simulation: bool = False) -> AppPart:
    """``allow_simulation`` honours the simulator's headers: only the in-process simulator builds
    such an app, never a served one."""

    def install(app: FastAPI) -> None:
        app.add_middleware(fast_lane.FastLane, application=app)  # first: everything added after it wraps it
        if allow_simulation:
            app.middleware("http")(_simulation_headers)
        app.include_router(resident.router)
        app.include_router(rasa.router)
        # the statuses the webhook refuses with (unknown bot, no channel or bad signature, not a webhook)
        app.include_router(line.router, responses=error_responses(400, 401, 404, 422))
        app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")

        @app.get("/", include_in_schema=False)
        def demo() -> FileResponse:
            return FileResponse(STATIC / "demo.html")

    def larger_bodies(settings: Settings) -> LargerBodies:
        return ((LINE_WEBHOOK, settings.max_line_body_bytes),)

    # refused when the app is built, not when the first request comes, if it would serve a route wrongly
    return AppPart(install, larger_bodies, check=fast_lane.check)


async def _simulation_headers(request: Request, call_next: Any) -> Any:
    """``X-Madoguchi-Simulation: 1`` marks traffic as simulated; ``X-Madoguchi-Simulated-Time``
    (ISO 8601) replays it at that moment. Honoured only by apps built with allow_simulation."""
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
