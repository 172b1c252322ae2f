"""Rasa-compatible endpoints: the REST channel and ``/model/parse``, so Rasa front ends work as-is."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError

from core import errors
from core.input_checks import clean_message
from core.web.deps import client_address
from core.web.error_schemas import error_responses
from shared_nlu.clock import today_in_japan

from ..address_limits import count_request
from ..messages import Incoming, Refused
from .deps import ResidentServicesDep
from .hot_path import body_schema, parse_body
from .schemas import ButtonOut, ParseIn, RestIn, RestMessageOut

router = APIRouter(tags=["rasa"], responses=error_responses(400, 413, 422))


@router.post(
    "/bots/{bot_id}/webhooks/rest/webhook",
    response_model=list[RestMessageOut],
    response_model_exclude_none=True,
    responses=error_responses(404, 429, 503),
    summary="Rasa REST channel",
    openapi_extra=body_schema(RestIn),
)
async def rest_webhook(bot_id: str, request: Request, services: ResidentServicesDep) -> list[RestMessageOut]:
    started = time.perf_counter()
    address = client_address(request)
    body: RestIn | None = None
    try:  # read and checked here, not by FastAPI: a refused message still counts against the limits
        body = parse_body(RestIn, await request.body())
        message: Incoming | Refused = services.chat.prepare(
            bot_id, body.message, "rest", sender=body.sender, address=address
        )
    except (errors.AppError, RequestValidationError) as refused:
        message = services.chat.refuse(refused, "rest", address, sender=body.sender if body else None)
    reply = await services.batcher.submit(message)
    assert body is not None  # a refused message raised above
    services.metrics.observe_message(bot_id, "rest", time.perf_counter() - started, reply.fell_back)
    return [
        RestMessageOut(
            recipient_id=body.sender,
            text=m.text,
            buttons=[ButtonOut(**b) for b in m.buttons] if m.buttons else None,
        )
        for m in reply.messages
    ]


def _parse(services: ResidentServicesDep, text: str, bot_id: str | None) -> dict[str, Any]:
    bots = services.runtime.current
    if bot_id is not None and bot_id not in bots.bot_ids():
        raise errors.unknown_bot(bot_id, bots.bot_ids())
    message = clean_message(text, services.settings.max_message_chars)
    # 「今日」 is the resident's day in Japan, by the same clock the chat path uses
    return bots.nlu.parse(message, bot=bot_id, today=today_in_japan(services.chat.now())).to_dict()


def limit_parse(request: Request, services: ResidentServicesDep) -> None:
    """Parse requests per client address and minute; counted before the body is checked, so bad
    requests count too."""
    limit = services.settings.rate_limit_parse_per_address_per_minute
    count_request(services.chat.store, "p", client_address(request), limit)


ParseLimit = Depends(limit_parse)


@router.post(
    "/bots/{bot_id}/model/parse",
    responses=error_responses(404, 429),
    dependencies=[ParseLimit],
    summary="Parse a message as one bot (Rasa's parse result plus bot)",
)
def parse_for_bot(bot_id: str, body: ParseIn, services: ResidentServicesDep) -> dict[str, Any]:
    return _parse(services, body.text, bot_id)


@router.post(
    "/model/parse",
    responses=error_responses(429),
    dependencies=[ParseLimit],
    summary="Parse a message across every bot (routing)",
)
def parse_routed(body: ParseIn, services: ResidentServicesDep) -> dict[str, Any]:
    return _parse(services, body.text, None)
