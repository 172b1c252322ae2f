"""The two requests every resident conversation is made of, answered without FastAPI's machinery.

``POST /api/v1/bots/{bot_id}/messages`` and ``…/sessions`` are nearly all of the service's requests.
FastAPI's middleware, its routing over every route (the admin API's included) and its request
handling cost about a sixth of a worker's CPU under load. This ASGI middleware takes the requests
of the routes whose endpoint is marked :func:`fast_lane` (``chat_platform.api.resident``), matched
as FastAPI matches them, calls those very endpoints and answers errors with the application's own
exception handlers: the statuses, bodies and schema are the ones documented, and the API tests and
schemathesis run against this path. Everything else goes on to FastAPI. It sits inside the body
limit (``api/body_limit.py``), CORS and the simulator's headers, so they all still apply.

Nothing is written here twice: the paths, methods and endpoints come from the app's routes, the
handlers from the app. What the lane would do differently from FastAPI is refused when the app is
built (:func:`check`, called by ``create_app``, and again when the middleware is built), with
what to change:

- a dependency (``Depends``) of the route, its routers' included: the lane does not resolve them,
  so it would skip it, and any ``app.dependency_overrides`` of it. A fast-lane route has none, so
  an override can concern it no more than it would under FastAPI;
- a parameter other than the path's (strings) and the ``Request``: FastAPI would read it from the
  query, a header or the body;
- an endpoint that is not ``async`` (FastAPI would run it in a thread) or that returns anything but
  a ``Response`` (FastAPI would validate that against the route's ``response_model``; a
  ``Response`` it sends as it is, like the lane);
- an earlier route that FastAPI would give the route's requests to instead;
- an exception handler that cannot be called as ``handler(request, exc)``. Handlers that are not
  ``async`` run in a thread, as Starlette runs them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar, get_type_hints

import fastapi.routing
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.convertors import PathConvertor, StringConvertor
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
Handler = Callable[[Request, Exception], Awaitable[Response | None]]
_MARK = "__madoguchi_fast_lane__"


def fast_lane(endpoint: Endpoint) -> Endpoint:
    """Mark a route's endpoint to be answered by :class:`FastLane` (put it under the route's decorator)."""
    setattr(endpoint, _MARK, True)
    return endpoint


@dataclass(frozen=True)
class LaneRoute:
    """A route the lane answers: how FastAPI matches it, and how to call its endpoint."""

    label: str  # "POST /api/v1/bots/{bot_id}/messages", for messages
    methods: frozenset[str]
    matches: Callable[[Scope], tuple[Match, Scope]]
    endpoint: Callable[..., Awaitable[Response]]
    request_parameter: str


@dataclass(frozen=True)
class Lane:
    """What the lane takes from the app: its routes and the exception handlers, as it calls them."""

    routes: tuple[LaneRoute, ...]
    handlers: dict[type[BaseException], Handler]
    status_handlers: dict[int, Handler]  # HTTPException's, by status (Starlette looks these up first)

    def route_for(self, scope: Scope) -> tuple[LaneRoute, Scope] | None:
        """The route the lane answers ``scope`` with, and its child scope; None: FastAPI's request."""
        if scope["type"] != "http":
            return None
        for route in self.routes:
            if scope["method"] in route.methods:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    return route, child
        return None


class FastLaneError(RuntimeError):
    """The app declares something the fast lane would serve differently from FastAPI."""


def check(app: FastAPI) -> Lane:
    """The lane ``app`` declares; raises :class:`FastLaneError` listing whatever it cannot serve as
    FastAPI would, each with what to change (see the module's documentation)."""
    problems: list[str] = []
    contexts = list(route_contexts(app))
    routes = []
    for position, context in enumerate(contexts):
        if getattr(context, "endpoint", None) is not None and getattr(context.endpoint, _MARK, False):
            route = _lane_route(context, contexts[:position], problems)
            if route is not None:
                routes.append(route)
    handlers: dict[type[BaseException], Handler] = {}
    status_handlers: dict[int, Handler] = {}
    for key, handler in app.exception_handlers.items():
        called = _as_called(key, handler, problems)
        if called is None:
            continue
        if isinstance(key, int):
            if key != 500:  # Starlette gives 500's handler to ServerErrorMiddleware, around the lane
                status_handlers[key] = called
        else:
            handlers[key] = called
    if problems:
        raise FastLaneError(
            "The fast lane (chat_platform/api/fast_lane.py) cannot answer as FastAPI would:\n- "
            + "\n- ".join(problems)
        )
    return Lane(tuple(routes), handlers, status_handlers)


