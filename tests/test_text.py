"""Japanese text handling: variants meet, different words stay apart, languages are told apart."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_nlu.text import SynonymMap, default_tokenizer, detect_language, fold_width, normalize
from shared_nlu.text.dialect import standardize_kansai


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),
        ("ｶﾀｶﾅ", "カタカナ"),
        ("本当？？？！！！", "本当?!"),
        ("ありがとう😊🙏", "ありがとう"),
        ("  自動車税　　期限  ", "自動車税 期限"),
        ("すごいｗｗｗ", "すごい"),
        ("ﾃﾞｰﾀ", "データ"),
    ],
)
def test_should_normalise_what_phones_type(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


@pytest.mark.parametrize(
    ("typed", "plain", "compatible"),
    [
        (
            "ＴＥＬ　０６－６９１０−８００１　￥３，０００",
            "TEL 06-6910-8001 ¥3,000",
            "tel 06-6910-8001 ¥3,000",
        ),
        ("ｶﾀｶﾅ①ｍ²", "ｶﾀｶﾅ①m²", "カタカナ1m2"),
        ("Info@Example.JP", "Info@Example.JP", "info@example.jp"),
        ("㍻ßﬁ―", "㍻ßﬁ-", "㍻ßﬁ-"),  # NFKC forms longer than one character are kept as typed
    ],
)
def test_should_fold_width_without_moving_a_character(typed: str, plain: str, compatible: str) -> None:
    # Given what a phone types, When its width is folded, Then every character stays at its offset
    assert fold_width(typed) == plain
    assert fold_width(typed, compatibility=True) == compatible
    assert len(fold_width(typed)) == len(fold_width(typed, compatibility=True)) == len(typed)


@pytest.mark.parametrize(
    "variants",
    [
        ("引っ越し", "引越し"),
        ("申し込み", "申込み"),
        ("クーリング・オフ", "クーリングオフ"),
        ("問い合わせ", "問合せ"),
    ],
)
def test_should_make_orthographic_variants_meet(variants: tuple[str, str]) -> None:
    words = default_tokenizer().words
    assert words(normalize(variants[0])) == words(normalize(variants[1]))


def test_should_keep_different_words_apart() -> None:
    words = default_tokenizer().words
    assert words("自動車税") != words("不動産取得税")
    assert words("申し込み") != words("取り消し")


def test_should_map_kansai_dialect_to_standard_words() -> None:
    words = default_tokenizer().words
    assert words("なんぼ")[0] == words("いくら")[0]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("When is the car tax due?", "en"),
        ("自動車税の期限は？", "ja"),
        ("QRコードが読めない", "ja"),
        ("I registered on LINE but got no mail from the tracing system", "en"),
        ("12345", "ja"),
    ],
)
def test_should_detect_the_language_of_a_message(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_should_apply_synonyms_longest_first() -> None:
    synonyms = SynonymMap([("車の税金", "自動車税"), ("車", "自動車"), ("ネット通販", "通信販売")])
    assert synonyms.apply(normalize("車の税金はネット通販で払える？")) == "自動車税は通信販売で払える?"
    assert synonyms.apply("車を売った") == "自動車を売った"


def test_should_not_replace_a_variant_inside_its_canonical_word() -> None:
    synonyms = SynonymMap([("車税", "自動車税")])
    assert synonyms.apply("自動車税の期限") == "自動車税の期限"
    assert synonyms.apply("車税の期限") == "自動車税の期限"


def test_should_keep_words_that_end_in_kanji_used_as_laughter() -> None:
    assert normalize("空き地の雑草") == "空き地の雑草"
    assert normalize("www.pref.osaka.lg.jp") == "www.pref.osaka.lg.jp"


@pytest.mark.parametrize(
    ("kansai", "standard"),
    [
        ("まだ届いてへん", "まだ届いていない"),
        ("税金払わなあかんの?", "税金払わなければならないの?"),
        ("これ有料なん?", "これ有料なの?"),
        ("よくわからへん", "よくわからない"),
        ("メールが来えへん", "メールが来ない"),
        ("ようせえへん", "ようしない"),
        ("登録できへんねん", "登録できない"),
        ("自動車税やねん", "自動車税です"),
        ("どないしたらええ?", "どうしたらええ?"),
        ("間違えて契約してもうた", "間違えて契約してしまった"),
    ],
)
def test_should_standardise_kansai_endings(kansai: str, standard: str) -> None:
    assert standardize_kansai(kansai) == standard


@pytest.mark.parametrize(
    "standard", ["このへんに窓口はありますか", "たいへん助かりました", "何なんですか", "なんで"]
)
def test_should_leave_standard_japanese_alone(standard: str) -> None:
    assert standardize_kansai(standard) == standard


def test_should_tokenise_from_many_threads_at_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    words = default_tokenizer().words
    texts = [f"自動車税の納期限はいつですか{i}" for i in range(400)]  # distinct texts: the cache cannot help
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(words, texts))
    assert all(result[0] == "自動車" for result in results)


# Any str at all: lone surrogates (a broken "\ud800" JSON escape), NUL and other control
# characters among ordinary text. Sudachi raises on a surrogate; normalising must not pass one on.
ANY_TEXT = st.text(
    st.one_of(
        st.characters(codec=None, exclude_categories=()),
        st.sampled_from(
            ["\ud800", "\udbff", "\udc00", "\udfff", "\x00", "\x07", "\x1b", "\x7f", "\x85", "税"]
        ),
    ),
    max_size=40,
)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(ANY_TEXT)
def test_normalising_never_fails_and_leaves_no_surrogate_or_control_character(text: str) -> None:
    normalized = normalize(text)
    assert not any("\ud800" <= ch <= "\udfff" for ch in normalized)
    assert not any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in normalized)
    normalized.encode("utf-8")  # what Sudachi does with it


def test_the_nlu_parses_any_text_without_raising(real_nlu) -> None:
    texts = ["\ud800", "自動車税\ud800の納期限", "\udfff\ud800", "a\x00b", "\x1b[31m税", "\ud83d", "\x00"]
    for text in texts:
        result = real_nlu.parse(text)
        assert result.intent  # a result (the fallback at worst), not an exception
    assert real_nlu.parse("自動車税\ud800の納期限").intent == real_nlu.parse("自動車税 の納期限").intent
