"""Sending a resident to the bot that can answer, and saying whom to call when none can.

A pointer names the other bot, gives a button that opens a conversation with it (the widget
switches to that bot; the payload is ``/open_bot{"bot": "<id>"}``) and its contact. The contact of
a domain is the pack's own ``utter_domain_contact`` response when it has one (the consumer centre:
188 and its own line, facts from the catalog), else the bot's hand-off contact from ``bot.yml``.
"""

from __future__ import annotations

import json
import re

from ..constants import (
    DOMAIN_CONTACT_RESPONSE,
    OPEN_BOT_BUTTON_RESPONSE,
    OPEN_BOT_INTENT,
    OPEN_BOT_RESPONSE,
    OTHER_BOT_RESPONSE,
    intent_payload,
)
from ..pack.model import Button, Pack
from .render import contact_values, engine_text

_BOT_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def domain_contact(pack: Pack, language: str) -> str:
    """Whom to call about this bot's domain, as a phrase to put after 「…へどうぞ」."""
    return engine_text(DOMAIN_CONTACT_RESPONSE, language, contact_values(pack, language), pack).strip()


def open_bot_payload(bot: str) -> str:
    return f"{intent_payload(OPEN_BOT_INTENT)}{json.dumps({'bot': bot})}"


def open_bot_target(given: dict[str, object]) -> str | None:
    """The bot id in an ``/open_bot{"bot": …}`` payload's values, if well-formed."""
    bot = given.get("bot")
    return bot if isinstance(bot, str) and _BOT_ID.match(bot) else None


def _values(other: Pack, language: str) -> dict[str, str]:
    return {
        "other_bot_name": other.bot.name.get(language, other.bot.name["ja"]),
        "other_contact": domain_contact(other, language),
    }


def other_bot_text(other: Pack, language: str, entry: Pack) -> tuple[str, Button]:
    """The pointer's text (the entry pack may override ``utter_other_bot``) and its button."""
    values = _values(other, language)
    button = Button(engine_text(OPEN_BOT_BUTTON_RESPONSE, language, values), open_bot_payload(other.id))
    return engine_text(OTHER_BOT_RESPONSE, language, values, entry), button


def open_bot_text(other: Pack, language: str) -> str:
    """What a channel without a widget (LINE, Rasa REST) says when that button comes back as text."""
    return engine_text(OPEN_BOT_RESPONSE, language, _values(other, language))
