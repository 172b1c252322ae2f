"""The fast lane (chat_platform/api/fast_lane.py): derived from the app's routes, never in FastAPI's way.

It answers the routes marked ``@fast_lane`` itself, so these tests check that it takes exactly
their requests (every other path and method goes to FastAPI, and FastAPI would have given the
lane's requests to the same endpoints), and that whatever it would do differently from FastAPI
(a dependency it would skip, an override of one, a parameter FastAPI would read, a handler it
could not call) stops the app at start-up with what to change.
"""

from __future__ import annotations

import re
import threading
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse, Response
from starlette.routing import Match

from chat_platform.api import fast_lane, resident
from chat_platform.api.fast_lane import FastLane, FastLaneError, check, request_scope, route_contexts
from chat_platform.resident_services import ResidentServices
from core.input_checks import refuse_unusable_text
from madoguchi.app import create_app

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def fastapi_route(app: FastAPI, scope: dict[str, Any]) -> Any:
    """The route FastAPI's router gives ``scope`` to: the first that matches it fully, in order."""
    return next((c for c in route_contexts(app) if c.matches(scope)[0] is Match.FULL), None)


def example_path(path_format: str) -> str:
    return re.sub(r"\{[^}]*\}", "tax", path_format)


# ---- the lane is the resident routes marked for it ------------------------------------------------
def test_should_take_its_routes_from_those_marked_in_resident_py(services: ResidentServices) -> None:
    app = create_app(services=services, watch=False, admin=True)
    lane = check(app)

    assert [r.label for r in lane.routes] == [
        "POST /api/v1/bots/{bot_id}/sessions",
        "POST /api/v1/bots/{bot_id}/messages",
    ]
    assert [r.endpoint for r in lane.routes] == [resident.start_session, resident.send_message]
    # the other resident routes still refuse unusable text before their endpoint runs, as the
    # router-wide dependency made them do before the lane's routes had to leave it
    others = [
        c
        for c in route_contexts(app)
        if getattr(c, "path", "").startswith("/api/v1/")
        and c.endpoint not in (resident.start_session, resident.send_message)
    ]
    assert len(others) == 3
    assert all(refuse_unusable_text in [d.call for d in c.dependant.dependencies] for c in others)


def test_should_shadow_no_other_route(services: ResidentServices) -> None:
    app = create_app(services=services, watch=False, admin=True)
    lane = check(app)
    contexts = list(route_contexts(app))
    requests = []
    for context in contexts:
        path = example_path(getattr(context, "path_format", None) or getattr(context, "path", "/"))
        methods = getattr(context, "methods", None) or METHODS  # a mount: whatever is below it
        suffix = "/x" if getattr(context, "methods", None) is None else ""
        requests += [request_scope(method, path + suffix) for method in methods]
    for route in lane.routes:  # the lane's paths with every method, and near misses of them
        path = example_path(route.label.split(" ", 1)[1])
        near = [
            path,
            path + "/",
            path + "/x",
            path.replace("/tax/", "//"),
            path.replace("/tax/", "/a%2Fb/"),
            "/api/v1/bots/tax",
            path.upper(),
        ]
        requests += [request_scope(method, p) for method in METHODS for p in near]

    ours = {route.endpoint for route in lane.routes}
    taken = []
    for scope in requests:
        found = lane.route_for(dict(scope))
        chosen = fastapi_route(app, dict(scope))
        # the lane takes exactly the requests FastAPI would give one of its endpoints, and that one
        expected = (
            chosen.endpoint if chosen is not None and getattr(chosen, "endpoint", None) in ours else None
        )
        assert (found[0].endpoint if found else None) is expected, (scope["method"], scope["path"], chosen)
        if found:
            taken.append(f"{scope['method']} {scope['path']}")
    assert len(requests) > 100 and set(taken) == {
        "POST /api/v1/bots/tax/sessions",
        "POST /api/v1/bots/tax/messages",
        "POST /api/v1/bots/a%2Fb/sessions",
        "POST /api/v1/bots/a%2Fb/messages",  # one segment for both
    }


def test_should_leave_other_methods_on_its_paths_to_fastapi(client) -> None:
    get = client.get("/api/v1/bots/tax/messages")
    assert get.status_code == 405 and get.json()["error"]["code"] == "method_not_allowed"
    assert "POST" in get.headers["allow"]  # FastAPI's routing answered it, not the lane
    slash = client.post("/api/v1/bots/tax/messages/", json={}, follow_redirects=False)
    assert slash.status_code == 307 and slash.headers["location"].endswith("/api/v1/bots/tax/messages")


# ---- what the lane would do unlike FastAPI is refused at start-up ----------------------------------
async def needs_token(request: Request) -> None:
    raise HTTPException(401)


def app_with(declare: Any, *, handler: Any = None) -> FastAPI:
    """An app with the lane and one route, declared by ``declare(app)``."""
    app = FastAPI()
    app.add_middleware(FastLane, application=app)
    declare(app)
    if handler is not None:
        app.add_exception_handler(LookupError, handler)
    return app


def refusal(app: FastAPI) -> str:
    with pytest.raises(FastLaneError) as refused:
        check(app)
    return str(refused.value)


