"""Which stored incoming messages are questions a resident typed, and so belong in the unanswered report.

A button click arrives as its payload, the way Rasa writes it: ``/intent``, ``/intent{"slot": "value"}``
or ``/intent@0.9{…}``. It is not a question (nothing to learn from it: the button's intent is known),
so it is left out, like empty messages and messages that were nothing but personal data, which the
privacy masking has replaced with ［…］ placeholders (only the placeholders were stored: nothing to read).
"""

from __future__ import annotations

import re

# Rasa's intent message: "/" + an intent name, an optional "@confidence", optional JSON entities
BUTTON_PAYLOAD = re.compile(r"^/[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:@[0-9.]+)?(?:\{.*\})?$", re.DOTALL)
# a masking placeholder such as ［電話番号］ (full-width brackets: residents' text rarely has them)
_PLACEHOLDER = re.compile(r"［[^［］]{1,20}］")
# what is left of a masked message that says nothing: spaces and punctuation (「［電話番号］です。」 does say something)
_NOTHING = re.compile(r"^[\s\W_]*$")


def is_button_payload(text: str) -> bool:
    return BUTTON_PAYLOAD.match(text.strip()) is not None


def is_question(text: str | None) -> bool:
    """False for a button payload, an empty message and one made only of masked personal data."""
    if text is None or not text.strip() or is_button_payload(text):
        return False
    unmasked = _PLACEHOLDER.sub("", text)
    return unmasked == text or _NOTHING.match(unmasked) is None
