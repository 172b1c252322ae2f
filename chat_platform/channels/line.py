"""The LINE Messaging API channel: the webhook LINE calls, and the client that answers via the reply API.

LINE signs each webhook with the channel secret; nothing is parsed, processed or stored before that
signature checks out. The webhook answers 200 at once and handles the events afterwards, because LINE
expects a quick answer and a failure in one event must not make it redeliver (or lose) the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
from fastapi import APIRouter, BackgroundTasks, Request

from core.errors import AppError, unknown_bot

from ..api.deps import ResidentServicesDep
from ..chat_service import OutgoingMessage
from ..messages import Incoming, Refused
from ..resident_services import ResidentServices

router = APIRouter(tags=["line"])
log = logging.getLogger("madoguchi")

CHANNEL = "line"
# LINE's limits: messages per reply, characters per text, quick reply buttons, label and data lengths
MAX_MESSAGES, MAX_TEXT, MAX_QUICK_REPLIES, MAX_LABEL, MAX_DATA = 5, 5000, 13, 20, 300
TIMEOUT_SECONDS = 5.0  # a reply token lives about a minute; a slow LINE must not pile up our threads
ONLY_TEXT = "申し訳ありません。文字のメッセージにだけお答えできます。ご質問を文字で送ってください。"
CHOOSE_BELOW = "下のボタンからお選びください。"
Message = dict[str, Any]


def signature_ok(secret: str, body: bytes, signature: str | None) -> bool:
    """LINE's X-Line-Signature: base64(HMAC-SHA256(channel secret, raw body)), compared in constant time."""
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    # Starlette decodes headers as latin-1, so this encoding never fails and gives back the sent bytes
    return hmac.compare_digest(expected, signature.encode("latin-1"))


def to_line_messages(messages: Sequence[OutgoingMessage]) -> list[Message]:
    """Turn the bot's answers into at most five LINE text messages, buttons as quick replies."""
    parts = [(m.text.strip(), m.buttons) for m in messages if m.text.strip() or m.buttons]
    if len(parts) > MAX_MESSAGES:
        # LINE refuses a sixth message; the extra texts join the fifth so nothing the bot said is lost
        tail = parts[MAX_MESSAGES - 1 :]
        buttons = next((b for _, b in reversed(tail) if b), [])
        parts = [*parts[: MAX_MESSAGES - 1], ("\n\n".join(t for t, _ in tail if t), buttons)]
    return [_text_message(text, buttons) for text, buttons in parts]


