"""What a question is about: the noun phrases of the clause that asks.

「インフルエンザの予防接種はどこで受けられますか」 is about インフルエンザの予防接種; どこ is what it
asks, 受けられる how. The coverage check (``nlu.coverage``) needs this to tell a new kind of a known
thing (インフルエンザ before 予防接種), which its intent does not answer, from a detail told on the way
(「ネットで買ったカバンが届かない」: ネット is where it was bought). Sudachi's parts of speech are enough:
a chain of nouns marked as topic, subject or object, in the last clause that names something.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .content_words import ENGLISH_FUNCTION_WORDS, LATIN_WORD, is_noun
from .tokenizer import Tokenizer, default_tokenizer

# Particles that make the noun phrase before them what a clause is about (topic, subject, object).
_PHRASE_MARKERS = {"は", "って", "とは", "には", "を", "が", "も"}
# Question words Sudachi reads as adverbs: 「家賃なんぼ」「開発費いくら」
_QUESTION_ADVERBS = {"幾ら", "いくら", "なんぼ", "何ぼ", "どう", "如何", "いかが", "何故", "なぜ", "何で"}
# Particles that join two nouns into one phrase: of (の), and (と, や)
_JOINING = {"の", "と", "や"}
# Case particles that with の make an adnominal link: 確定申告での扱い, 府への申請, 業者からの請求
_CASE_BEFORE_NO = {"で", "へ", "から", "まで", "と", "に"}
# Suffixes that make a noun an adjective or verb (通知っぽい, 大人らしい): the chain ends there.
_NON_NOUN_SUFFIX = {"形容詞的", "動詞的", "形状詞的"}
# て・で join verbs inside one clause (見て、確認して): no new clause begins there.
_LINKING_TE = {"て", "で"}
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


class FocusPhrases:
    """Thread-safe (one Sudachi analyser per thread, ``Tokenizer.sudachi``); cached per text."""

    def __init__(self, tokens: Tokenizer | None = None) -> None:
        self._tokens = tokens if tokens is not None else default_tokenizer()
        self.phrases = lru_cache(maxsize=65536)(self._phrases)

    def _phrases(self, text: str) -> tuple[tuple[str, ...], ...]:
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
                (is_noun(morpheme) and pos[1] not in _NON_NOUN_SUFFIX)
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
        if LATIN_WORD.fullmatch(word) and word not in ENGLISH_FUNCTION_WORDS and len(word) > 2:
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
        if is_noun(morpheme):
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
