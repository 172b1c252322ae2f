"""The unanswered report's suggestions, measured on a labelled set, and which messages count as questions.

tests/data/unanswered_suggestions.txt holds unanswered-looking questions for every bot, each with the
intent that should be suggested or "-" when none should (out of scope, or a gap inside the bot's own
domain). A suggestion is wrong when it is given and is not the expected intent of that bot.

Measured with the shipped packs (December 2026), 76 questions (41 expect no suggestion):
before (the top of the ranking, always) 41 wrong (54 %); after (admin/reports/suggestion.py) 16
wrong (21 %), and none of the 35 expected suggestions is lost. The 16 left are mostly questions the
engine answers confidently though no intent covers them (「インフルエンザのワクチンはどこで打てる？」 →
vaccination at 100 %): no bar can tell those apart; marking them "not covered" (a near miss) is
the remedy the report offers for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from admin.reports.questions import is_button_payload, is_question
from admin.reports.suggestion import SUGGESTION_BAR, plausible_intent
from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.result import RankedIntent

DATA = Path(__file__).parent / "data" / "unanswered_suggestions.txt"
NONE = "-"


def labelled() -> list[tuple[str, str, str]]:
    """(bot, expected intent or "-", question)."""
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            bot, expected, question = line.split("\t")
            rows.append((bot, expected, question))
    return rows


def is_wrong(suggestion: RankedIntent | None, bot: str, expected: str) -> bool:
    return suggestion is not None and (
        expected == NONE or (suggestion.bot, suggestion.name) != (bot, expected)
    )


def test_labelled_set_covers_every_bot_both_ways(real_nlu: NluEngine) -> None:
    rows = labelled()
    bots = {bot for bot in real_nlu.packs.packs if bot != "common"}
    assert {bot for bot, expected, _ in rows if expected == NONE} == bots
    assert {bot for bot, expected, _ in rows if expected != NONE} == bots
    for bot, expected, _ in rows:  # every expected intent exists in its bot (the file is not stale)
        assert expected == NONE or expected in real_nlu.packs.packs[bot].intents, (bot, expected)


def test_should_suggest_wrong_intents_far_less_often_than_the_top_of_the_ranking(real_nlu: NluEngine) -> None:
    rows = labelled()
    before = after = lost = 0
    for bot, expected, question in rows:
        result = real_nlu.parse(question, bot=bot)
        before += is_wrong(result.ranking[0] if result.ranking else None, bot, expected)
        suggestion = plausible_intent(result)
        after += is_wrong(suggestion, bot, expected)
        lost += expected != NONE and suggestion is None
    expecting = sum(expected != NONE for _, expected, _ in rows)
    # measured: 41 → 16 of 76 wrong, 0 of 35 lost (see the module's doc)
    assert before / len(rows) >= 0.45, before  # the set does test the failure
    assert after / len(rows) <= 0.25, (before, after)
    assert after <= before / 2, (before, after)
    assert lost / expecting <= 0.10, lost


def test_should_not_suggest_for_out_of_scope_or_implausible_results(real_nlu: NluEngine) -> None:
    result = real_nlu.parse("明日の天気おしえて", bot="consumer")
    assert result.ranking and result.ranking[0].confidence < SUGGESTION_BAR  # the 0 % case
    assert plausible_intent(result) is None
    confident = real_nlu.parse("自動車税の納付期限はいつですか", bot="tax")
    top = plausible_intent(confident)
    assert top is not None and (top.bot, top.name) == ("tax", "auto_tax_due_date")


@pytest.mark.parametrize(
    "text",
    [
        "/tax_office_contact",
        "/cooling_off_check",
        '/cooling_off_check{"transaction_type": "訪問販売"}',
        "/greet@0.9",
        '/inform@1.0{"date": "2026-11-20"}',
        "  /affirm  ",
        "/auto_tax_payment{}",
    ],
)
def test_should_take_rasa_button_payloads_for_clicks(text: str) -> None:
    assert is_button_payload(text) and not is_question(text)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("", False),
        ("   \n ", False),
        (None, False),
        ("［電話番号］", False),
        ("［電話番号］、［メール］！", False),
        ("［マイナンバー］ ［口座番号］", False),
        ("［電話番号］に電話したいです", True),
        ("自動車税", True),
        ("1/2の期限は？", True),
        ("/ 税金のこと", True),
        ("/税金", True),
        ("？？", True),
        ("and/or", True),
        ("w/o a car", True),
    ],
)
def test_should_keep_only_what_residents_typed_as_questions(text: str | None, question: bool) -> None:
    assert is_question(text) is question
