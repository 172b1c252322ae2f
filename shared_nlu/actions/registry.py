"""Named Python actions that packs may call from rules and forms (``action_…``).

An action declares which responses it may send and which template values it fills, so the pack
validator can check a pack that uses it without running it.
"""

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


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str
    run: Callable[[ActionContext], ActionOutcome]
    responses: frozenset[str]  # responses the action may send; packs using it must define them
    provides: frozenset[str]  # values it fills into those responses' {placeholders}


Runner = Callable[[ActionContext], ActionOutcome]
_REGISTRY: dict[str, ActionInfo] = {}


def register(name: str, *, responses: set[str], provides: set[str]) -> Callable[[Runner], Runner]:
    """Register ``run`` under ``name``; names must start with ``action_`` as in Rasa."""
    if not name.startswith("action_"):
        raise ValueError(f"action names start with 'action_', got {name!r}")

    def decorate(run: Runner) -> Runner:
        if name in _REGISTRY:
            raise ValueError(f"action {name!r} is registered twice")
        _REGISTRY[name] = ActionInfo(name, run, frozenset(responses), frozenset(provides))
        return run

    return decorate


@dataclass(frozen=True, slots=True)
class ChoiceReading:
    """What a choice reader made of a message: ``value`` (one of the slot's choices), or
    ``candidates`` when the words fit several choices (asked with buttons), or neither when the
    message names none. ``cue`` is the words it went by (shown when asking which)."""

    value: str | None = None
    candidates: tuple[str, ...] = ()
    cue: str = ""


ChoiceReader = Callable[[str], ChoiceReading]
_READERS: dict[str, ChoiceReader] = {}


def register_choice_reader(entity: str, reader: ChoiceReader) -> None:
    """Let ``reader`` read the choice slots filled by ``entity`` from everyday words (Python knows
    the domain's definitions; the pack's lookups and synonyms still apply when it finds nothing)."""
    if entity in _READERS:
        raise ValueError(f"a choice reader for {entity!r} is registered twice")
    _READERS[entity] = reader


def choice_readers() -> dict[str, ChoiceReader]:
    """Every registered choice reader by entity name, after importing the modules that define them."""
    from . import builtin  # noqa: F401  (importing registers the readers)

    return dict(_READERS)


def registered_actions() -> dict[str, ActionInfo]:
    """Every registered action, after importing the modules that define them."""
    from . import builtin  # noqa: F401  (importing registers the actions)

    return dict(_REGISTRY)