def route_contexts(app: FastAPI) -> Iterator[Any]:
    """Every route of ``app`` in the order FastAPI tries them, with their routers' prefixes and
    dependencies applied: recent FastAPI keeps an included router as one entry of ``app.routes``
    (``iter_route_contexts`` walks them); older versions copied its routes there, applied."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    return iter(contexts(app.routes)) if contexts is not None else iter(app.routes)


def _lane_route(context: Any, earlier: list[Any], problems: list[str]) -> LaneRoute | None:
    endpoint = context.endpoint
    methods = frozenset(context.methods or ())
    label = f"{'/'.join(sorted(methods))} {context.path}"
    where = f"{label} ({endpoint.__module__}.{endpoint.__qualname__}, marked @fast_lane)"
    found = len(problems)
    dependant = getattr(context, "dependant", None)
    for dependency in dependant.dependencies if dependant is not None else ():
        name = getattr(dependency.call, "__name__", repr(dependency.call))
        problems.append(
            f"{where} depends on {name} (Depends on the route, its parameters or a router including "
            "it): the lane would skip it and any dependency override of it. Check it in the "
            "endpoint, or move it off this route, or remove @fast_lane"
        )
    try:
        hints = get_type_hints(endpoint)
    except Exception as error:  # an annotation that does not resolve
        problems.append(f"{where}: its annotations do not resolve ({error}): the lane cannot check them")
        return None
    if not inspect.iscoroutinefunction(endpoint):
        problems.append(
            f"{where} is not async: the lane awaits it. Make it `async def`, or remove @fast_lane"
        )
    returned = hints.get("return")
    if not (isinstance(returned, type) and issubclass(returned, Response)):
        problems.append(
            f"{where} returns {returned!r}, not a Response: FastAPI would validate and serialise that "
            "with the route's response_model, the lane would not. Return a Response"
        )
    convertors = getattr(context, "param_convertors", {})
    request_parameter = None
    for name, parameter in inspect.signature(endpoint).parameters.items():
        hint = hints.get(name)
        if isinstance(hint, type) and issubclass(hint, Request) and request_parameter is None:
            request_parameter = name
        elif name in convertors and hint is str and parameter.default is inspect.Parameter.empty:
            if not isinstance(convertors[name], StringConvertor | PathConvertor):
                problems.append(f"{where}: path parameter {name} must be a plain string ({{{name}}})")
        else:
            problems.append(
                f"{where}: parameter {name} would be read by FastAPI (query, header, body, Depends or a "
                "typed path parameter); the lane passes only the path's strings and the Request. "
                "Read it from the Request in the endpoint, or remove @fast_lane"
            )
    for name in convertors.keys() - inspect.signature(endpoint).parameters.keys():
        problems.append(f"{where}: the path's {{{name}}} is not a parameter of the endpoint")
    if request_parameter is None:
        problems.append(f"{where} takes no Request: the lane passes it one")
    for method in sorted(methods):
        probe = _probe(context.path_format, method)
        first = next((c for c in earlier if c.matches(probe)[0] is Match.FULL), None)
        if first is not None:
            problems.append(
                f"{where}: FastAPI gives {method} {probe['path']} to the earlier route "
                f"{getattr(first, 'path', first)!r}, the lane would take it. Declare the fast-lane "
                "route first, or remove @fast_lane"
            )
    if len(problems) > found or request_parameter is None:  # (None is a problem found)
        return None
    return LaneRoute(label, methods, context.matches, endpoint, request_parameter)


def _probe(path_format: str, method: str) -> Scope:
    """A request of a route's own path, each parameter ``x``."""
    return request_scope(method, re.sub(r"\{[^}]*\}", "x", path_format))


def request_scope(method: str, path: str) -> Scope:
    """The ASGI scope of a bare ``method`` request to ``path``, for matching it against routes."""
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "path_params": {},
        "query_string": b"",
        "headers": [],
    }


def _as_called(key: Any, handler: Any, problems: list[str]) -> Handler | None:
    """``handler`` as the lane calls it: awaited, or (not async) run in a thread as Starlette runs it."""
    name = getattr(handler, "__qualname__", repr(handler))
    try:
        inspect.signature(handler).bind(None, None)
    except TypeError as error:
        problems.append(
            f"exception handler {name} (for {getattr(key, '__name__', key)}) cannot be called as "
            f"handler(request, exc), the way Starlette and the lane call it: {error}"
        )
        return None
    except ValueError:  # no signature to read (a builtin): called as it is
        pass
    if _is_async(handler):
        return handler
    return partial(run_in_threadpool, handler)


def _is_async(handler: Any) -> bool:
    while isinstance(handler, partial):
        handler = handler.func
    # a function, or an object whose __call__ is one
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(type(handler).__call__)


class FastLane:
    def __init__(self, app: ASGIApp, application: FastAPI) -> None:
        self.app = app
        # built by Starlette with the rest of the middleware, when the app starts: every route
        # and handler is declared by then
        self.lane = check(application)
        self._methods = frozenset(method for route in self.lane.routes for method in route.methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # a method no lane route has (GET, most often) costs one set lookup
        found = (
            self.lane.route_for(scope)
            if scope["type"] == "http" and scope["method"] in self._methods
            else None
        )
        if found is None:
            await self.app(scope, receive, send)
            return
        route, child = found
        scope.update(child)  # the endpoint and path parameters, as FastAPI's router sets them
        request = Request(scope, receive)  # bodies are limited in front of this (api/body_limit.py)
        arguments: dict[str, Any] = dict(child["path_params"])
        arguments[route.request_parameter] = request
        response: Response | None
        try:
            response = await route.endpoint(**arguments)
        except ClientDisconnect:  # gone before the body arrived (or cut off as too large): no one to answer
            return
        except Exception as exc:  # answered as FastAPI would: by the app's handler for its class
            response = await self._handled(request, exc)
        if response is not None:
            await response(scope, receive, send)

    async def _handled(self, request: Request, exc: Exception) -> Response | None:
        handler = self.lane.status_handlers.get(exc.status_code) if isinstance(exc, HTTPException) else None
        if handler is None:
            handler = next((h for kind in type(exc).__mro__ if (h := self.lane.handlers.get(kind))), None)
        if handler is None:
            raise exc  # no handler at all: ServerErrorMiddleware answers 500
        return await handler(request, exc)
