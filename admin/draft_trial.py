"""Try a pack version before it goes live: what that version would answer, stored nowhere.

A draft is trained together with every other bot's *active* pack (one model routes across all
bots, so a draft can only be judged beside them). Training takes a few seconds, so the last few
generations tried are kept in memory; the model cache on disk (``MADOGUCHI_MODEL_DIR``, keyed by
the packs' digest) makes a draft tried again after a restart load instead of train.

The conversation's state travels with the caller as an opaque token (base64 JSON of the dialogue
state): nothing about a trial is written to the database, so trials never show up as resident
traffic in the usage, quality or cost reports.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import uuid
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import AppError
from core.pack_versions import Sources
from core.runtime import BotRuntime, Bots
from shared_nlu.dialogue.state import DialogueState
from shared_nlu.pack import PackError

KEEP_GENERATIONS = 3  # a few drafts being tried at once; each trained generation holds ~100 MB
MAX_SESSION_TOKEN_CHARS = 20_000

_lock = threading.Lock()  # one training at a time: two editors trying drafts must not double the memory
_generations: OrderedDict[str, Bots] = OrderedDict()


def trained(sources: Sources, key: str, model_dir: Path | None) -> Bots:
    """The bots built from ``sources`` (all active packs with one bot's version in place), trained
    once per ``key`` and kept among the last :data:`KEEP_GENERATIONS`. 422 ``pack_invalid`` when
    the version does not validate beside the other packs as they are now."""
    with _lock:
        bots = _generations.get(key)
        if bots is not None:
            _generations.move_to_end(key)
            return bots
        try:
            bots = BotRuntime(model_dir).build(sources, key)
        except PackError as exc:
            from .pack_publishing import PackInvalid

            raise PackInvalid(list(exc.diagnostics)) from exc
        _generations[key] = bots
        while len(_generations) > KEEP_GENERATIONS:
            _generations.popitem(last=False)
        return bots


def try_message(
    bots: Bots, bot_id: str, text: str, token: str | None, now: datetime | None = None
) -> dict[str, Any]:
    """One message to ``bot_id`` in the trial conversation ``token`` (None starts one).

    Returns the messages the version would send, what was understood (intent, confidence, whether
    it fell back and why) and the token that continues the conversation.
    """
    now = now or datetime.now(UTC)
    messages: list[dict[str, Any]] = []
    if token is None:
        state = bots.dialogue.new_session(f"trial-{uuid.uuid4().hex[:12]}", bot_id)
        messages.append(bots.dialogue.welcome(bot_id, state.language).to_dict())
    else:
        state = _state_from_token(token, bot_id)
    turn = bots.dialogue.handle(state, text, now)
    messages.extend(message.to_dict() for message in turn.messages)
    parse = turn.parse
    return {
        "messages": messages,
        "intent": parse.intent if parse else None,
        "confidence": round(parse.confidence, 4) if parse else None,
        "bot": parse.bot if parse else None,
        "fallback": bool(parse and parse.is_fallback),
        "fallback_reason": parse.fallback_reason if parse else None,
        "session": _token(turn.state),
    }


def _token(state: DialogueState) -> str:
    raw = json.dumps(state.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _state_from_token(token: str, bot_id: str) -> DialogueState:
    try:
        if len(token) > MAX_SESSION_TOKEN_CHARS:
            raise ValueError("too long")
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        state = DialogueState.from_dict(data)
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError) as exc:
        raise AppError(
            422,
            "bad_session",
            "session が読めません。session を付けずに送ると新しい会話で試せます。",
            "The session token cannot be read; leave it out to start a new trial conversation.",
        ) from exc
    if state.bot != bot_id:
        raise AppError(
            422,
            "bad_session",
            "この session は別のボットの会話です。session を付けずに送ってください。",
            "This session belongs to another bot; leave it out to start a new trial conversation.",
        )
    return state
