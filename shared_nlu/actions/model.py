"""What a Python action and a choice reader are: what they read, and what they return."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class ActionContext:
    """What an action may read: the conversation's slots, the reply language and today's date."""

    bot: str
    slots: Mapping[str, Any]
    language: str
    today: date


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """What an action decided: the response to send and the values for its {placeholders}."""

    response: str
    values: dict[str, str] = field(default_factory=dict)


Runner = Callable[[ActionContext], ActionOutcome]


@dataclass(frozen=True, slots=True)
class ChoiceReading:
    """What a choice reader made of a message: ``value`` (one of the slot's choices), or
    ``candidates`` when the words fit several choices (asked with buttons), or neither when the
    message names none. ``cue`` is the words it went by (shown when asking which)."""

    value: str | None = None
    candidates: tuple[str, ...] = ()
    cue: str = ""


# Reads the choice slots an entity fills from everyday words (Python knows the domain's
# definitions; the pack's lookups and synonyms still apply when it finds nothing).
ChoiceReader = Callable[[str], ChoiceReading]
