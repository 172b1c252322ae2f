"""The widget's API: bots, sessions, messages and ratings (``/api/v1``)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError

from core.errors import AppError
from core.input_checks import refuse_unusable_text
from core.web.deps import client_address
from core.web.error_schemas import error_responses

from ..chat_service import Reply
from ..messages import Incoming, Refused
from .deps import ResidentServicesDep, resident_services_of
from .fast_lane import fast_lane
from .hot_path import FastJSONResponse as JSONResponse
from .hot_path import body_schema, parse_body
from .schemas import (
    BotOut,
    BotsOut,
    MessageIn,
    OkOut,
    RatingIn,
    ReplyOut,
    SessionIn,
    SessionOut,
)

# 503 (with Retry-After) while the database is unreachable
router = APIRouter(prefix="/api/v1", tags=["resident"], responses=error_responses(503))
# Every path parameter and JSON field checked for NUL, control characters and lone surrogates
# (422) before an endpoint runs. The two message endpoints, answered by the fast lane
# (api/fast_lane.py, which runs no dependency and refuses routes that have one), check theirs
# themselves, to count them against the rate limits.
CHECKED = [Depends(refuse_unusable_text)]


def _reply(reply: Reply) -> JSONResponse:
    # JSON made here, in ReplyOut's shape (the schema tests check it): returning a model made
    # FastAPI validate and serialise every reply twice
    return JSONResponse(
        {
            "session_id": reply.session_id,
            "messages": [m.to_dict() for m in reply.messages],
            "status": reply.status,
            "replayed": reply.replayed,
        }
    )


@router.get("/bots", response_model=BotsOut, summary="The bots residents can talk to", dependencies=CHECKED)
def list_bots(services: ResidentServicesDep) -> BotsOut:
    packs = services.runtime.current.packs.bots()
    return BotsOut(
        bots=[
            BotOut(id=p.id, name=p.bot.name, description=p.bot.description, department=p.bot.department)
            for p in packs
        ]
    )


@router.post(
    "/bots/{bot_id}/sessions",
    response_model=SessionOut,
    responses=error_responses(400, 404, 413, 422, 429),
    summary="Start a conversation",
    openapi_extra=body_schema(SessionIn, required=False),
)
@fast_lane
async def start_session(bot_id: str, request: Request) -> JSONResponse:
    raw = await request.body()
    body = parse_body(SessionIn, raw) if raw.strip() else SessionIn()  # the body is optional
    services = resident_services_of(request)
    start = services.chat.prepare_start(bot_id, "widget", body.language, address=client_address(request))
    reply = await services.batcher.submit(start)  # stored with whatever else arrived meanwhile
    welcome = [{**m.to_dict(), "id": None} for m in reply.messages]  # not stored: nothing to rate
    return JSONResponse({"session_id": reply.session_id, "bot": bot_id, "messages": welcome})


@router.post(
    "/bots/{bot_id}/messages",
    response_model=ReplyOut,
    responses=error_responses(400, 404, 413, 422, 429),
    summary="Send a resident message",
    openapi_extra=body_schema(MessageIn),
)
@fast_lane
async def send_message(bot_id: str, request: Request) -> JSONResponse:
    started = time.perf_counter()
    services = resident_services_of(request)
    address = client_address(request)
    body: MessageIn | None = None
    try:  # checked completely before it joins a batch: nothing in it can fail the others
        body = parse_body(MessageIn, await request.body())
        message: Incoming | Refused = services.chat.prepare(
            bot_id,
            body.text,
            "widget",
            session_id=body.session_id,
            idempotency_key=body.idempotency_key,
            address=address,
        )
    except (AppError, RequestValidationError) as refused:  # still counted against the limits
        message = services.chat.refuse(refused, "widget", address, body.session_id if body else None)
    reply = await services.batcher.submit(message)  # handled with whatever else arrived meanwhile
    services.metrics.observe_message(bot_id, "widget", time.perf_counter() - started, reply.fell_back)
    return _reply(reply)


@router.post(
    "/messages/{message_id}/rating",
    response_model=OkOut,
    responses=error_responses(400, 404, 409, 422),
    summary="Rate an answer",
    dependencies=CHECKED,
)
def rate(message_id: str, body: RatingIn, services: ResidentServicesDep) -> OkOut:
    services.chat.rate(message_id, body.session_id, body.helpful)
    return OkOut()


@router.post(
    "/sessions/{session_id}/end",
    response_model=OkOut,
    responses=error_responses(404, 422),
    summary="End a conversation",
    dependencies=CHECKED,
)
def end_session(session_id: str, services: ResidentServicesDep) -> OkOut:
    services.chat.end(session_id)
    return OkOut()
