"""What goes into the chat service (a checked resident message) and what comes out (the replies)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared_nlu.constants import FALLBACK_RESPONSE


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
class NewConversation:
    """A resident opening a conversation with a bot (``ChatService.prepare_start``)."""

    bot_id: str
    channel: str
    language: str
    simulated: bool
    now: datetime
    address: str | None = None  # client address, for its limit on conversations started


@dataclass(frozen=True)
class Refused:
    """A resident request refused by the checks (bad JSON, a bad id, control characters …). It
    still counts against its rate limits, in the batch of whatever else arrived meanwhile, so a
    client that sends nothing but bad requests is limited like any other: it gets ``error``, or
    429 once over a limit. It is never stored and never touches the others' transaction."""

    error: Exception  # what to answer when not over a limit (an AppError or a RequestValidationError)
    channel: str
    address: str | None
    session_id: str | None = None  # when the body could be read that far
    sender: str | None = None


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
            "id": self.id,
            "text": self.text,
            "buttons": self.buttons,
            "bot": self.bot,
            "bot_name": self.bot_name,
            "response": self.response,
            "rateable": self.rateable,
        }


@dataclass(frozen=True)
class Reply:
    session_id: str
    messages: list[OutgoingMessage]
    status: str
    language: str = "ja"
    replayed: bool = False  # a retry with a known idempotency key: the stored answer, nothing new

    @property
    def fell_back(self) -> bool:
        """The bot could not answer (its "I cannot answer that here"), as the metrics count it."""
        return any(m.response == FALLBACK_RESPONSE for m in self.messages)


def hash_sender(channel: str, sender: str) -> str:
    # surrogatepass: a hash for any str (ids are checked before they get here, but a counter key
    # made of one must never fail the batch it is counted in)
    return hashlib.sha256(f"madoguchi:{channel}:{sender}".encode("utf-8", "surrogatepass")).hexdigest()
