"""Content words of a text: the nouns, verbs and adjectives that say what it is about.

The coverage check asks "does this intent know every word of the message that carries meaning?";
particles, auxiliaries, pronouns, numbers, dependent verbs (する, ある, いる) and common English
function words never do, so they are left out here.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sudachipy import tokenizer

from .normalize import katakana_to_hiragana
from .tokenizer import Tokenizer, default_tokenizer

LATIN_WORD = re.compile(r"[a-z][a-z0-9']*")
# (first, second) POS levels that carry meaning; anything else is a function word.
_CONTENT_POS = {
    ("名詞", "普通名詞"),
    ("名詞", "固有名詞"),
    ("動詞", "一般"),
    ("形容詞", "一般"),
    ("形状詞", "一般"),
}
# Nouns that only place a question in time or make a phrase a noun: 今, 毎日, こと, ため …
_SKIP_THIRD = {"副詞可能", "助数詞可能"}
_FUNCTION_NOUNS = {
    "こと",
    "もの",
    "ため",
    "よう",
    "ところ",
    "方",
    "とき",
    "時",
    "感じ",
    "場合",
    "事",
    "物",
    "訳",
    "筈",
    "例",  # 例の件, 例のステッカー: "that one"
}
# A word of three hiragana or more typed on its own (between spaces or punctuation): 「ここあ あぷり」
_HIRAGANA_RUN = re.compile(r"(?<![^\s、。,.!?！？「」])[ぁ-ゖー]{3,}(?![^\s、。,.!?！？「」])")
_TO_KATAKANA = str.maketrans({chr(c): chr(c + 0x60) for c in range(ord("ぁ"), ord("ゖ") + 1)})
# Who and where a resident is (妻, 先輩, 豊中市) is the setting of a question, never its topic.
_PEOPLE = set(
    [
        "妻",
        "夫",
        "主人",
        "嫁",
        "娘",
        "息子",
        "子供",
        "子ども",
        "子",
        "父",
        "母",
        "親",
        "両親",
        "父親",
        "母親",
        "祖父",
        "祖母",
        "孫",
        "兄",
        "姉",
        "弟",
        "妹",
        "家族",
        "親戚",
        "友達",
        "友人",
        "先輩",
        "後輩",
        "上司",
        "同僚",
        "部下",
        "彼氏",
        "彼女",
        "隣人",
        "近所",
        "自分",
        "私",
        "僕",
        "俺",
        "うち",
        "本人",
        "知人",
        "高齢者",
        "お年寄り",
        "年寄り",
    ]
)
_SETTING_POS = {"地名", "人名"}
# Verbs and adjectives that make a question a question, whatever it is about.
_ASKING_WORDS = {
    "付く",
    "つく",
    "教える",
    "知る",
    "聞く",
    "訊く",
    "思う",
    "分かる",
    "言う",
    "出来る",
    "行く",
    "来る",
    "見る",
    "使う",
    "欲しい",
    "良い",
    "大丈夫",
    "困る",
    "頼む",
    "願う",
    "調べる",
    "探す",
    "考える",
    "済む",
}
# An unseen English content word (function words and short words left out): the packs have few
# English examples, and English says in several words what Japanese says in one compound.
ENGLISH_WEIGHT = 0.5
# Parts of speech that rarely name a topic on their own count half (the nouns carry the topic).
HALF_WEIGHT_POS = {"動詞", "形容詞", "形状詞"}
ENGLISH_FUNCTION_WORDS = set(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "about",
        "into",
        "over",
        "after",
        "before",
        "as",
        "if",
        "or",
        "and",
        "but",
        "not",
        "no",
        "yes",
        "so",
        "than",
        "then",
        "there",
        "here",
        "any",
        "some",
        "all",
        "get",
        "got",
        "please",
        "tell",
        "know",
        "want",
        "need",
        "many",
        "much",
        "there's",
        "it's",
        "i'm",
        "don't",
        "can't",
        "osaka",
    ]
)
ENGLISH_FUNCTION_WORDS |= set(
    [
        "since",
        "yesterday",
        "today",
        "tomorrow",
        "hello",
        "hi",
        "nice",
        "meet",
        "thanks",
        "thank",
        "okay",
        "ok",
        "just",
        "also",
        "still",
        "very",
        "really",
    ]
)


# Who a resident is, in English as in Japanese (_PEOPLE): the setting of a question, never its topic.
ENGLISH_FUNCTION_WORDS |= set(
    [
        "wife",
        "husband",
        "son",
        "daughter",
        "mother",
        "father",
        "mom",
        "dad",
        "parent",
        "parents",
        "child",
        "children",
        "kid",
        "kids",
        "family",
        "friend",
        "friends",
        "neighbor",
        "neighbour",
        "grandmother",
        "grandfather",
        "boss",
    ]
)


@dataclass(frozen=True, slots=True)
class Word:
    """``form``: Sudachi's normalised form (lower-case for English); ``reading``: its reading in
    hiragana (empty for English), so ひらがなだけ meets 漢字."""

    form: str
    reading: str
    surface: str
    parts: tuple[str, ...] = ()  # Sudachi's shortest units of a compound: 相談先 → 相談, 先
    weight: float = 1.0  # 0.5 for verbs and adjectives
    # the noun this word names a kind of, when it stands right before it: インフルエンザ(の)予防接種
    modifies: str = ""
    # Sudachi's synonym groups: 送り先, 送付先 and 宛先 share one; カバン and バッグ another
    synonyms: tuple[int, ...] = ()
    noun: bool = True  # False for verbs, adjectives and English words


class ContentWords:
    """Thread-safe; results are cached per text."""

    def __init__(self, tokens: Tokenizer | None = None) -> None:
        # Sudachi through the word tokenizer: one dictionary and one analyser per thread per process
        self._tokens = tokens if tokens is not None else default_tokenizer()
        self.words = lru_cache(maxsize=65536)(self._words)

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokens

    def _words(self, text: str) -> tuple[Word, ...]:
        found: list[Word] = []
        morphemes = [
            m for m in self._tokens.sudachi().tokenize(text[:2000]) if m.part_of_speech()[0] != "空白"
        ]
        for position, morpheme in enumerate(morphemes):
            surface = morpheme.surface()
            modifies = _modified_noun(morphemes, position)
            if surface.isascii() and LATIN_WORD.search(surface.lower()):
                # Sudachi may keep "Could you" as one unit: take its English words one by one.
                # Compounds are the norm in English and the packs have few English examples,
                # so an unseen English word counts half.
                for word in LATIN_WORD.findall(surface.lower()):
                    if word not in ENGLISH_FUNCTION_WORDS and len(word) > 2:
                        found.append(Word(_english_stem(word), "", word, weight=ENGLISH_WEIGHT, noun=False))
                continue
            pos = morpheme.part_of_speech()
            if (pos[0], pos[1]) not in _CONTENT_POS or pos[2] in _SKIP_THIRD or pos[2] in _SETTING_POS:
                continue
            form = morpheme.normalized_form()
            if (
                form in _FUNCTION_NOUNS
                or form in _ASKING_WORDS
                or form in _PEOPLE
                or surface in _PEOPLE
                or (len(surface) == 1 and not _is_kanji(surface))
            ):
                continue
            parts = tuple(p.normalized_form() for p in morpheme.split(tokenizer.Tokenizer.SplitMode.A))
            weight = 0.5 if pos[0] in HALF_WEIGHT_POS else 1.0
            found.append(
                Word(
                    form,
                    katakana_to_hiragana(morpheme.reading_form()),
                    surface,
                    parts if len(parts) > 1 else (),
                    weight,
                    modifies if pos[0] == "名詞" else "",
                    tuple(morpheme.synonym_group_ids()),
                    pos[0] == "名詞" and pos[2] != "形状詞可能",  # 総合的, 安全: an attribute
                )
            )
        for token in _HIRAGANA_RUN.findall(text):
            if not any(word.surface in token for word in found):
                found.extend(self._loanword(token))
        return tuple(found)

    def _loanword(self, token: str) -> tuple[Word, ...]:
        """A loanword typed in hiragana (あぷり, ここあ, まいなんばー): Sudachi reads it as
        nonsense, but its katakana form is one noun of the dictionary."""
        katakana = token.translate(_TO_KATAKANA)
        morphemes = list(self._tokens.sudachi().tokenize(katakana))
        if len(morphemes) != 1 or morphemes[0].is_oov():
            return ()
        morpheme = morphemes[0]
        if (morpheme.part_of_speech()[0], morpheme.part_of_speech()[1]) not in _CONTENT_POS:
            return ()
        if morpheme.part_of_speech()[0] != "名詞" or morpheme.part_of_speech()[2] in _SETTING_POS:
            return ()  # あるん is not the name アルン
        return (
            Word(
                morpheme.normalized_form(),
                token,
                token,
                synonyms=tuple(morpheme.synonym_group_ids()),
            ),
        )


def is_noun(morpheme: Any) -> bool:
    pos = morpheme.part_of_speech()
    if LATIN_WORD.fullmatch(morpheme.surface()):
        return morpheme.surface().lower() not in ENGLISH_FUNCTION_WORDS
    return (
        pos[0] in ("名詞", "接尾辞")
        and pos[2] not in _SKIP_THIRD
        and morpheme.normalized_form() not in _FUNCTION_NOUNS
    )


def _modified_noun(morphemes: list[Any], position: int) -> str:
    """The normalised noun the word at ``position`` stands before (directly, or with の between),
    or "" when it does not."""
    following = morphemes[position + 1 : position + 3]
    if not following:
        return ""
    if is_noun(following[0]):
        return str(following[0].normalized_form())
    if following[0].surface() == "の" and len(following) > 1 and is_noun(following[1]):
        return str(following[1].normalized_form())
    return ""


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _english_stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_default: ContentWords | None = None
_lock = threading.Lock()


def default_content_words() -> ContentWords:
    """One per process: it shares Sudachi's memory-mapped dictionary with the tokenizer."""
    global _default
    with _lock:
        if _default is None:
            _default = ContentWords(default_tokenizer())
        return _default
