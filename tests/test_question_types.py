"""The question-type table (shared_nlu/text/question_types.py): what a message asks, what an
answer gives, and what an intent addresses."""

from __future__ import annotations

import pytest

from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.result import FallbackReason
from shared_nlu.text.normalize import normalize
from shared_nlu.text.question_types import QUESTION_TYPES, addressed_types, asked_types, given_types


def _asked(text: str) -> frozenset[str]:
    return asked_types(normalize(text))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("自動車税っていつまでに払えばええん？", "when"),
        ("産業廃棄物税の申告の時期は", "when"),
        ("納期限 何日", "when"),
        ("When is the deadline?", "when"),
        ("How long do I stay home?", "when"),
        ("府営住宅の家賃なんぼ？", "amount"),
        ("たばこ税の税率を教えて", "amount"),
        ("ステッカーってお金かかるん？", "amount"),
        ("How much is the fee?", "amount"),
        ("法人の府民税の申告書はどこに出せば", "where"),
        ("相談窓口を知りたい", "where"),
        ("Where can I buy a test kit?", "where"),
        ("ステッカーはどうやって申し込むの", "how"),
        ("どないしたらええの", "how"),
        ("払い方がわからん", "how"),
        ("How do I register?", "how"),
        ("確定申告は府税事務所でもできますか", "can"),
        ("スマホで払ってもええの", "can"),
        ("証明書いりますか", "can"),
        ("払わなあかんの？", "can"),
        ("Can I pay by card?", "can"),
        ("減免って誰が受けられるの", "who"),
        ("どんな人が対象ですか", "who"),
        ("Who is eligible?", "who"),
        ("追跡システムなんでやめたん？", "history"),
        ("なぜ5月31日なんですか", "why"),
        ("副反応はどのくらいで治まりますか", "when"),
        ("後遺症ってどれくらい続くものですか", "when"),
        ("税収って毎年どれくらいあるんですか", "amount"),
        ("Why did it stop?", "history"),
        ("クーリングオフっていつからある制度なん", "history"),
        ("期限が5月末なのはいつ決まったんですか", "history"),
        ("5類に変わったのって、何年やった？", "history"),
        ("When was the sticker program launched?", "history"),
        ("いつから登校できますか", "when"),  # when the resident may: not the thing's past
        ("ワクチンはいつから打てますか", "when"),
    ],
)
def test_should_read_the_type_a_message_asks(text: str, kind: str) -> None:
    assert kind in _asked(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("いつも使ってるコンビニで払いたい", "when"),  # いつも: always
        ("ネットで買うた服がいつまでたっても届かへん", "when"),  # not yet, not when
        ("なんでもいいから教えて", "why"),  # なんでも: anything
        ("なんでもいいから教えて", "can"),
        ("どこかで見た気がする", "where"),  # どこか: somewhere
        ("scan the code", "can"),  # English words by word boundary
        ("the window was closed", "who"),
        ("ステッカーが必要なんですか", "why"),  # なん+です, not なんで
    ],
)
def test_should_not_read_a_type_a_message_does_not_ask(text: str, kind: str) -> None:
    assert kind not in _asked(text)


@pytest.mark.parametrize(
    "text", ["自動車税 納付書 紛失", "ありがとう", "自動車税の納付書が来てないんですけど"]
)
def test_a_message_asking_no_known_type_asks_none(text: str) -> None:
    assert _asked(text) == frozenset()


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("納期限は5月31日です", "when"),
        ("通知書は5月上旬に届きます", "when"),
        ("登録・発行は無料です", "amount"),
        ("税率は10%です", "amount"),
        ("府税事務所へお問い合わせください", "where"),
        ("消費者ホットライン188へご相談ください", "where"),
        ("06-6910-8001 でご案内します", "where"),
        ("申請の方法はホームページで", "how"),
        ("現在は登録できません", "can"),
        ("提示を省略できます", "can"),
        ("自動車の所有者にかかります", "who"),
        ("通知を送るために使われていました", "why"),
        ("It is due on 31 May.", "when"),
        ("Registration is free.", "amount"),
    ],
)
def test_should_read_the_type_an_answer_gives(answer: str, kind: str) -> None:
    assert kind in given_types(normalize(answer))


def test_an_instruction_says_how_and_a_referral_does_not() -> None:
    """「割らずにケースに入れて出してください」 tells how; 「府税事務所へご確認ください」 only who knows."""
    assert "how" in given_types(normalize("蛍光灯は割らずにケースに入れて出してください"))
    assert "how" not in given_types(normalize("詳しくは府税事務所へご確認ください"))


def test_an_answer_without_a_date_or_amount_gives_neither() -> None:
    given = given_types(normalize("府税のご相談は府税事務所で承っています"))
    assert "when" not in given and "amount" not in given and "can" not in given
    assert "where" in given


def test_an_intent_addresses_what_its_examples_ask_and_its_answer_gives() -> None:
    examples = [normalize(t) for t in ("自動車税 いつまで", "自動車税の期限は何日", "自動車税はなんぼ")]
    answers = [normalize("府税事務所でご案内します")]
    assert addressed_types(examples, answers) == {"when", "amount", "where"}
    # two examples asking when, one asking amount: at two, only when comes from the examples
    assert addressed_types(examples, answers, min_examples=2) == {"when", "where"}


def test_an_intent_with_nothing_addresses_nothing() -> None:
    assert addressed_types([], []) == frozenset()


def test_the_table_names_each_type_once() -> None:
    names = [t.name for t in QUESTION_TYPES]
    assert len(names) == len(set(names)) == 8


def test_a_contacts_opening_hours_do_not_answer_when() -> None:
    """The contact every answer names (「府民お問合せセンター（06-6910-8001、平日9時〜18時）」) says
    where to ask; its hours are not the date a resident asked for."""
    given = given_types(
        normalize("要件は要項で定められています。府民お問合せセンター（06-6910-8001、平日9時〜18時）へ")
    )
    assert given == {"where"}


@pytest.mark.parametrize(
    ("bot", "text", "kind"),
    [
        ("covid_tracing", "追跡システムは誰が作ったんですか", "who"),  # the period intent says when, not who
        ("tax", "納税証明書の手数料なんぼ？", "amount"),  # the certificate's answer names no fee
    ],
)
def test_should_turn_away_a_question_its_intent_does_not_answer(
    real_nlu: NluEngine, bot: str, text: str, kind: str
) -> None:
    result = real_nlu.parse(text, bot=bot)
    assert result.fallback_reason == FallbackReason.NOT_COVERED
    assert result.extra["question_types"] == kind


@pytest.mark.parametrize(
    ("bot", "text", "intent"),
    [
        ("covid_tracing", "追跡システムはいつ終わったの", "service_period"),
        ("tax", "確定申告は府税事務所でもできますか", "national_tax_redirect"),
    ],
)
def test_should_answer_a_question_its_intent_addresses(
    real_nlu: NluEngine, bot: str, text: str, intent: str
) -> None:
    assert real_nlu.parse(text, bot=bot).intent == intent


def test_a_question_about_a_things_past_asks_only_that() -> None:
    """「誰がいつ決めた」 asks who and when of the deadline's history: an intent whose answer gives
    the deadline (a date) must not count as answering it."""
    assert _asked("自動車税の期限が5月末って、誰がいつ決めたんやろ") == {"history"}
    assert _asked("自動車税の期限はいつ") == {"when"}
