"""What the bot sends: messages with buttons, and the events the service stores for reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..constants import (
    ASK_RESPONSE_PREFIX,
    CLARIFY_RESPONSE,
    FALLBACK_INTENT,
    FALLBACK_RESPONSE,
    FORM_CANCELLED_RESPONSE,
    HANDOFF_INTENT,
    HANDOFF_RESPONSE_PREFIX,
    OFFER_HANDOFF_RESPONSE,
    ROUTED_RESPONSE,
)
from ..pack.model import Button

# The engine's words around an answer, which answer nothing themselves: who answers, "did you
# mean …?", "I cannot answer that", "sorry I could not help", "cancelled".
_NOT_ANSWERS = frozenset(
    {ROUTED_RESPONSE, CLARIFY_RESPONSE, FALLBACK_RESPONSE, OFFER_HANDOFF_RESPONSE, FORM_CANCELLED_RESPONSE}
)


def is_rateable(intent: str | None, response: str) -> bool:
    """Whether the resident is asked "was this helpful?" about a message that understood ``intent``
    and said ``response``: only an answer to their question, not the engine's words around it, a
    form's question or whom to call. Decided from the two alone, so the chat service can decide it
    again for an answer it stored (a retried message is answered from storage)."""
    return (
        intent not in (None, FALLBACK_INTENT, HANDOFF_INTENT)
        and response not in _NOT_ANSWERS
        and not response.startswith(ASK_RESPONSE_PREFIX)
        and not response.startswith(HANDOFF_RESPONSE_PREFIX)
    )


@dataclass(frozen=True, slots=True)
class BotMessage:
    """One message to the resident. ``response`` names the response or engine text it came from
    (``utter_…``), ``bot`` the bot whose pack answered and ``intent`` what was understood."""

    text: str
    response: str
    bot: str
    buttons: tuple[Button, ...] = ()
    intent: str | None = None

    @property
    def rateable(self) -> bool:
        """Whether the resident may rate this message as helpful or not (see :func:`is_rateable`)."""
        return is_rateable(self.intent, self.response)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
            "response": self.response,
            "bot": self.bot,
            "intent": self.intent,
        }


@dataclass(frozen=True, slots=True)
class DialogueEvent:
    """Something that happened in a turn: ``user``, ``bot``, ``slot``, ``form_started``,
    ``form_completed``, ``form_cancelled``, ``clarification``, ``fallback``, ``handoff``,
    ``routed``, ``session_expired``, ``rating``, ``safety`` (a safety answer given first)."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}
