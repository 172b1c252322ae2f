"""Safety first: a resident who may be in danger is answered with the national numbers before any
domain answer, in every bot, whatever the conversation was doing.

The figures are measured on held-out sets written for these tests and never copied into a pack:
``tests/data/safety_crisis.tsv`` (crisis messages, indirect phrasings, dialect, English, long
stories), ``safety_lookalikes.txt`` (crisis words with no crisis) and the pack examples of every
other intent, each classified by a model that never saw it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold

from shared_nlu.dialogue.engine import DialogueEngine
from shared_nlu.dialogue.state import DialogueState, Status
from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.evaluation import read_out_of_scope
from shared_nlu.nlu.persistence import load_engine, save_engine
from shared_nlu.nlu.safety import SafetyCheck, domain_examples
from shared_nlu.nlu.safety_phrases import SAFETY_INTENTS, without_lookalikes
from shared_nlu.nlu.training_data import split_label, training_data
from shared_nlu.pack import PackSet, load_packs
from tests.packs_inline import write_packs

DATA = Path(__file__).parent / "data"
JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 25, 22, 30, tzinfo=JST)  # a weekday night: offices closed
CATALOG_NUMBERS = {  # bot-catalog.md, "common — safety": what each answer must give
    "child_abuse": ("189", "110"),
    "suicide_crisis": ("0570-064-556", "0120-279-338", "119"),
    "domestic_violence": ("#8008", "0120-279-889", "110"),
    "medical_emergency": ("119", "#7119", "06-6582-7119", "#8000"),
    "crime_danger": ("110", "#9110"),
}


def crisis_set() -> list[tuple[str, str]]:
    rows = [line.rstrip("\n").split("\t") for line in (DATA / "safety_crisis.tsv").open(encoding="utf-8")]
    return [(row[0], row[1]) for row in rows if row[0] and not row[0].startswith("#")]


def bots_of(packs: PackSet) -> list[str | None]:
    """Every bot a resident can open, and None for the routed /model/parse."""
    return [bot.id for bot in packs.bots()] + [None]


# ---- the held-out figures ---------------------------------------------------------------------


def test_should_have_a_held_out_crisis_set_for_every_safety_intent(real_packs: PackSet) -> None:
    # Given the crisis set and the packs
    messages = crisis_set()
    counts = Counter(intent for intent, _ in messages)
    # Then it covers every safety intent with many messages, none of them copied from a pack
    assert set(counts) == set(SAFETY_INTENTS) and len(messages) >= 150
    assert min(counts.values()) >= 25
    pack_texts = {
        example.text
        for pack in real_packs.packs.values()
        for i in pack.intents.values()
        for example in i.examples
    }
    assert not pack_texts & {text for _, text in messages}


def test_should_answer_crisis_messages_with_a_safety_intent_in_every_bot(
    real_nlu: NluEngine, real_packs: PackSet
) -> None:
    # Given every held-out crisis message, sent to every bot and to the routed parse
    asked: Counter[str] = Counter()
    safe: Counter[str] = Counter()
    exact: Counter[str] = Counter()
    missed = []
    for intent, text in crisis_set():
        for bot in bots_of(real_packs):
            # When it is parsed
            result = real_nlu.parse(text, bot=bot)
            asked[intent] += 1
            safe[intent] += result.intent in SAFETY_INTENTS and result.bot == "common"
            exact[intent] += result.intent == intent
            if result.intent not in SAFETY_INTENTS:
                missed.append((bot, text, result.intent))
    # Then per intent at least 98 % get a safety answer (recall first), and at least 90 % the
    # right one of the five (the others still give 110 or 119 first)
    for intent in SAFETY_INTENTS:
        assert safe[intent] / asked[intent] >= 0.98, (intent, missed)
        assert exact[intent] / asked[intent] >= 0.90, intent


def test_should_give_the_same_safety_answer_in_every_bot(real_nlu: NluEngine, real_packs: PackSet) -> None:
    # Given the crisis set
    for _, text in crisis_set():
        # When one message is parsed by every bot and routed
        intents = {real_nlu.parse(text, bot=bot).intent for bot in bots_of(real_packs)}
        # Then they agree: the safety check does not depend on which widget was opened
        assert len(intents) == 1, (text, intents)


def test_should_stay_quiet_on_look_alikes(real_nlu: NluEngine, real_packs: PackSet) -> None:
    # Given messages with crisis words and no crisis
    messages = read_out_of_scope(str(DATA / "safety_lookalikes.txt"))
    # When each bot parses them
    fired = [
        (bot, text)
        for text in messages
        for bot in bots_of(real_packs)
        if real_nlu.parse(text, bot=bot).intent in SAFETY_INTENTS
    ]
    # Then few get a safety answer (recall comes first: 11 % when written), and the plain cases never do
    assert len(fired) / (len(messages) * len(bots_of(real_packs))) <= 0.12, fired
    never = {
        "救急車の有料化について意見を送りたい",
        "DVDの返品をしたい",
        "110番の日っていつですか",
        "死ぬほど忙しい",
    }
    assert not never & {text for _, text in fired}


def test_should_rarely_answer_everyday_troubles_with_safety(real_nlu: NluEngine, real_packs: PackSet) -> None:
    # Given everyday troubles with the body, children, pets and lost things (a set written after the
    # common pack's out-of-scope examples of this class, never copied into a pack)
    messages = read_out_of_scope(str(DATA / "safety_everyday.txt"))
    # When each bot parses them
    fired = [
        (bot, text)
        for text in messages
        for bot in bots_of(real_packs)
        if real_nlu.parse(text, bot=bot).intent in SAFETY_INTENTS
    ]
    # Then at most the share measured when the examples were added gets a safety answer (29 %;
    # 38 % without them): recall comes first, and the classifier alone still reads 「起き上がり運動が
    # できない」 or "I keep losing my keys" as a crisis — an open problem, bounded here so that it
    # cannot grow unnoticed
    assert len(fired) / (len(messages) * len(bots_of(real_packs))) <= 0.30, sorted({t for _, t in fired})
    # and the ones the examples taught never do
    assert not {"ふくらはぎがつって痛い", "娘がピアノの練習を嫌がって泣く"} & {t for _, t in fired}


def test_a_second_everyday_batch_holds_what_it_measured(real_nlu: NluEngine) -> None:
    """Everyday messages written by a separate writer who did not read the packs (session 5):
    11.7 % (7 of 60) get a safety answer from the classifier alone — sleeplessness, a toddler's
    tantrums, a snoring husband. Adding 18 more everyday examples to the common pack's out of scope
    moved it by none (one fixed, one newly raised), so the examples were not kept; the bound says
    where it stands."""
    messages = read_out_of_scope(str(DATA / "safety_everyday_fresh.txt"))
    fired = [text for text in messages if real_nlu.parse(text).intent in SAFETY_INTENTS]
    assert len(fired) / len(messages) <= 0.12, fired


def test_should_rarely_answer_ordinary_bot_questions_with_safety(
    real_nlu: NluEngine, real_packs: PackSet
) -> None:
    # Given ordinary questions to the bots that lean on a safety intent's words (a contract one
    # cannot get out of, a husband in a tax question, a child's cough at night; kana-only, English)
    messages = read_out_of_scope(str(DATA / "safety_lookalikes_domain.txt"))
    # When each bot parses them
    fired = [
        (bot, text)
        for text in messages
        for bot in bots_of(real_packs)
        if real_nlu.parse(text, bot=bot).intent in SAFETY_INTENTS
    ]
    # Then at most the share measured when the set was written gets a safety answer (7.9 %: 4 of
    # 45 messages, all by the classifier alone; no check tried on the lookalikes branch removed
    # them without losing crisis recall, docs/benchmarks.md) — bounded so that it cannot grow
    assert len(fired) / (len(messages) * len(bots_of(real_packs))) <= 0.08, sorted({t for _, t in fired})


def test_should_not_answer_out_of_scope_messages_with_safety(real_nlu: NluEngine) -> None:
    messages = read_out_of_scope(str(DATA / "out_of_scope_eval.txt"))
    fired = [text for text in messages if real_nlu.parse(text).intent in SAFETY_INTENTS]
    assert len(fired) / len(messages) <= 0.03, fired


def test_should_rarely_interrupt_the_other_intents_on_examples_it_never_saw(real_packs: PackSet) -> None:
    # Given every example of every other intent, each checked by a model trained without it
    data = training_data(real_packs)
    labels = np.array(data.labels)
    fired = checked = 0
    for train, test in StratifiedKFold(n_splits=3, shuffle=True, random_state=0).split(data.texts, labels):
        engine = NluEngine(real_packs).fit([data.texts[i] for i in train], list(labels[train]))
        for i in test:
            bot, intent = split_label(data.labels[i])
            if (bot == "common" and intent in SAFETY_INTENTS) or intent == "out_of_scope":
                continue
            checked += 1
            fired += engine.safety.detect(data.texts[i]) is not None
    # Then under 1 % of them get a safety answer first
    assert checked > 2000
    assert fired / checked < 0.01


# ---- how the check decides -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("税金払えなくてもう死にたい", "suicide_crisis"),
        ("自動車税の期限のことで聞きたいんやけど、正直もう生きてる意味がわからへん", "suicide_crisis"),
        ("クーリングオフの期限が過ぎてしまって、夫に知られたら殴られる", "domestic_violence"),
        ("ワクチンの予約をしようとしてたら、父が急に倒れて意識がありません", "medical_emergency"),
    ],
)
def test_should_put_safety_before_a_domain_question_in_the_same_message(real_nlu, text, intent) -> None:
    # Given a message that also asks something a bot covers
    for bot in ("tax", "consumer", "covid_general", "inquiry"):
        # When it is parsed
        result = real_nlu.parse(text, bot=bot)
        # Then the safety intent comes first, as the common pack's
        assert (result.intent, result.bot) == (intent, "common")
        assert result.ranking[0].name == intent


def test_should_keep_the_domain_answer_the_message_would_have_had(real_nlu: NluEngine) -> None:
    result = real_nlu.parse("自動車税が払えなくて、もう消えたい", bot="tax")
    assert result.intent == "suicide_crisis"
    assert result.extra["domain"]["bot"] == "tax"
    assert result.extra["domain"]["intent"] in real_nlu.packs.packs["tax"].intents


def test_should_find_a_crisis_told_next_to_a_look_alike() -> None:
    # Given a message whose first part is a look-alike and whose second part is a crisis
    plain, folded = without_lookalikes("救急車の有料化のニュースを見てたら、母が急に倒れた")
    # Then only the look-alike span is blanked
    assert "有料化" not in plain and "倒れた" in plain and "倒れた" in folded


def test_should_never_answer_with_a_safety_intent_the_packs_do_not_define(tmp_path) -> None:
    # Given packs whose common pack has no safety intents (tests/packs_inline.py)
    packs = load_packs([write_packs(tmp_path / "packs")])
    engine = NluEngine.train(packs)
    # When a crisis message is parsed
    result = engine.parse("もう死にたい")
    # Then the check stays out of the way
    assert result.intent not in SAFETY_INTENTS and isinstance(engine.safety, SafetyCheck)


def test_should_keep_the_safety_model_through_save_and_load(real_nlu, real_packs, tmp_path) -> None:
    save_engine(real_nlu, tmp_path / "model")
    loaded = load_engine(tmp_path / "model", real_packs)
    texts = [text for _, text in crisis_set()[::10]] + ["自動車税の期限", "落とし物を警察に届けたい"]
    assert [real_nlu.parse(t).to_dict() for t in texts] == [loaded.parse(t).to_dict() for t in texts]
    assert [real_nlu.safety.detect(t) for t in texts] == [loaded.safety.detect(t) for t in texts]


def test_should_train_the_domain_model_without_the_safety_examples(real_nlu: NluEngine, real_packs) -> None:
    # The domain model's labels are the packs' other intents: its accuracy is what it was
    domain = {label for label in domain_examples(training_data(real_packs)).labels}
    assert set(real_nlu.classifier.labels) == domain
    assert not {f"common/{intent}" for intent in SAFETY_INTENTS} & set(real_nlu.classifier.labels)


# ---- the answers -------------------------------------------------------------------------------


@pytest.mark.parametrize("intent", SAFETY_INTENTS)
def test_should_give_exactly_the_catalog_numbers_most_urgent_first(real_packs: PackSet, intent: str) -> None:
    response = real_packs.packs["common"].responses[f"utter_{intent}"]
    assert response.valid_until is None  # a crisis answer must never be replaced by "out of date"
    for language in ("ja", "en"):
        (variant,) = response.variants[language]
        for number in CATALOG_NUMBERS[intent]:
            assert number in variant.text, (intent, language, number)
        first_line = variant.text.splitlines()[0]
        assert ("110" in first_line) or ("119" in first_line), first_line
        assert len(variant.text) <= 400  # a phone screen


# ---- the conversation --------------------------------------------------------------------------


def talk(engine: DialogueEngine, state: DialogueState, text: str):
    return engine.handle(state, text, NOW)


def test_should_answer_a_crisis_in_the_middle_of_the_cooling_off_form(real_dialogue: DialogueEngine) -> None:
    # Given the consumer bot asking for the date the contract document was received
    state = real_dialogue.new_session("s", "consumer")
    state = talk(real_dialogue, state, "クーリングオフできるか確認したい").state
    state = talk(real_dialogue, state, "訪問販売").state
    assert state.status is Status.IN_FORM and state.requested_slot == "received_date"
    # When the resident writes something that sounds like a date and a crisis
    turn = talk(real_dialogue, state, "昨日からずっと、もう死にたいと思ってる")
    # Then the crisis answer comes, the form's question does not, and the form is closed
    assert [m.response for m in turn.messages] == ["utter_suicide_crisis"]
    assert "0570-064-556" in turn.messages[0].text
    assert turn.state.status is Status.IDLE and turn.state.form is None and not turn.state.slots
    assert {e.type for e in turn.events} >= {"safety", "form_cancelled"}


@pytest.mark.parametrize(
    "status",
    [Status.AWAITING_CLARIFICATION, Status.HANDED_OFF],
)
def test_should_answer_a_crisis_while_clarifying_or_after_a_hand_off(real_dialogue, status) -> None:
    state = DialogueState("s", "tax", status=status, active_bot="tax", candidates=("tax/auto_tax_payment",))
    turn = talk(real_dialogue, state, "夫に殴られて家に帰れない")
    assert [m.response for m in turn.messages] == ["utter_domestic_violence"]
    assert turn.state.status is Status.IDLE and turn.state.candidates == ()


@pytest.mark.parametrize(
    "bot", ["consumer", "covid_general", "covid_sticker", "covid_tracing", "inquiry", "tax"]
)
def test_should_answer_each_safety_intent_in_every_bot(real_dialogue: DialogueEngine, bot: str) -> None:
    messages = {
        "child_abuse": "向かいの家の子がしょっちゅう怒鳴られて泣いてる",
        "suicide_crisis": "もう全部どうでもいい、消えてしまいたい",
        "domestic_violence": "旦那にスマホを取り上げられて外に出してもらえない",
        "medical_emergency": "祖父が急に倒れて呼んでも返事がない",
        "crime_danger": "知らない男に家の前で待ち伏せされてる",
    }
    for intent, text in messages.items():
        turn = talk(real_dialogue, real_dialogue.new_session("s", bot), text)
        assert [m.response for m in turn.messages] == [f"utter_{intent}"], (bot, text)
        assert turn.messages[0].intent == intent


def test_should_offer_the_domain_answer_after_the_safety_answer(real_dialogue: DialogueEngine) -> None:
    # Given a tax question inside a crisis
    turn = talk(real_dialogue, real_dialogue.new_session("s", "tax"), "自動車税が払えなくて、もう消えたい")
    # Then the safety answer comes first, with the tax answer one tap away
    (message,) = turn.messages
    assert message.response == "utter_suicide_crisis"
    domain = turn.parse.extra["domain"] if turn.parse else {}
    assert [b.payload for b in message.buttons] == [f"/{domain['intent']}"]
    # And tapping it answers the tax question
    tapped = talk(real_dialogue, turn.state, message.buttons[0].payload)
    assert tapped.messages[0].response == f"utter_{domain['intent']}"


def test_should_answer_a_safety_button_like_typing(real_dialogue: DialogueEngine) -> None:
    turn = talk(real_dialogue, real_dialogue.new_session("s", "covid_tracing"), "/medical_emergency")
    assert [m.response for m in turn.messages] == ["utter_medical_emergency"]


@pytest.mark.parametrize(
    "text",
    [
        "娘が来年中学生なんやけど、制服の補助ってあるん？",
        "子どもが熱っぽいんやけど、コロナの検査はどこで受けられる？",
        "孫が遊びに来るんやけど、マスクはしたほうがええ？",
        "息子が小学生やけど、予防接種の案内が来てへん",
    ],
)
def test_the_kansai_but_is_no_burn(real_nlu: NluEngine, text: str) -> None:
    """〜やけど is Kansai for "but": a child named before it is no sign of abuse."""
    hit = real_nlu.safety.detect(text)
    assert hit is None or hit.source != "phrase", hit


@pytest.mark.parametrize(
    "text",
    ["隣の子、また腕にやけどしてた。いつも怒鳴られてる", "娘の背中にたばこを押し付けたようなやけどがある"],
)
def test_a_burn_on_a_child_still_comes_first(real_nlu: NluEngine, text: str) -> None:
    hit = real_nlu.safety.detect(text)
    assert hit is not None and hit.intent == "child_abuse" and hit.source == "phrase"
