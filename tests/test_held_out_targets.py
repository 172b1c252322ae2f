"""The held-out resident sets in tests/data/coverage against the targets of issue 12.

The sets were written apart from the packs (and are checked here never to be copied into them).
Each figure is computed from the sets with the shipped packs, so any of these can fail. Targets not
met yet are strict xfails: they say what is missing, and fail loudly once the target is reached so
that the marker is removed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.heldout import HeldOutReport, HeldOutSets, evaluate_held_out, read_held_out
from shared_nlu.pack import PackSet
from shared_nlu.pack.checks import example_key

SETS = read_held_out(Path(__file__).resolve().parent / "data" / "coverage")
# A second batch, written before any change of the trust branch was tried on it (its README)
FRESH = read_held_out(Path(__file__).resolve().parent / "data" / "coverage_fresh")
# A third batch, written before any change of the gaps branch was tried on it (its README)
THIRD = read_held_out(Path(__file__).resolve().parent / "data" / "coverage_third")
# A fourth batch, written before the question-type check was tried (its README): known topics asked
# a question their intent's answer does not answer
QTYPE = read_held_out(Path(__file__).resolve().parent / "data" / "coverage_qtype")
# A fifth batch, written by a separate writer who read only the packs, before the focus check was
# tried (its README): known topics with unknown kinds and aspects; covered questions full of detail
FOCUS = read_held_out(Path(__file__).resolve().parent / "data" / "coverage_focus")
TODAY = date(2026, 12, 7)
# Measured before issue 12 (commit 870b70a) on the same sets: what must never come back.
BEFORE_GAPS_ANSWERED = 0.72
BEFORE_OUT_OF_SCOPE_ANSWERED = 0.22


def _evaluate(nlu: NluEngine, packs: PackSet, sets: HeldOutSets) -> HeldOutReport:
    bots = [b.id for b in packs.bots()]
    return evaluate_held_out(lambda text, bot: nlu.parse(text, bot=bot, today=TODAY), sets, bots)


@pytest.fixture(scope="module")
def report(real_nlu: NluEngine, real_packs: PackSet) -> HeldOutReport:
    return _evaluate(real_nlu, real_packs, SETS)


def _overall(report: HeldOutReport, name: str) -> float:
    value = report.overall(getattr(report, name))
    assert value is not None
    return value


def test_the_sets_cover_every_bot_in_every_style(real_packs: PackSet) -> None:
    bots = {b.id for b in real_packs.bots()}
    gaps = {bot: sum(item.widget == bot for item in SETS.gaps) for bot in bots}
    assert all(count >= 29 for count in gaps.values()), gaps
    assert len(SETS.long_messages) >= 60 and len(SETS.out_of_scope) >= 60 and len(SETS.paraphrases) >= 80
    assert {item.widget for item in SETS.long_messages} == bots
    assert any(text.isascii() for text in SETS.out_of_scope)
    assert any(item.text.isascii() for item in SETS.gaps)


@pytest.fixture(scope="module")
def fresh_report(real_nlu: NluEngine, real_packs: PackSet) -> HeldOutReport:
    return _evaluate(real_nlu, real_packs, FRESH)


def test_the_second_batch_holds_what_it_measured(fresh_report: HeldOutReport) -> None:
    """The second batch as measured when it was written and used (docs/benchmarks.md): covered
    93.8 %, long 83.3 %, gaps answered 41.7 % (40.0 % with the question-type check, 28.3 % with
    the focus check, 25.0 % with its later steps), out of scope answered 18.6 %."""
    assert _overall(fresh_report, "covered_accuracy") >= 0.93, fresh_report.mistakes("paraphrases")
    assert _overall(fresh_report, "long_accuracy") >= 0.83, fresh_report.mistakes("long_messages")
    assert _overall(fresh_report, "gap_overconfident") <= 0.25
    assert _overall(fresh_report, "oos_overconfident") <= 0.20


@pytest.fixture(scope="module")
def third_report(real_nlu: NluEngine, real_packs: PackSet) -> HeldOutReport:
    return _evaluate(real_nlu, real_packs, THIRD)


def test_the_third_batch_holds_what_it_measured(third_report: HeldOutReport) -> None:
    """The third batch (English, kana-only, remarks, broad intents) as measured on the gaps branch
    (docs/benchmarks.md): covered 93.8 %, gaps answered 37.9 % (also 37.9 % before it: the branch did
    not move this batch; 32.8 % with the question-type check, 22.4 % with the focus check)."""
    assert _overall(third_report, "covered_accuracy") >= 0.93, third_report.mistakes("paraphrases")
    assert _overall(third_report, "gap_overconfident") <= 0.23
    assert _overall(third_report, "oos_overconfident") <= 0.10


@pytest.fixture(scope="module")
def qtype_report(real_nlu: NluEngine, real_packs: PackSet) -> HeldOutReport:
    return _evaluate(real_nlu, real_packs, QTYPE)


def test_the_question_type_batch_holds_what_it_measured(qtype_report: HeldOutReport) -> None:
    """The fourth batch (docs/benchmarks.md): gaps answered 86.7 % before the question-type check,
    44.4 % with it, 33.3 % with the focus check and the history type; its covered questions, asked
    in the same question types, 97.0 % throughout."""
    assert _overall(qtype_report, "covered_accuracy") >= 0.96, qtype_report.mistakes("paraphrases")
    assert _overall(qtype_report, "gap_overconfident") <= 0.34


@pytest.fixture(scope="module")
def focus_report(real_nlu: NluEngine, real_packs: PackSet) -> HeldOutReport:
    return _evaluate(real_nlu, real_packs, FOCUS)


def test_the_focus_batch_holds_what_it_measured(focus_report: HeldOutReport) -> None:
    """The fifth batch, written by a separate writer from the packs alone before the focus check
    was tried (docs/benchmarks.md): gaps answered 41.4 % before the focus check, 29.0 % with it.
    Its covered questions are long and full of detail (instances, side clauses, everyday words):
    55.6 % before, 54.0 % with it — most are turned away by the out-of-scope margin and the
    uncovered mass, not by the focus check; the figure says how far covered accuracy is from
    the target on such questions."""
    assert _overall(focus_report, "covered_accuracy") >= 0.54, focus_report.mistakes("paraphrases")
    assert _overall(focus_report, "gap_overconfident") <= 0.30


def test_no_held_out_message_was_copied_into_a_pack(real_packs: PackSet) -> None:
    in_packs = {
        example_key(text)
        for pack in real_packs.packs.values()
        for intent in pack.intents.values()
        for text in [*(e.text for e in intent.examples), *intent.near_misses]
    }
    held_out = [
        *(
            i.text
            for sets in (SETS, FRESH, THIRD, QTYPE, FOCUS)
            for i in sets.paraphrases + sets.long_messages + sets.gaps
        ),
        *SETS.out_of_scope,
        *FRESH.out_of_scope,
        *THIRD.out_of_scope,
        *QTYPE.out_of_scope,
        *FOCUS.out_of_scope,
    ]
    copied = [text for text in held_out if example_key(text) in in_packs]
    assert copied == []


def test_covered_questions_are_answered_right_at_least_95_percent(report: HeldOutReport) -> None:
    assert _overall(report, "covered_accuracy") >= 0.95, report.mistakes("paraphrases")


def test_long_messages_are_answered_by_their_question_at_least_90_percent(report: HeldOutReport) -> None:
    assert _overall(report, "long_accuracy") >= 0.90, report.mistakes("long_messages")


def test_abstention_is_better_than_before_issue_12(report: HeldOutReport) -> None:
    assert _overall(report, "gap_overconfident") <= BEFORE_GAPS_ANSWERED - 0.2
    assert _overall(report, "oos_overconfident") <= BEFORE_OUT_OF_SCOPE_ANSWERED - 0.05


def test_in_domain_gaps_get_an_answer_at_most_10_percent(report: HeldOutReport) -> None:
    """9.6 % (18 of 187) with the focus check (24.1 % before it, 39 % before the out-of-scope
    margin, 72 % before issue 12). This is the tuning batch: the batches never tuned on are held
    to what they measured above, and say the class stands at 22–33 % there."""
    assert _overall(report, "gap_overconfident") <= 0.10


def test_out_of_scope_messages_get_an_answer_at_most_10_percent(report: HeldOutReport) -> None:
    assert _overall(report, "oos_overconfident") <= 0.10


def test_out_of_scope_messages_get_an_answer_at_most_12_percent_with_safety_first(
    report: HeldOutReport,
) -> None:
    """The bound that held with safety first before the out-of-scope margin (11.2 %)."""
    assert _overall(report, "oos_overconfident") <= 0.12


def test_the_risk_coverage_line_falls_as_the_threshold_rises(report: HeldOutReport) -> None:
    answered = [a for _, a, _ in report.risk_coverage]
    assert answered == sorted(answered, reverse=True)
    assert report.risk_coverage[-1][2] <= report.risk_coverage[0][2]


def test_should_name_the_file_and_line_of_a_malformed_row(tmp_path: Path) -> None:
    (tmp_path / "in_domain_gaps.tsv").write_text(
        "# comment\ntax\tok\ntax only one column\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"in_domain_gaps\.tsv"):
        read_held_out(tmp_path)
