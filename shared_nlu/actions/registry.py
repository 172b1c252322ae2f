"""Named Python actions that packs may call from rules and forms (``action_…``).

An action declares which responses it may send and which template values it fills, so the pack
validator can check a pack that uses it without running it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str
    run: Callable[..., Any]
    responses: frozenset[str]  # responses the action may send; packs using it must define them
    provides: frozenset[str]  # values it fills into those responses' {placeholders}


_REGISTRY: dict[str, ActionInfo] = {}


def register(
    name: str, *, responses: set[str], provides: set[str]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``run`` under ``name``; names must start with ``action_`` as in Rasa."""
    if not name.startswith("action_"):
        raise ValueError(f"action names start with 'action_', got {name!r}")

    def decorate(run: Callable[..., Any]) -> Callable[..., Any]:
        if name in _REGISTRY:
            raise ValueError(f"action {name!r} is registered twice")
        _REGISTRY[name] = ActionInfo(name, run, frozenset(responses), frozenset(provides))
        return run

    return decorate


def registered_actions() -> dict[str, ActionInfo]:
    """Every registered action, after importing the modules that define them."""
    from . import builtin  # noqa: F401  (importing registers the actions)

    return dict(_REGISTRY)
