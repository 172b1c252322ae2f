"""FAQ retrieval: a department's FAQ list (question + answer) ranked for what a resident types."""

from __future__ import annotations

import numpy as np
import pytest

from shared_nlu.nlu.retrieval import FaqIndex, RetrievalConfig

FAQ = [
    (
        "粗大ごみの出し方を教えてください。",
        "収集日の3日前までに電話で申し込み、指定された日の朝8時までに出してください。",
    ),
    (
        "引っ越しをしたときの住所変更の手続きは？",
        "転入届と転居届は、住み始めてから14日以内に市民課の窓口へ届け出てください。",
    ),
    (
        "住民票の写しはどこで取れますか。",
        "市民課とサービスセンターの窓口のほか、コンビニエンスストアでも取れます。",
    ),
    (
        "軽自動車税の納め方を知りたい。",
        "5月に送る納税通知書で、金融機関やスマートフォン決済で納めてください。",
    ),
    ("ハチの巣を駆除してほしい。", "市では駆除していません。スズメバチの巣は専門の業者に依頼してください。"),
    ("犬を飼い始めたときの手続きを知りたい。", "生後91日以上の犬は、登録と毎年の狂犬病予防注射が必要です。"),
    (
        "保育所に入所を申し込みたい。",
        "入所の申し込みは、毎年11月に保育課で受け付けます。就労証明書を添えてください。",
    ),
    ("図書館の開館時間を知りたい。", "中央図書館は午前9時から午後7時まで開いています。月曜日は休館日です。"),
    (
        "マイナンバーカードをなくしてしまった。",
        "個人番号カードコールセンターに連絡して、カードの利用を一時停止してください。",
    ),
    ("市役所の駐車場はありますか。", ""),
]
GOMI, HIKKOSHI, JUMINHYO, KEIJIDOSHA, HACHI, INU, HOIKU, TOSHOKAN, MYNUMBER, PARKING = range(len(FAQ))


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex([q for q, _ in FAQ], [a for _, a in FAQ])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ゴミの出し方", GOMI),  # katakana ゴミ meets hiragana ごみ
        ("ソダイゴミを捨てたい", GOMI),  # all katakana: only character n-grams meet 粗大ごみ
        ("引越しの手続き", HIKKOSHI),  # 引越し and 引っ越し share Sudachi's normalised form
        ("ひっこしの手続き", HIKKOSHI),
        ("住民票をとりたい", JUMINHYO),
        ("車の税金を払いたい", KEIJIDOSHA),
        ("蜂の巣をとってほしい", HACHI),
        ("保育園に入りたい", HOIKU),
        ("図書館は何時まで開いてる？", TOSHOKAN),
        ("駐車場", PARKING),  # an entry without an answer is still found by its question
    ],
)
def test_should_find_the_right_entry_for_a_paraphrased_query(index, query, expected):
    # Given a small FAQ list
    # When a resident asks in their own words and spelling
    # Then the entry that answers them comes first
    assert index.search(query)[0][0] == expected


def test_should_use_answer_text_as_evidence(index):
    # Given a query whose content words appear in one entry's answer but in no question
    query = "狂犬病の予防注射"
    assert not any("狂犬病" in q or "注射" in q for q, _ in FAQ)
    # When it is searched
    # Then that entry comes first
    assert index.search(query)[0][0] == INU
    # And a synonym found only in an answer (個人番号カード ~ マイナンバーカード, 紛失 ~ なくす) counts too
    assert index.search("個人番号カードを紛失した")[0][0] == MYNUMBER


@pytest.mark.parametrize("query", ["", "   ", "！？。", "🙂", "xyzzy", "の", "を、は？", "ノ"])
def test_should_return_nothing_for_an_empty_or_unknown_query(index, query):
    # Given a query that is empty, only punctuation, emoji or lone kana (particles: no topic),
    # or shares no term with the FAQ
    # When it is searched and scored
    # Then nothing is returned and every score is zero
    assert index.search(query) == []
    scores = index.scores(query)
    assert scores.shape == (len(FAQ),)
    assert not scores.any()


def test_should_score_deterministically_across_two_builds(index):
    # Given a second index built from the same FAQ list
    other = FaqIndex([q for q, _ in FAQ], [a for _, a in FAQ])
    # When the same queries are scored by both
    # Then the scores and rankings are identical
    for query in ["ゴミの出し方", "引越しの手続き", "市役所", "カードの手続き"]:
        np.testing.assert_array_equal(index.scores(query), other.scores(query))
        assert index.search(query) == other.search(query)


def test_should_return_at_most_k_results_best_first(index):
    # Given a query sharing words with several entries
    query = "手続きを知りたい"
    # When it is searched with different k
    results = index.search(query, k=3)
    # Then at most k come back, best first, and they agree with scores()
    assert len(results) == 3
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)
    assert index.search(query, k=1) == results[:1]
    assert index.search(query, k=0) == []
    scores = index.scores(query)
    assert all(scores[i] == pytest.approx(s) for i, s in results)
    assert len(index.search(query, k=100)) <= len(FAQ)


def test_should_refuse_questions_and_answers_of_different_lengths():
    # Given one answer too few
    # When an index is built
    # Then the mistake is reported instead of misaligning entries
    with pytest.raises(ValueError, match="2 questions but 1 answers"):
        FaqIndex(["住民票", "ごみ"], ["市民課で取れます。"])


def test_should_index_an_empty_faq_list():
    # Given no entries (a department that has not imported its FAQ yet)
    index = FaqIndex([], [], RetrievalConfig())
    # When anything is searched
    # Then nothing is found
    assert len(index) == 0
    assert index.search("ごみ") == []
    assert index.scores("ごみ").shape == (0,)


# Where a two-kanji short form is what links a query and its entry.
ABBREVIATED = [
    ("特定健康診査はどこで受けられますか。", "市内の指定医療機関で、年に1回受けられます。"),
    ("予防接種はどこで受けられますか。", "市内の協力医療機関で受けられます。"),
    ("国保の保険料。", ""),
    ("介護保険の保険料。", ""),
    *FAQ,
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("健診はどこで受けられる？", 0),  # short form in the query, compound (健康診査) in the entry
        ("国民健康保険料", 2),  # compound in the query, short form (国保) in the entry
    ],
)
def test_should_match_a_two_kanji_abbreviation_with_the_compound_it_shortens(query, expected):
    questions, answers = [q for q, _ in ABBREVIATED], [a for _, a in ABBREVIATED]
    assert FaqIndex(questions, answers).search(query, k=1)[0][0] == expected
    without = FaqIndex(questions, answers, RetrievalConfig(abbreviations=False))
    assert without.search(query, k=1)[0][0] != expected  # the short form is what found it


def test_should_count_the_verbs_that_frame_a_query_less_than_its_nouns():
    faq = [("作ることについて", ""), ("巣について", ""), *FAQ]
    questions, answers = [q for q, _ in faq], [a for _, a in faq]
    framed = FaqIndex(questions, answers).scores("ハチが巣を作った")
    flat = FaqIndex(questions, answers, RetrievalConfig(framing_weight=1.0)).scores("ハチが巣を作った")
    # the entry sharing only the verb 作る loses ground to the one sharing the noun 巣
    assert framed[0] - framed[1] < flat[0] - flat[1] - 0.5
