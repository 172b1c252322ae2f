"""The masking measured on labelled sets of our own: recall per kind and false masks, the targets
of issue 13. ``masking_set.jsonl`` (828 messages, made by tests/data/make_masking_set.py from
templates) and ``masking_heldout.jsonl`` (246 messages written by hand, one per form, after the
first set passed: other separators, other labels, other bots' topics)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml

from chat_platform.privacy import mask_personal_data
from chat_platform.privacy.public_numbers import PUBLIC_PHONE_NUMBERS
from tests.masking_measure import SET, measure

KINDS = {
    "phone",
    "email",
    "my_number",
    "card",
    "bank_account",
    "birth_date",
    "address",
    "name",
    "passport",
    "driver_license",
    "health_insurance",
    "health",
}


HELD_OUT = SET.with_name("masking_heldout.jsonl")


@pytest.fixture(scope="module", params=[SET, HELD_OUT], ids=["set", "held-out"])
def figures(request):
    return measure(request.param)


def test_should_hold_hundreds_of_labelled_messages_of_every_kind_and_look_alikes():
    # Given the labelled set
    figures = measure(SET)
    # Then it is large: every kind has many values, and hundreds of messages hold nothing personal
    assert set(figures.values) == KINDS and set(measure(HELD_OUT).values) == KINDS
    assert sum(figures.values.values()) >= 500 and min(figures.values.values()) >= 20
    assert figures.lookalikes >= 200


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_should_mask_at_least_99_percent_of_each_kind(figures, kind):
    # Given the labelled values of one kind
    # When the messages are masked
    # Then at least 99 % of the values are masked entirely
    assert figures.recall(kind) >= 0.99, "\n".join(m for m in figures.misses if m.startswith(kind))


def test_should_mask_nothing_that_is_not_personal_in_more_than_1_percent_of_messages(figures):
    # Given every message of the set, look-alikes included (amounts, dates of events, 188, intent words)
    # When they are masked
    # Then at most 1 % of the messages have a mask over something that is not personal data
    assert figures.false_masks / figures.messages <= 0.01, "\n".join(figures.false)


def test_should_list_every_phone_number_the_shipped_packs_give_as_public():
    # Given the phone numbers written in the shipped packs (answers, contacts)
    root = Path(__file__).parent.parent / "bots"
    numbers = {
        re.sub(r"\D", "", m)
        for path in root.rglob("*.yml")
        for m in re.findall(r"0\d{1,4}-\d{2,4}-\d{3,4}", path.read_text(encoding="utf-8"))
    }
    # Then every one of them is a public number that masking leaves readable
    assert numbers and numbers <= PUBLIC_PHONE_NUMBERS


def test_should_mask_a_message_in_well_under_a_millisecond_on_average():
    # Given the messages of the set (names found by Sudachi, the slowest step, included)
    texts = [json.loads(line)["text"] for line in SET.read_text(encoding="utf-8").splitlines()]
    mask_personal_data("山田さん")  # Sudachi's dictionary is loaded once per process
    # When each is masked (the best of three rounds: the machine is shared)
    best = min(_seconds(texts) for _ in range(3))
    # Then the mean is below half a millisecond
    assert best / len(texts) < 0.0005


def _seconds(texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        mask_personal_data(text)
    return time.perf_counter() - start


def test_should_leave_the_facts_in_the_bots_own_answers_readable():
    # Given every text of the shipped packs' answers (stored masked, like residents' messages)
    answers: list[str] = []
    for path in (Path(__file__).parent.parent / "bots").glob("*/responses.yml"):
        _strings(yaml.safe_load(path.read_text(encoding="utf-8")), answers)
    assert len(answers) > 100
    # When they are masked
    kinds = {kind for text in answers for kind in mask_personal_data(text).kinds}
    # Then their phone numbers, dates, periods and words stay: at most the office's street address goes
    assert kinds <= {"address"}


def _strings(node: object, into: list[str]) -> None:
    if isinstance(node, str):
        into.append(node)
    elif isinstance(node, dict):
        for value in node.values():
            _strings(value, into)
    elif isinstance(node, list):
        for value in node:
            _strings(value, into)


@pytest.mark.parametrize(
    "text",
    [
        "1-" * 500,
        "0 " * 500,
        "12 " * 333,
        "(1)" * 333,
        "12345678 " * 111,
        "大" * 1000,
        "ぜろ" * 500,
        "a@" * 500,
        "x at " * 200,
        "一二" * 500,
        "山田さん090-1234-5678 " * 50,
        "生年月日" * 250,
    ],
)
def test_should_mask_a_hostile_message_of_the_longest_allowed_size_quickly(text):
    # Given a message of 1,000 characters built to make patterns backtrack
    mask_personal_data("山田さん")
    # When it is masked
    start = time.perf_counter()
    mask_personal_data(text)
    # Then it takes a fraction of a second (a pattern that backtracks takes seconds)
    assert time.perf_counter() - start < 0.25


def test_should_leave_the_packs_own_example_questions_alone():
    # Given the thousands of example questions in the shipped packs (how residents ask, no personal data)
    examples = []
    for path in (Path(__file__).parent.parent / "bots").glob("*/nlu.yml"):
        for intent in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for key in ("examples", "near_misses"):
                block = intent.get(key)
                if isinstance(block, str):
                    examples += [line[2:].strip() for line in block.splitlines() if line.startswith("- ")]
    assert len(examples) > 1000
    # When they are masked
    masked = [text for text in examples if mask_personal_data(text).kinds]
    # Then at most 1 in 200 loses a word (today: 大谷翔平 and 「不動さん取得税」, a typo that reads as a name)
    assert len(masked) <= len(examples) / 200, masked


LOCALGOVFAQ = Path(__file__).parent.parent.parent / "shared" / "data" / "localgovfaq" / "corpus.json"
if not LOCALGOVFAQ.exists():
    LOCALGOVFAQ = Path("/work/shared/data/localgovfaq/corpus.json")


@pytest.mark.skipif(not LOCALGOVFAQ.exists(), reason="LocalGovFAQ is not on this machine")
def test_should_leave_the_questions_of_a_municipal_faq_written_by_others_alone():
    # Given the 1,786 questions of LocalGovFAQ (a Japanese municipal FAQ nobody on this project wrote)
    corpus = json.loads(LOCALGOVFAQ.read_text(encoding="utf-8"))
    questions = [entry.split("\n")[0].removeprefix("Question: ") for entry in corpus.values()]
    # When they are masked
    masked = [text for text in questions if mask_personal_data(text).kinds]
    # Then at most 1 in 200 loses anything (they hold no personal data)
    assert len(masked) <= len(questions) / 200, masked
