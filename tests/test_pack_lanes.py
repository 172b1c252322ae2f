"""The lane check's measuring (shared_nlu.nlu.lanes) on the shipped packs and the held-out cases
of tests/data/lane_cases.yml: takeovers by one department of another's questions are found and
named; new topics, the common pack and the redirect intents raise nothing."""

from __future__ import annotations

import pytest

from shared_nlu.nlu.engine import NluEngine
from shared_nlu.nlu.lanes import lane_collisions, summary
from shared_nlu.pack import PackSet, read_pack_folder, validate_packs
from tests.conftest import ROOT
from tests.lane_cases import CASES, NEW_INTENT, case_sources


@pytest.fixture(scope="module")
def sources() -> dict[str, dict[str, bytes]]:
    return {folder.name: read_pack_folder(folder) for folder in sorted((ROOT / "bots").iterdir())}


def candidate(sources, bot: str, examples: list[str]) -> NluEngine:
    packs, diagnostics = validate_packs(case_sources(sources, bot, examples))
    assert diagnostics.ok, [d.format() for d in diagnostics.errors]
    return NluEngine.train(PackSet(packs))


def test_the_shipped_packs_uploaded_as_they_are_collide_with_nothing(real_packs, real_nlu) -> None:
    assert lane_collisions(sorted(real_packs.packs), real_nlu, real_nlu) == []


@pytest.mark.parametrize(
    "bot", ["common", "consumer", "covid_general", "covid_sticker", "covid_tracing", "inquiry", "tax"]
)
def test_each_shipped_pack_added_to_the_others_as_a_new_bot_collides_with_nothing(
    real_packs, real_nlu, bot
) -> None:
    """The strictest form of "the shipped packs pass": every example of the bot is new to a model
    trained without it — the common pack's greetings, tax's national/residence/municipal tax
    redirects and the front door's municipal and driver's-licence redirects included."""
    without = NluEngine.train(PackSet({b: p for b, p in real_packs.packs.items() if b != bot}))
    collisions = lane_collisions([bot], without, real_nlu)
    assert collisions == [], [c.diagnostic().format() for c in collisions]


@pytest.mark.parametrize("case", CASES["takeovers"], ids=lambda c: f"{c['uploader']}->{c['taken']}")
def test_a_takeover_is_found_and_names_the_intent_and_the_lines(sources, real_nlu, case) -> None:
    bot = case["uploader"]
    collisions = lane_collisions([bot], real_nlu, candidate(sources, bot, case["examples"]))
    assert f"{case['taken']} ← {bot}/{NEW_INTENT}" in summary(collisions)
    claimed = [c for c in collisions if c.kind == "claims"]
    nlu_lines = sources[bot]["nlu.yml"].decode().rstrip("\n").count("\n") + 1
    assert claimed and all(c.file == f"{bot}/nlu.yml" and c.line > nlu_lines for c in claimed)
    diagnostic = claimed[0].diagnostic()
    assert diagnostic.code == "lane-collision" and case["taken"].split("/")[1] in diagnostic.message
    assert "strategy" in diagnostic.hint


@pytest.mark.parametrize("case", CASES["benign"], ids=lambda c: c["uploader"])
def test_a_new_topic_of_the_uploading_department_passes(sources, real_nlu, case) -> None:
    bot = case["uploader"]
    collisions = lane_collisions([bot], real_nlu, candidate(sources, bot, case["examples"]))
    assert collisions == [], [c.diagnostic().format() for c in collisions]


def test_a_takeover_of_other_bots_own_questions_is_found_as_displaced(sources, real_nlu) -> None:
    """The front door's own test question about the car tax moves to the uploading bot."""
    copies = [
        "自動車税の納期限を教えて",
        "自動車税 期限 いつ",
        "自動車税っていつまでに払えばいいの",
        "車の税金の締切はいつですか",
        "自動車税の支払い期限は何日まで",
        "自動車税は払わなくてもいい？",
    ]
    collisions = lane_collisions(["consumer"], real_nlu, candidate(sources, "consumer", copies))
    displaced = [c for c in collisions if c.kind == "displaces"]
    assert displaced and all(c.owner != "consumer" and c.taker == "consumer" for c in displaced)
    assert all(c.file.split("/")[0] != "consumer" for c in displaced)  # the other bots' files and lines
    text = displaced[0].diagnostic().message
    assert displaced[0].intent in text and "consumer" in text


def test_a_takeover_in_faq_yml_is_named_at_its_faq_line(sources, real_nlu) -> None:
    faq = (
        'version: "1"\nchecked_on: 2026-11-28\nfaq:\n'
        "  - question: クーリングオフのやり方を教えて\n    answer: はがきで通知します。\n"
        "  - question: ゴルフ場利用税とは何ですか\n    answer: ゴルフ場の利用者にかかる税です。\n"
    )
    packs, diagnostics = validate_packs({**sources, "tax": {**sources["tax"], "faq.yml": faq.encode()}})
    assert diagnostics.ok
    collisions = lane_collisions(["tax"], real_nlu, NluEngine.train(PackSet(packs)))
    assert [(c.file, c.line, c.owner, c.owner_intent) for c in collisions] == [
        ("tax/faq.yml", 4, "consumer", "cooling_off_about")
    ]  # the golf-tax entry is the tax department's own new topic
