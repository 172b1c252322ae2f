"""What the bot sends: messages with buttons, and the events the service stores for reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..pack.model import Button


@dataclass(frozen=True, slots=True)
class BotMessage:
    """One message to the resident. ``response`` names the response or engine text it came from
    (``utter_…``), ``bot`` the bot whose pack answered and ``intent`` what was understood."""

    text: str
    response: str
    bot: str
    buttons: tuple[Button, ...] = ()
    intent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
            "response": self.response,
            "bot": self.bot,
            "intent": self.intent,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in a turn: ``user``, ``bot``, ``slot``, ``form_started``,
    ``form_completed``, ``form_cancelled``, ``clarification``, ``fallback``, ``handoff``,
    ``routed``, ``session_expired``, ``rating``, ``safety`` (a safety answer given first)."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}