def _text_message(text: str, buttons: list[dict[str, str]]) -> Message:
    text = text or CHOOSE_BELOW  # LINE refuses an empty text, and buttons need a message to hang on
    message: Message = {"type": "text", "text": text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"}
    items = [
        {
            "type": "action",
            "action": {
                "type": "postback",
                "label": b["title"][:MAX_LABEL],
                "data": b["payload"],
                "displayText": b["title"][:MAX_DATA],
            },
        }
        for b in buttons
        if b["title"] and len(b["payload"]) <= MAX_DATA  # a cut payload would be a different (broken) one
    ][:MAX_QUICK_REPLIES]
    if items:
        message["quickReply"] = {"items": items}
    return message


class LineReplyClient:
    """Sends answers through LINE's reply API. Failures are logged and never raised: LINE has its 200."""

    def __init__(self, api_base: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.url = api_base.rstrip("/") + "/v2/bot/message/reply"
        self._http = httpx.Client(timeout=timeout)  # one pool per worker: no new TLS handshake per reply

    def reply(self, token: str, reply_token: str, messages: list[Message]) -> bool:
        try:
            response = self._http.post(
                self.url,
                headers={"Authorization": f"Bearer {token}"},
                json={"replyToken": reply_token, "messages": messages[:MAX_MESSAGES]},
            )
        except httpx.HTTPError as exc:  # the class only: the message could carry the URL or our payload
            log.warning("LINE reply failed: %s", exc.__class__.__name__)
            return False
        if response.is_error:  # the status only: LINE's error body may echo what we sent
            log.warning("LINE reply refused: HTTP %s", response.status_code)
            return False
        return True

    def close(self) -> None:
        self._http.close()


def handle_event(
    services: ResidentServices, client: LineReplyClient, bot_id: str, token: str, event: Any
) -> None:
    """Answer one webhook event; events that are not a resident's message or button are ignored."""
    if event.get("mode") == "standby":  # another channel module holds this chat and answers it, not us
        return
    kind, reply_token = event.get("type"), event.get("replyToken")
    if kind == "message":
        message = event["message"]
        if message.get("type") != "text":  # stickers, images, audio …: say politely what we understand
            if reply_token:
                client.reply(token, reply_token, [{"type": "text", "text": ONLY_TEXT}])
            return
        text = message.get("text")
    elif kind == "postback":  # a quick reply button: its data is the payload the dialogue understands
        text = event["postback"].get("data")
    else:  # follow, unfollow, join, read receipts …: nothing to answer
        return
    sender = (event.get("source") or {}).get("userId")
    if not sender or not reply_token:  # no user id: one resident cannot be told from another
        return
    started = time.perf_counter()
    try:
        # webhookEventId stays the same when LINE redelivers, so a redelivered message is stored once
        item: Incoming | Refused = services.chat.prepare(
            bot_id, text, CHANNEL, sender=sender, idempotency_key=event.get("webhookEventId")
        )
    except AppError as refused:  # still counted against the limits
        item = services.chat.refuse(refused, CHANNEL, sender=sender)
    try:
        reply = services.chat.send(item)
    except AppError as error:  # too long, rate limited …: the Japanese text says what to do, no personal data
        services.metrics.observe_error(error.code)
        client.reply(token, reply_token, [{"type": "text", "text": error.ja}])
        return
    services.metrics.observe_message(bot_id, CHANNEL, time.perf_counter() - started, reply.fell_back)
    messages = to_line_messages(reply.messages)
    if messages:
        client.reply(token, reply_token, messages)


def handle_events(
    services: ResidentServices, client: LineReplyClient, bot_id: str, token: str, events: list[Any]
) -> None:
    for event in events:
        try:
            handle_event(services, client, bot_id, token, event)
        except Exception as exc:  # one bad event must not cost the others their answer
            log.error("LINE event failed: %s", exc.__class__.__name__)  # never the text: personal data


def _reply_client(request: Request, services: ResidentServices) -> LineReplyClient:
    # created once per app and kept on its state, so tests pointing at a fake server get their own
    client: LineReplyClient | None = getattr(request.app.state, "line_reply_client", None)
    if client is None:
        client = request.app.state.line_reply_client = LineReplyClient(services.settings.line_api_base)
    return client


@router.post("/bots/{bot_id}/webhooks/line", summary="LINE Messaging API webhook")
async def line_webhook(
    bot_id: str, request: Request, background: BackgroundTasks, services: ResidentServicesDep
) -> dict[str, bool]:
    known = services.runtime.current.bot_ids()
    if bot_id not in known:
        raise unknown_bot(bot_id, known)
    channel = services.settings.line_channels.get(bot_id) or {}
    secret, token = channel.get("secret"), channel.get("token")
    if not secret or not token:
        raise AppError(
            401,
            "line_not_configured",
            "このボットには LINE チャネルが設定されていません。",
            "This bot has no LINE channel configured (MADOGUCHI_LINE_CHANNELS).",
        )
    body = await request.body()
    if not signature_ok(secret, body, request.headers.get("x-line-signature")):
        raise AppError(
            401,
            "invalid_signature",
            "LINE の署名（X-Line-Signature）がないか、正しくありません。",
            "The X-Line-Signature header is missing or does not match the request body.",
        )
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        raise AppError(
            400,
            "invalid_json",
            "LINE の Webhook として読めない本文です。",
            "The body is not a LINE webhook (a JSON object with an events list).",
        )
    if events:  # an empty list is LINE's "Verify" button: answering 200 is all it wants
        background.add_task(handle_events, services, _reply_client(request, services), bot_id, token, events)
    return {"ok": True}
