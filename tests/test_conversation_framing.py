"""The common pack's conversation intents (greet, thanks, bot_capabilities …) do not take a domain
question that only borrows their framing words, and still answer conversation.

The set ``tests/data/conversation_framing.tsv`` was written apart from the packs and was not used to
choose the rule (``edge.EdgeDecision.yield_conversation``); before the rule, 3 of its 20 domain
questions were answered by a conversation intent.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shared_nlu.constants import COMMON_BOT
from shared_nlu.nlu import NluEngine
from shared_nlu.text.sentences import asks

TODAY = date(2026, 12, 7)
DOMAIN = "domain"  # the expected column of a domain question: any answer of the widget's own bot


def _rows() -> list[tuple[str, str, str]]:
    path = Path(__file__).resolve().parent / "data" / "conversation_framing.tsv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            widget, expected, text = line.split("\t")
            rows.append((widget, expected, text))
    return rows


ROWS = _rows()


def test_the_set_has_both_kinds() -> None:
    assert sum(expected == DOMAIN for _, expected, _ in ROWS) >= 20
    assert sum(expected.startswith(f"{COMMON_BOT}/") for _, expected, _ in ROWS) >= 10


@pytest.mark.parametrize(
    ("widget", "text"), [(w, t) for w, e, t in ROWS if e == DOMAIN], ids=lambda v: str(v)[:24]
)
def test_a_domain_question_in_conversational_framing_is_ranked_for_the_domain(
    real_nlu: NluEngine, widget: str, text: str
) -> None:
    result = real_nlu.parse(text, bot=widget, today=TODAY)
    assert result.ranking and result.ranking[0].bot == widget, result
    assert result.bot != COMMON_BOT, result


@pytest.mark.parametrize(
    ("widget", "expected", "text"),
    [row for row in ROWS if row[1].startswith(f"{COMMON_BOT}/")],
    ids=lambda v: str(v)[:24],
)
def test_conversation_is_still_answered_by_a_conversation_intent(
    real_nlu: NluEngine, widget: str, expected: str, text: str
) -> None:
    # which of greet / thanks / goodbye is the classifier's business; this rule only must not
    # take the message away from the common pack
    result = real_nlu.parse(text, bot=widget, today=TODAY)
    assert result.bot == COMMON_BOT, (expected, result)


@pytest.mark.parametrize("text", ["何ができるの？", "このチャットでは何が聞けますか", "What can you do?"])
def test_asking_what_the_bot_does_names_nothing_and_keeps_its_answer(real_nlu: NluEngine, text: str) -> None:
    result = real_nlu.parse(text, bot="tax", today=TODAY)
    assert (result.bot, result.intent) == (COMMON_BOT, "bot_capabilities")


def test_words_no_domain_intent_knows_leave_the_conversation_intent_in_place(real_nlu: NluEngine) -> None:
    # the tax bot knows nothing of 介護サービス: no tax answer fits better than "here is what I do"
    result = real_nlu.parse("介護サービスを使いたいけど、何ができるのかわかりません", bot="tax", today=TODAY)
    assert (result.bot, result.intent) == (COMMON_BOT, "bot_capabilities")


def test_thanks_that_names_the_topic_but_asks_nothing_stays_thanks(real_nlu: NluEngine) -> None:
    text = "自動車税のこと、ようわかりました。おおきに"
    assert not asks(text)
    result = real_nlu.parse(text, bot="tax", today=TODAY)
    assert (result.bot, result.intent) == (COMMON_BOT, "thanks")


def test_a_question_with_a_greeting_is_read_for_its_topic(real_nlu: NluEngine) -> None:
    result = real_nlu.parse("こんにちは、自動車税について教えて", bot="tax", today=TODAY)
    assert result.ranking[0].bot == "tax"
    assert result.intent != "greet"


@pytest.mark.parametrize(
    ("text", "asking"),
    [
        ("自動車税はいつまで？", True),
        ("教えてください", True),
        ("ありがとう、よくわかった", False),
        ("はい", False),
    ],
)
def test_asks_tells_a_question_or_request_from_a_remark(text: str, asking: bool) -> None:
    assert asks(text) is asking
