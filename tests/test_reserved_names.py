"""The names the engine reserves (shared_nlu/constants.py) agree with what each layer does with them."""

from __future__ import annotations

import re
from pathlib import Path

from shared_nlu.constants import (
    BUTTON_PAYLOAD,
    ENGINE_TEXT_RESPONSES,
    HANDOFF_INTENT,
    OPEN_BOT_INTENT,
    RESPONSE_PREFIX,
    intent_payload,
)
from shared_nlu.dialogue.pointing import open_bot_payload, open_bot_target
from shared_nlu.dialogue.texts import TEXTS

ROOT = Path(__file__).resolve().parents[1]


def test_should_name_every_engine_text_in_the_constants() -> None:
    # the validator reads ENGINE_TEXT_RESPONSES (a pack may override these), the engine says TEXTS
    assert set(TEXTS) == ENGINE_TEXT_RESPONSES
    assert all(name.startswith(RESPONSE_PREFIX) for name in ENGINE_TEXT_RESPONSES)


def test_should_read_back_every_payload_the_engine_makes() -> None:
    plain = BUTTON_PAYLOAD.match(intent_payload(HANDOFF_INTENT))
    assert plain is not None and plain["intent"] == HANDOFF_INTENT and plain["slots"] is None
    pointer = BUTTON_PAYLOAD.match(open_bot_payload("tax"))
    assert pointer is not None and pointer["intent"] == OPEN_BOT_INTENT
    assert open_bot_target({"bot": "tax"}) == "tax"
    assert BUTTON_PAYLOAD.match("/Handoff") is None and BUTTON_PAYLOAD.match("handoff_human") is None


def test_should_switch_bots_in_the_widget_on_the_engine_s_pointer_payload() -> None:
    # the widget is plain JavaScript served to any site: it cannot import the name, so it is checked
    widget = (ROOT / "chat_platform" / "static" / "madoguchi-widget.js").read_text(encoding="utf-8")
    pattern = re.search(r"/\^\\/(\w+)\(", widget)
    assert pattern is not None and pattern[1] == OPEN_BOT_INTENT
