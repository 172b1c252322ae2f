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

_LATIN = re.compile(r"[a-z][a-z0-9']*")
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
# Particles that make the noun phrase before them what a clause is about (topic, subject, object).
_PHRASE_MARKERS = {"は", "って", "とは", "には", "を", "が", "も"}
# Question words Sudachi reads as adverbs: 「家賃なんぼ」「開発費いくら」
_QUESTION_ADVERBS = {"幾ら", "いくら", "なんぼ", "何ぼ", "どう", "如何", "いかが", "何故", "なぜ", "何で"}
# Particles that join two nouns into one phrase: of (の), and (と, や)
_JOINING = {"の", "と", "や"}
# A word of three hiragana or more typed on its own (between spaces or punctuation): 「ここあ あぷり」
_HIRAGANA_RUN = re.compile(r"(?<![^\s、。,.!?！？「」])[ぁ-ゖー]{3,}(?![^\s、。,.!?！？「」])")
_TO_KATAKANA = str.maketrans({chr(c): chr(c + 0x60) for c in range(ord("ぁ"), ord("ゖ") + 1)})
# Case particles that with の make an adnominal link: 確定申告での扱い, 府への申請, 業者からの請求
_CASE_BEFORE_NO = {"で", "へ", "から", "まで", "と", "に"}
# Suffixes that make a noun an adjective or verb (通知っぽい, 大人らしい): the chain ends there.
_NON_NOUN_SUFFIX = {"形容詞的", "動詞的", "形状詞的"}
# て・で join verbs inside one clause (見て、確認して): no new clause begins there.
_LINKING_TE = {"て", "で"}
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
_ENGLISH_FUNCTION = set(
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
_ENGLISH_FUNCTION |= set(
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
_ENGLISH_FUNCTION |= set(
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
# English prepositions of place and time: the noun phrase after them says where or when, not what.
_ENGLISH_SETTING = {
    "on",
    "in",
    "at",
    "from",
    "near",
    "inside",
    "outside",
    "into",
    "during",
    "since",
    "around",
}


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
        self.focus_phrases = lru_cache(maxsize=65536)(self._focus_phrases)

    def _focus_phrases(self, text: str) -> tuple[tuple[str, ...], ...]:
        """The noun phrases the main clause of ``text`` is about, as the surfaces of their words:
        a chain of nouns (joined directly or by の) marked as topic, subject or object (は, って,
        が, を, も …) or ending the text (「時短協力金の支給額の計算方法」).

        「ネットで買ったカバンが届かない」 is about カバン; ネット is where it was bought. A phrase
        before a conjunction (〜ので, 〜たら, 〜けど) belongs to a clause that sets the scene, so
        the phrases found so far are dropped there: 「店の住所が変わったので、登録を直したい」
        is about 登録."""
        if text.isascii():
            return _english_phrases(text[:2000])
        morphemes = [
            m for m in self._tokens.sudachi().tokenize(text[:2000]) if m.part_of_speech()[0] != "空白"
        ]
        clauses: list[list[tuple[str, ...]]] = [[]]
        chain: list[str] = []
        position = 0
        while position < len(morphemes):
            morpheme = morphemes[position]
            surface = morpheme.surface()
            following = morphemes[position + 1] if position + 1 < len(morphemes) else None
            pos = morpheme.part_of_speech()
            position += 1
            if (
                (_is_noun(morpheme) and pos[1] not in _NON_NOUN_SUFFIX)
                or pos[0] == "接頭辞"
                or (chain and pos[2] == "助数詞可能")  # 利子割, 均等割: a counter noun ends a phrase
            ):
                chain.append(surface)
                continue
            link = _noun_link(morphemes, position - 1) if chain else 0
            if link:  # インフルエンザ(の)予防接種, 確定申告(での)扱い, 禁煙外来(のある)病院
                position += link - 1
                continue
            if _ends_clause(morpheme, following):
                clauses.append([])
            elif chain and _marks_phrase(morpheme):
                clauses[-1].append(tuple(chain))
            chain = []
        if chain:
            clauses[-1].append(tuple(chain))
        # 「〜はどこに言えばいい」: after the last conjunction comes only an evaluation (いい, ええ);
        # the last clause that names something is the one that asks.
        return tuple(next((c for c in reversed(clauses) if c), []))

    def _words(self, text: str) -> tuple[Word, ...]:
        found: list[Word] = []
        morphemes = [
            m for m in self._tokens.sudachi().tokenize(text[:2000]) if m.part_of_speech()[0] != "空白"
        ]
        for position, morpheme in enumerate(morphemes):
            surface = morpheme.surface()
            modifies = _modified_noun(morphemes, position)
            if surface.isascii() and _LATIN.search(surface.lower()):
                # Sudachi may keep "Could you" as one unit: take its English words one by one.
                # Compounds are the norm in English and the packs have few English examples,
                # so an unseen English word counts half.
                for word in _LATIN.findall(surface.lower()):
                    if word not in _ENGLISH_FUNCTION and len(word) > 2:
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


def _english_phrases(text: str) -> tuple[tuple[str, ...], ...]:
    """English noun phrases, roughly: runs of content words that no function word or punctuation
    breaks ("flu shot", "golf course tax"). English puts the kind before the thing, as Japanese
    does: an unknown word in a run with a known one names a new kind of it."""
    phrases: list[tuple[str, ...]] = []
    run: list[str] = []
    setting = False  # the run follows "in", "on", "at" …: where or when, not what

    def close() -> None:
        if run and not setting:
            phrases.append(tuple(run))
        run.clear()

    for match in re.finditer(r"[a-z][a-z0-9']*|[^a-z0-9'\s]", text.lower()):
        word = match.group()
        if _LATIN.fullmatch(word) and word not in _ENGLISH_FUNCTION and len(word) > 2:
            if run and word.endswith(("ing", "ed")):
                close()  # "a text message saying …": the participle starts a clause
                setting = False
            run.append(word)
            continue
        if run:
            close()
            setting = False
        setting = setting or word in _ENGLISH_SETTING
    close()
    return tuple(phrases)


def _noun_link(morphemes: list[Any], position: int) -> int:
    """How many words from ``position`` link the noun before them to the noun after them in one
    phrase (0 when they do not): の, と, や (インフルエンザの予防接種, 月次支援金と協力金), a case
    particle before の (確定申告での扱い, 府への申請), or the "with" of のある・がある・のない
    (禁煙外来のある病院)."""
    link: list[str] = []
    for morpheme in morphemes[position : position + 3]:
        if _is_noun(morpheme):
            break
        pos = morpheme.part_of_speech()
        link.append(morpheme.normalized_form() if pos[0] in ("動詞", "形容詞") else morpheme.surface())
    else:
        return 0  # no noun within reach
    if (
        (len(link) == 1 and link[0] in _JOINING)
        or (len(link) == 2 and link[1] == "の" and link[0] in _CASE_BEFORE_NO)
        or (len(link) == 2 and link[0] in ("の", "が") and link[1] in ("有る", "無い"))
    ):
        return len(link)
    return 0


def _marks_phrase(morpheme: Any) -> bool:
    """Does this word make the noun chain before it what the clause is about? A topic, subject or
    object particle (は, が, を …), or what ends a nominal question: 「家賃なんぼ？」「税率は？」
    「支給日です」. An adjunct (で, に, から …: where, when, to whom, by what means) does not,
    nor で read as a copula (「事務所の名前で、請求が来た」)."""
    pos = morpheme.part_of_speech()
    return (
        morpheme.surface() in _PHRASE_MARKERS
        or (pos[0] in ("助動詞", "補助記号", "代名詞") and morpheme.surface() != "で")
        or pos[1] == "終助詞"
        or morpheme.normalized_form() in _QUESTION_ADVERBS
    )


def _ends_clause(morpheme: Any, following: Any) -> bool:
    """A conjunction between clauses: 〜から, 〜けど, 〜が, 〜ば (not the て・で that join verbs),
    〜たら, and 〜ので (Sudachi: の + で)."""
    pos = morpheme.part_of_speech()
    surface = morpheme.surface()
    if pos[1] == "接続助詞":
        return surface not in _LINKING_TE
    if pos[0] == "助動詞" and surface in ("たら", "だら"):
        return True
    return (
        pos[1] == "準体助詞"
        and following is not None
        and following.surface() == "で"
        and following.part_of_speech()[0] == "助動詞"
    )


def _is_noun(morpheme: Any) -> bool:
    pos = morpheme.part_of_speech()
    if _LATIN.fullmatch(morpheme.surface()):
        return morpheme.surface().lower() not in _ENGLISH_FUNCTION
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
    if _is_noun(following[0]):
        return str(following[0].normalized_form())
    if following[0].surface() == "の" and len(following) > 1 and _is_noun(following[1]):
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
