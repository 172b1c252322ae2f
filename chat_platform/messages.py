"""What goes into the chat service (a checked resident message) and what comes out (the replies)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared_nlu.dialogue.messages import BotMessage
from shared_nlu.pack.model import FALLBACK_INTENT

# answers that are not answers to the question (so residents are not asked to rate them)
NOT_RATEABLE = {
    "utter_routed",
    "utter_clarify",
    "utter_nlu_fallback",
    "utter_offer_handoff",
    "utter_form_cancelled",
}


@dataclass(frozen=True)
class Incoming:
    """A resident message that passed the checks (``ChatService.prepare``), waiting to be handled."""

    bot_id: str
    text: str
    channel: str
    session_id: str | None  # the widget names its session …
    sender: str | None  # … Rasa REST and LINE name the resident
    key: str | None  # idempotency key: a retry with it is answered from storage
    address: str | None  # client address, for its rate limit
    simulated: bool
    now: datetime  # when it arrived (the simulator replays the past)


@dataclass(frozen=True)
class NewSession:
    """A resident opening a conversation with a bot (``ChatService.prepare_start``)."""

    bot_id: str
    channel: str
    language: str
    simulated: bool
    now: datetime
    address: str | None = None  # client address, for its limit on conversations started


@dataclass(frozen=True)
class OutgoingMessage:
    id: str
    text: str
    buttons: list[dict[str, str]]
    bot: str
    bot_name: str
    response: str
    rateable: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "text": self.text, "buttons": self.buttons, "bot": self.bot,
            "bot_name": self.bot_name, "response": self.response, "rateable": self.rateable,
        }  # fmt: skip


@dataclass(frozen=True)
class Reply:
    session_id: str
    messages: list[OutgoingMessage]
    status: str
    language: str = "ja"
    replayed: bool = False  # a retry with a known idempotency key: the stored answer, nothing new


def hash_sender(channel: str, sender: str) -> str:
    return hashlib.sha256(f"madoguchi:{channel}:{sender}".encode()).hexdigest()


def is_rateable(message: BotMessage) -> bool:
    return (
        message.intent not in (None, FALLBACK_INTENT, "handoff_human")
        and message.response not in NOT_RATEABLE
        and not message.response.startswith("utter_ask_")
        and not message.response.startswith("utter_handoff")
    )
