"""Which form values a message carries, and whether it is a form answer or another question.

Residents give values in any order and at any time: the type and the date in the first message
(「訪問販売で3日前に契約書をもらった」), the date while the type is asked, or a correction after the
answer (「あ、書面をもらったのは先週の水曜日でした」). These helpers read every slot of a form from
one message, so the engine can fill what is there and ask only for what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ..actions.model import ChoiceReader
from ..constants import DENY_INTENT, INFORM_INTENT
from ..nlu.result import ParseResult
from ..pack.model import Form
from .slots import SlotValue, extract_slot

# A question, not a statement: 「…って何番？」「…教えて」 "how do I …?"
_QUESTION = re.compile(
    r"[?？]|(?:ですか|ますか|でしょうか|かな|かね|やろか|ますの)[。.]?$|教えて|おしえて|どう|どこ|なに|何|いつ|なんぼ|"
    r"\b(?:what|how|where|when|who|which|can i|could|is it|do i)\b",
    re.IGNORECASE,
)
# 「いや」「あ、」「ちゃう」「やった」: the resident is correcting what they said
_CORRECTION = re.compile(
    r"^(?:いや|あ[、,っ]|あっ|ちゃう|ちがう|違う|ごめん|すみません|訂正|間違)|じゃなく|ではなく|やなく|"
    r"(?:やった|でした|だった|やってん|やったわ)[。!！]?$|\b(?:actually|sorry|i mean|wait|no,)",
    re.IGNORECASE,
)
# Asking where or whom to turn to: a new question even when the model cannot place it
_ASKS_ELSEWHERE = re.compile(
    r"どこ|だれ|誰|何番|なんばん|連絡先|相談先|窓口|電話番号|\b(?:where|who|which number|phone number)\b",
    re.IGNORECASE,
)
# Small talk: a date or a type alongside it is the message's point ("yesterday" is not "yes")
SMALL_TALK = frozenset({"affirm", DENY_INTENT, "greet", "thanks", "goodbye"})


def values_in_message(
    form: Form,
    text: str,
    parse: ParseResult,
    today: date,
    prepare: Callable[[str], str],
    readers: Mapping[str, ChoiceReader],
    given: Mapping[str, Any],
    requested: str | None = None,
) -> dict[str, SlotValue]:
    """What ``text`` (or a button's ``given`` values) says for each slot of ``form``.

    Choices and dates are read for every slot; free text and numbers only for the ``requested``
    one, since any message is some text and many carry a number. A slot the message says
    nothing about is left out, except the requested one, whose problem (「日付として読み取れません」)
    or ``unknown`` is then reported.
    """
    found: dict[str, SlotValue] = {}
    for slot in form.slots:
        if given and slot.name not in given:
            continue  # a button sends exactly the values it names
        if slot.name != requested and slot.kind not in ("choice", "date"):
            continue
        reader = readers.get(slot.entity or slot.name)
        value = extract_slot(
            slot,
            text,
            parse.entities,
            today,
            prepare,
            given.get(slot.name),
            reader,
            asked=slot.name == requested,
        )
        if value.found or slot.name == requested or slot.name in given:
            found[slot.name] = value
    return found


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text.strip()))


def is_other_question(parse: ParseResult, triggers: frozenset[str]) -> bool:
    """A clear question about something else: answered as such, even if it names a form value
    (「電話勧誘の相談窓口はどこ？」 asks for the hotline, it does not correct the type)."""
    if parse.is_fallback or parse.ambiguous or parse.intent in triggers or parse.intent == INFORM_INTENT:
        return False
    return is_question(parse.text)


def asks_elsewhere(text: str) -> bool:
    """A question about where or whom to turn to (「どこに電話したらいい？」), not a form answer."""
    return bool(_ASKS_ELSEWHERE.search(text)) and is_question(text)


def says_correction(text: str) -> bool:
    """「いや」「ちゃう」「…でした」 "actually": the message corrects something said before."""
    return bool(_CORRECTION.search(text.strip()))


def is_correction(
    parse: ParseResult, triggers: frozenset[str], values: Mapping[str, SlotValue], kept: Mapping[str, Any]
) -> bool:
    """Whether a message after a form's answer changes its values rather than asking something new.

    It must carry a value that differs from the ``kept`` ones. Form answers, the form's own
    intents, small talk and unclear messages (unless they ask where to turn) that do so are
    corrections; a message another intent claims is one only when it says it corrects
    (「いや、家に業者が来たんです」) and is not a question.
    """
    if not any(v.candidates or (v.value is not None and kept.get(n) != v.value) for n, v in values.items()):
        return False
    if is_other_question(parse, triggers):
        return False
    if parse.intent in triggers or parse.intent == INFORM_INTENT:
        # read as a form answer, yet asking where to turn (「電話勧誘の相談はどこに電話したらいい？」):
        # a new question, unless it says it corrects
        return not asks_elsewhere(parse.text) or says_correction(parse.text)
    if parse.is_fallback or parse.ambiguous:
        return not _ASKS_ELSEWHERE.search(parse.text)
    return parse.intent in SMALL_TALK or says_correction(parse.text)
