"""Render a response: pick a variant, fill its {placeholders}, and refuse to state expired facts."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..pack.model import Button, Pack, Response
from .texts import TEXTS


class _Values(dict[str, Any]):
    def __missing__(self, key: str) -> str:  # a value the validator allowed but this turn lacks
        return ""


def fill(template: str, values: Mapping[str, Any]) -> str:
    return template.format_map(_Values(values))


def engine_text(name: str, language: str, values: Mapping[str, Any], pack: Pack | None = None) -> str:
    """An engine text, or the pack's own response of the same name when it has one."""
    if pack is not None and name in pack.responses:
        return fill(pack.responses[name].for_language(language)[0].text, values)
    texts = TEXTS[name]
    return fill(texts.get(language, texts["ja"]), values)


def choose(response: Response, language: str, seed: str) -> tuple[str, tuple[Button, ...]]:
    """One variant, chosen by a seeded draw so a conversation replays identically."""
    variants = response.for_language(language)
    variant = variants[0] if len(variants) == 1 else random.Random(seed).choice(variants)
    return variant.text, variant.buttons


def is_expired(response: Response, today: date) -> bool:
    return response.valid_until is not None and today > response.valid_until


def contact_values(pack: Pack, language: str) -> dict[str, str]:
    contact = pack.bot.contact
    return {
        "bot_name": pack.bot.name.get(language, pack.bot.name["ja"]),
        "contact_name": contact.name.get(language, contact.name["ja"]),
        "contact_phone": contact.phone,
        "contact_hours": contact.hours.replace("-", "–"),
    }


def topics(pack: Pack, language: str, limit: int = 6) -> str:
    """A bullet list of what the bot answers: the first example (the title) of its intents."""
    titles = [intent.examples[0].text for intent in pack.intents.values() if intent.examples][:limit]
    return "\n".join(f"・{title}" for title in titles)
