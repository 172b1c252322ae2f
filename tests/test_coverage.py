"""The coverage decision: content words an intent has never seen, long messages read by their
question, and what the engine does with a message its best intent does not cover."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.coverage import MODIFIER_FACTOR, CoverageModel
from shared_nlu.nlu.persistence import load_engine, save_engine
from shared_nlu.text.content_words import default_content_words
from shared_nlu.text.focus import FocusPhrases
from shared_nlu.text.sentences import asking_clause, asking_sentence, sentences

LABEL = "covid/vaccination"
EXAMPLES = [
    "ワクチンの予約はどこでできますか",
    "ワクチン 予約",
    "ワクチンの接種会場を知りたい",
    "ワクチンの接種券が届かない",
    "ワクチンは無料ですか",
    "ワクチン接種の予約方法",
]


@pytest.fixture(scope="module")
def model() -> CoverageModel:
    words = default_content_words()
    texts = [*EXAMPLES, "自動車税の期限はいつ", "自動車税 納付", "車の税金を払いたい"]
    labels = [LABEL] * len(EXAMPLES) + ["tax/due"] * 3
    return CoverageModel(words).fit(
        texts, labels, {LABEL: ["予約はお住まいの市区町村の窓口で受け付けます。"]}
    )


def test_should_find_no_unseen_word_in_a_paraphrase_of_known_words(model: CoverageModel) -> None:
    assert model.unseen("ワクチンの予約の窓口はどこ", LABEL) == []  # 窓口 comes from the answer


def test_should_weigh_a_new_kind_of_a_known_thing_more(model: CoverageModel) -> None:
    ((word, weight),) = model.unseen("おたふくかぜのワクチンの予約", LABEL)
    assert word == "おたふくかぜ"
    assert weight == pytest.approx(MODIFIER_FACTOR * model.weight("おたふくかぜ"))
    assert model.weight("おたふくかぜ") == pytest.approx(1.0)  # no example anywhere uses it


def test_should_weigh_a_word_other_examples_use_less(model: CoverageModel) -> None:
    unseen = dict(model.unseen("納付のワクチン", LABEL))
    assert set(unseen) == {"納付"}
    assert 0 < unseen["納付"] < MODIFIER_FACTOR  # another label's example uses it: it says less


def test_should_accept_a_new_compound_of_known_words(model: CoverageModel) -> None:
    assert model.unseen("予約先を教えて", LABEL) == []


def test_should_leave_people_places_and_asking_words_out_of_the_topic() -> None:
    words = default_content_words().words("豊中市に住む妻が教えてほしいと言っています")
    assert {w.form for w in words} <= {"住む"}
    english = default_content_words().words("Could you please tell me where the vaccine is?")
    assert [w.surface for w in english] == ["vaccine"]


def test_should_know_the_usual_novelty_of_an_intent(model: CoverageModel) -> None:
    assert model.usual_novelty(LABEL) >= 0.0
    assert model.usual_novelty("tax/due") == 0.0  # fewer than five examples: nothing to measure


def test_should_split_sentences_and_find_the_one_that_asks() -> None:
    story = (
        "先週、実家に帰りました。母が元気そうで安心しました。ところで自動車税はいつまでに払えばいいですか。"
    )
    assert len(sentences(story)) == 3
    assert asking_sentence(story) == "ところで自動車税はいつまでに払えばいいですか。"
    assert asking_sentence("自動車税はいつまでですか") is None  # one sentence: the whole message asks
    assert asking_sentence("I moved last month. Where does the car tax notice go?") == (
        "Where does the car tax notice go?"
    )


def test_should_not_answer_a_domain_intent_for_a_message_without_content(real_nlu: NluEngine) -> None:
    result = real_nlu.parse("うーん、どうしよかな", bot="consumer")
    assert result.intent == "nlu_fallback"


def test_should_answer_a_long_message_by_its_question(real_nlu: NluEngine) -> None:
    story = (
        "去年の秋に父が亡くなり、実家の車を私が引き継ぎました。名義の変更はもう済ませています。"
        "古い車なので来月には廃車にするつもりです。廃車にしたら今年の自動車税は戻ってきますか。"
    )
    result = real_nlu.parse(story, bot="tax")
    assert (result.bot, result.intent) == ("tax", "auto_tax_scrapped_or_sold")


def test_should_send_a_near_miss_to_the_fallback_and_say_why(real_nlu: NluEngine) -> None:
    result = real_nlu.parse("おたふくかぜのワクチンは何歳で打つの", bot="covid_general")
    assert result.intent == "nlu_fallback" and result.fallback_reason in ("out_of_scope", "not_covered")


def test_should_point_to_another_bot_only_when_it_answers_with_coverage(real_nlu: NluEngine) -> None:
    pointed = real_nlu.parse("自動車税の納付書をなくしてしまいました", bot="consumer")
    assert pointed.fallback_reason == "other_bot" and pointed.extra["other_bot"] == "tax"
    assert pointed.extra["other_intent"] == "auto_tax_notice"
    vague = real_nlu.parse("あのう、ちょっと聞きたいんですけど", bot="consumer")
    assert vague.fallback_reason != "other_bot"


def test_should_decide_the_same_after_save_and_load(real_nlu: NluEngine, tmp_path: Path) -> None:
    save_engine(real_nlu, tmp_path / "model")
    loaded = load_engine(tmp_path / "model", real_nlu.packs)
    for text, bot in [
        ("おたふくかぜのワクチンは何歳で打つの", "covid_general"),
        ("自動車税の納付書をなくしてしまいました", "consumer"),
        ("コロナワクチンの予約はどこでできますか", "covid_general"),
    ]:
        a, b = real_nlu.parse(text, bot=bot), loaded.parse(text, bot=bot)
        assert (a.intent, a.bot, a.fallback_reason, a.extra) == (b.intent, b.bot, b.fallback_reason, b.extra)


def test_should_read_a_frame_from_the_words_most_examples_use(model: CoverageModel) -> None:
    # ワクチン is in every example of the label: a message without it is outside the frame
    assert model.in_frame("インフルエンザのワクチンはどこで", LABEL)
    assert not model.in_frame("府立高校の合格発表はいつですか", LABEL)


def test_should_leave_a_remark_clause_out_of_the_question() -> None:
    assert (
        asking_clause("喫茶店のオーナーなんやけど、店用のQRコードってどうやって発行するの")
        == "店用のQRコードってどうやって発行するの"
    )
    # a topic before a comma is no remark; a remainder that does not ask is kept whole
    assert asking_clause("法人の府民税、均等割はなんぼ？") == "法人の府民税、均等割はなんぼ？"
    assert asking_clause("調べたけど、わからなかった") == "調べたけど、わからなかった"


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        # a kind of something (の joins the phrase) marked as topic
        ("インフルエンザの予防接種はどこで受けられますか", [("インフルエンザ", "予防接種")]),
        # the clause before ので sets the scene; the one that asks is about the registration
        ("店の住所が変わったのでステッカーの登録を直したい", [("ステッカー", "登録")]),
        # a nominal question, and one that ends in a question word
        ("時短協力金の支給額の計算方法", [("時短", "協力金", "支給額", "計算方法")]),
        ("府営住宅の家賃なんぼ？", [("府", "営", "住宅", "家賃")]),
        # where it was bought is an adjunct (で); what did not arrive is the subject (が)
        ("ネットで注文したカバンが一か月たっても来ない", [("カバン",)]),
        # a conjunction before an evaluation (〜ばいい) leaves the clause before it the asking one
        ("府道の街灯が切れてるのはどこの部署に言えばいい", [("府道", "街灯")]),
        # と joins two nouns; っぽい (an adjective suffix) ends a phrase
        ("月次支援金と協力金って何がちゃうん", [("月次", "支援金", "協力金")]),
        ("宅配便の不在通知っぽいSMSのリンクを開いてしまった", [("SMS", "リンク")]),
        # a counter noun ends the phrase (利子割), a case particle before の and のある link nouns
        ("府民税の利子割ってなんのこと", [("府民税", "利子", "割")]),
        ("協力金の確定申告での扱いは", [("協力金", "確定申告", "扱い")]),
        ("禁煙外来のある病院を探してる", [("禁煙", "外来", "病院")]),
        # English: runs of content words; after "in"/"on" a run says where, not what
        ("where can i get a flu shot in osaka?", [("flu", "shot")]),
        ("what does the sign on a cafe window mean?", [("sign",)]),
        ("i got a text message saying i owe money", [("text", "message"), ("saying",), ("owe", "money")]),
    ],
)
def test_should_find_the_phrases_a_question_is_about(text: str, phrases: list[tuple[str, ...]]) -> None:
    assert list(FocusPhrases().phrases(text)) == phrases


def test_should_find_an_unknown_kind_or_aspect_of_a_known_thing(model: CoverageModel) -> None:
    # a new kind of the known ワクチン, and a new aspect (its price list) of it
    assert [w for w, _ in model.unknown_focus("インフルエンザのワクチンはどこで", LABEL)] == [
        "インフルエンザ"
    ]
    assert [w for w, _ in model.unknown_focus("ワクチンの在庫はありますか", LABEL)] == ["在庫"]
    # a detail outside the phrase asked about, a question-type word, and nothing known at all
    assert model.unknown_focus("スーパーの帰りにワクチンの予約をしたい", LABEL) == []
    assert model.unknown_focus("ワクチンの場所はどこ", LABEL) == []
    # …but a compound with a part the label has not seen says more than its question type
    assert [w for w, _ in model.unknown_focus("ワクチンの計算方法を教えて", LABEL)] == ["計算方法"]
    assert model.unknown_focus("カバンが届かない", LABEL) == []
    # a synonym (one Sudachi synonym group) of a word the label knows
    assert model.unknown_focus("ワクチンの申し込みの送付先はどこ", LABEL) != []
    synonyms = CoverageModel(default_content_words()).fit(
        [*EXAMPLES, "ワクチンの書類の送付先"], [LABEL] * (len(EXAMPLES) + 1), {}
    )
    assert synonyms.unknown_focus("ワクチンの書類の送り先はどこ", LABEL) == []


def test_should_ask_did_you_mean_when_the_focus_is_unknown(real_nlu: NluEngine) -> None:
    """The best intent knows the rest of the message: it is offered as a "did you mean …?"
    button, and the resident who means something else gets the contact."""
    result = real_nlu.parse("黄熱のワクチンってどこで打てるの", bot="covid_general")
    assert result.ambiguous and result.intent == "vaccination"
    assert result.extra["focus"] == "黄熱"
    assert not real_nlu.parse("ワクチンってどこで打てるの", bot="covid_general").ambiguous


def test_should_read_a_loanword_typed_in_hiragana() -> None:
    words = default_content_words()
    assert [w.form for w in words.words("ここあ あぷり つかいかた")] == ["ココア", "アプリ"]
    assert [w.form for w in words.words("まいなんばー かーど")] == ["マイナンバー", "カード"]
    # only a word typed on its own: inside a sentence hiragana is grammar (関係あるん is not アルン)
    assert "アルン" not in {w.form for w in words.words("追跡システムと関係あるん？")}


def test_a_common_word_before_a_known_one_names_a_kind_of_it() -> None:
    """自動車 is in half the tax pack's examples (a low weight), but right before 取得税 it names
    another tax than the one the label knows."""
    model = CoverageModel(default_content_words()).fit(
        ["不動産取得税はいつ", "不動産取得税の申告", "家を買ったら不動産取得税", *["自動車税の納付"] * 6],
        ["tax/acquisition"] * 3 + ["tax/auto"] * 6,
        {},
    )
    assert [w for w, _ in model.unknown_focus("自動車取得税ってまだあるんですか", "tax/acquisition")] == [
        "自動車"
    ]
