"""A conversation's state: an explicit state machine plus the slots and form progress.

The state is plain data (``to_dict`` / ``from_dict``) so the chat service can store it anywhere;
the dialogue engine takes a state and a message and returns the next state.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    IDLE = "idle"
    IN_FORM = "in_form"
    AWAITING_CLARIFICATION = "awaiting_clarification"
    HANDED_OFF = "handed_off"


# Which status may follow which. In a form an unclear message re-asks the form's question, so a
# form never goes to clarification; a second unclear message while clarifying hands off.
LEGAL_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.IDLE: frozenset({Status.IDLE, Status.IN_FORM, Status.AWAITING_CLARIFICATION, Status.HANDED_OFF}),
    Status.IN_FORM: frozenset({Status.IN_FORM, Status.IDLE, Status.HANDED_OFF}),
    Status.AWAITING_CLARIFICATION: frozenset({Status.IDLE, Status.IN_FORM, Status.HANDED_OFF}),
    Status.HANDED_OFF: frozenset(
        {Status.IDLE, Status.IN_FORM, Status.AWAITING_CLARIFICATION, Status.HANDED_OFF}
    ),
}


class IllegalTransition(Exception):
    """A status change the state machine does not allow (a bug in the caller, not in the input)."""


@dataclass(frozen=True)
class DialogueState:
    """Everything the engine needs to continue a conversation.

    ``bot`` is the bot the resident opened; ``active_bot`` the one that answered last (another bot
    when the front door routed the question). ``candidates`` are the intents offered by a
    「もしかして」 question, as ``bot/intent``.
    """

    session_id: str
    bot: str
    status: Status = Status.IDLE
    active_bot: str | None = None
    language: str = "ja"
    form: str | None = None
    form_bot: str | None = None
    requested_slot: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    candidates: tuple[str, ...] = ()
    fallbacks_in_a_row: int = 0
    turns: int = 0
    handed_off: bool = False
    last_active: str | None = None  # ISO 8601 with offset
    # A form answered a few turns ago, and its values: a message that corrects one of them
    # (「あ、書面をもらったのは先週の水曜日でした」) recomputes with the others kept.
    recent_form: str | None = None
    recent_form_bot: str | None = None
    recent_slots: dict[str, Any] = field(default_factory=dict)
    recent_turn: int = 0

    def transition(self, to: Status, **changes: Any) -> DialogueState:
        """Move to ``to``; raises :class:`IllegalTransition` when the machine forbids it."""
        if to not in LEGAL_TRANSITIONS[self.status]:
            raise IllegalTransition(
                f"expected one of {sorted(LEGAL_TRANSITIONS[self.status])} after {self.status}, got {to}"
            )
        return replace(self, status=to, **changes)

    def update(self, **changes: Any) -> DialogueState:
        return replace(self, **changes)

    def idle_for(self, now: datetime) -> float | None:
        """Seconds since the last message, or None for a new session."""
        if self.last_active is None:
            return None
        return (now - datetime.fromisoformat(self.last_active)).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        # field by field: dataclasses.asdict deep-copies every value, which cost more than the
        # rest of storing a turn; only the slots are mutable (and copied)
        data = {name: getattr(self, name) for name in _FIELDS}
        data["status"] = str(self.status)
        data["candidates"] = list(self.candidates)
        data["slots"] = copy.deepcopy(self.slots) if self.slots else {}
        data["recent_slots"] = dict(self.recent_slots)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DialogueState:
        values = dict(data)
        values["status"] = Status(values.get("status", Status.IDLE))
        values["candidates"] = tuple(values.get("candidates", ()))
        return cls(**values)


_FIELDS = tuple(f.name for f in fields(DialogueState))