def test_should_refuse_a_dependency_on_a_fast_lane_route_with_what_to_change() -> None:
    def on_the_route(app: FastAPI) -> None:
        @app.post("/a/{x}", dependencies=[Depends(needs_token)])
        @fast_lane.fast_lane
        async def endpoint(x: str, request: Request) -> Response:
            return Response()

    def on_its_router(app: FastAPI) -> None:
        router = APIRouter(prefix="/v1", dependencies=[Depends(needs_token)])

        @router.post("/a/{x}")
        @fast_lane.fast_lane
        async def endpoint(x: str, request: Request) -> Response:
            return Response()

        app.include_router(router)

    def in_a_parameter(app: FastAPI) -> None:
        @app.post("/a/{x}")
        @fast_lane.fast_lane
        async def endpoint(
            x: str, request: Request, token: Annotated[None, Depends(needs_token)]
        ) -> Response:
            return Response()

    for declare in (on_the_route, on_its_router, in_a_parameter):
        message = refusal(app_with(declare))
        assert "depends on needs_token" in message and "dependency override" in message, message
        assert "remove @fast_lane" in message


def test_should_refuse_what_fastapi_would_read_or_validate_and_the_lane_would_not() -> None:
    def query_parameter(app: FastAPI) -> None:
        @app.post("/a/{x}")
        @fast_lane.fast_lane
        async def endpoint(x: str, request: Request, limit: int = 10) -> Response:
            return Response()

    def not_async(app: FastAPI) -> None:
        @app.post("/a/{x}")
        @fast_lane.fast_lane
        def endpoint(x: str, request: Request) -> Response:
            return Response()

    def returns_a_model(app: FastAPI) -> None:
        @app.post("/a/{x}")
        @fast_lane.fast_lane
        async def endpoint(x: str, request: Request) -> dict[str, str]:
            return {}

    def shadowed(app: FastAPI) -> None:
        @app.post("/a/{anything}")
        async def earlier(anything: str) -> dict[str, str]:
            return {}

        @app.post("/a/{x}")
        @fast_lane.fast_lane
        async def endpoint(x: str, request: Request) -> Response:
            return Response()

    expected = {
        query_parameter: "parameter limit would be read by FastAPI",
        not_async: "is not async",
        returns_a_model: "not a Response",
        shadowed: "FastAPI gives POST /a/x to the earlier route '/a/{anything}'",
    }
    for declare, problem in expected.items():
        assert problem in refusal(app_with(declare)), declare.__name__


def test_should_refuse_a_handler_it_cannot_call_when_the_app_starts() -> None:
    def route(app: FastAPI) -> None:
        @app.post("/a/{x}")
        @fast_lane.fast_lane
        async def endpoint(x: str, request: Request) -> Response:
            raise LookupError(x)

    def takes_one(exc: Exception) -> Response:
        return Response(status_code=404)

    app = app_with(route, handler=takes_one)
    assert "cannot be called as handler(request, exc)" in refusal(app)
    with pytest.raises(FastLaneError), TestClient(app):  # the middleware is built as the app starts
        pass


def test_should_answer_errors_with_sync_and_async_handlers_as_starlette_does() -> None:
    threads: dict[str, str] = {}

    def route(app: FastAPI) -> None:
        @app.post("/a/{x}")
        @fast_lane.fast_lane
        async def endpoint(x: str, request: Request) -> Response:
            threads["endpoint"] = threading.current_thread().name
            if x == "lookup":
                raise LookupError(x)
            if x == "teapot":
                raise HTTPException(418)
            if x == "value":
                raise ValueError(x)
            return JSONResponse({"x": x})

        @app.exception_handler(ValueError)
        async def value(request: Request, exc: ValueError) -> Response:
            return JSONResponse({"handled": "async"}, status_code=422)

        @app.exception_handler(418)
        def teapot(request: Request, exc: HTTPException) -> Response:  # by status, as Starlette looks first
            return JSONResponse({"handled": "status"}, status_code=418)

    def lookup(request: Request, exc: Exception) -> Response:  # not async: run in a thread
        threads["handler"] = threading.current_thread().name
        return JSONResponse({"handled": "sync", "path": request.path_params["x"]}, status_code=404)

    app = app_with(route, handler=lookup)
    with TestClient(app) as client:
        assert client.post("/a/ok").json() == {"x": "ok"}
        assert (client.post("/a/lookup").status_code, client.post("/a/lookup").json()) == (
            404,
            {"handled": "sync", "path": "lookup"},
        )
        assert client.post("/a/value").json() == {"handled": "async"}
        assert client.post("/a/teapot").json() == {"handled": "status"}
        assert client.get("/a/ok").status_code == 405  # not the lane's: FastAPI answers
    assert threads["handler"] != threads["endpoint"]


def test_should_honour_dependency_overrides_or_refuse_them_loudly(client, services: ResidentServices) -> None:
    """An override can concern a fast-lane route only through a dependency of it, and a
    dependency on a fast-lane route stops the app at start-up (above). So the lane's routes have
    none, answer with overrides set exactly as without, and every other route, answered by
    FastAPI, honours them."""
    app = client.app
    assert all(not route.dependant.dependencies for route in _lane_contexts(app))

    def refuse_everything(request: Request) -> None:
        raise HTTPException(418)

    app.dependency_overrides[refuse_unusable_text] = refuse_everything
    try:
        started = client.post("/api/v1/bots/tax/sessions", json={})
        answered = client.post(
            "/api/v1/bots/tax/messages",
            json={"session_id": started.json()["session_id"], "text": "こんにちは"},
        )
        bots = client.get("/api/v1/bots")
    finally:
        app.dependency_overrides.clear()
    assert (started.status_code, answered.status_code) == (200, 200)
    assert bots.status_code == 418  # FastAPI's route ran the override
    assert client.get("/api/v1/bots").status_code == 200


def _lane_contexts(app: FastAPI) -> list[Any]:
    lane = {route.endpoint for route in check(app).routes}
    return [c for c in route_contexts(app) if getattr(c, "endpoint", None) in lane]
