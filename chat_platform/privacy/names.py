"""Names of people, found with Sudachi's 人名 (person name) tokens and the words around them.

A run of 人名 tokens is a name when something says so: an honorific after it (山田さん, 鈴木様,
健太くん, ひかりちゃん, 田中先生), 〜と申します / 〜といいます after it, 名前は / 氏名 / 名義 / 私は
before it, a family name followed by a given name (山田花子), or it opens the message before です
(「伊藤です。」). A word that is not in the dictionary, or is written in hiragana, counts before an
honorific or と申します too (rare family names); dictionary nouns do not (皆さん, 大家さん, 業者さん).
A lone 人名 token without any of these stays (中村の住所 is rare as a name, common as a place or a
word: 大和川). Latin names after Mr/Ms/Mrs/Dr or before -san, and after "my name is".
Sudachi runs only when one of these cues is in the message (it costs ~20 µs a message).
"""

from __future__ import annotations

import itertools
import re

from shared_nlu.text.tokenizer import Morpheme, default_tokenizer

Span = tuple[int, int, str]

_CUE = re.compile(
    r"(?=[さ様く君ち氏殿先は申い言名フふでわ私僕ぼMmDs])(?:さん|さま|様|くん|君|ちゃん|氏|殿|先生|はん|申|いいます|言います|名前|氏名|名義|フリガナ|ふりがな|です|わたし|私|僕|ぼく"
    r"|[Mm]rs?\.?|[Mm]s\.?|[Dd]r\.|san|name)"
)
_HONORIFIC = {"さん", "さま", "様", "くん", "君", "ちゃん", "氏", "殿", "先生", "はん", "ちゃま", "たん"}
_INTRO_AFTER = re.compile(r" ?(?:と|って|っちゅう)(?:申し|申す|もうし|いい|言い|いう|言う)")
_LABEL_BEFORE = re.compile(
    r"(?:お?名前|氏名|名義人?|フリガナ|ふりがな|カナ|わたし|私|わたくし|僕|ぼく|俺|おれ|うち|担当者?)(?:の名前)?"
    r"(?:は|:|：|、|が| )*[ ]*$"
)
_OPENING = re.compile(
    r"^[\W]*(?:(?:こんにちは|こんばんは|おはようございます|すみません|すいません|もしもし|はじめまして|初めまして"
    r"|お世話になります|お世話になっております|失礼します)[、。!！?？\s]*)*$"
)
_SELF_INTRO_AFTER = re.compile(r" ?(?:です|だ|やけど|ですが|と申)")
_LATIN = re.compile(
    r"\b(?:Mr|Ms|Mrs|Miss|Dr)\.? ?[A-Z][a-z]+(?: [A-Z][a-z]+)?|\b[A-Z][a-z]+(?: [A-Z][a-z]+)?-san\b"
    r"|(?<=[Mm]y name is )[A-Z][a-z]+(?: [A-Z][a-z]+)?"
)
_UPPER = re.compile("[A-Z]")
_HIRAGANA = re.compile("[ぁ-ゖー]{2,}")
_KANA = re.compile("[ぁ-ゖァ-ヺー]{2,}")


def _is_person(m: Morpheme) -> bool:
    return len(m.pos) > 2 and m.pos[2] == "人名"


def _is_noun(m: Morpheme) -> bool:
    return m.pos[0] == "名詞" and m.pos[1] != "数詞"


def _unknown_name(m: Morpheme) -> bool:
    """A word that may be a name Sudachi does not know: not in the dictionary, or kana."""
    if not _is_noun(m) or (len(m.pos) > 2 and m.pos[2] == "地名"):
        return False
    return m.oov or bool(_HIRAGANA.fullmatch(m.surface)) or (m.pos[1] == "固有名詞" and m.pos[2] != "一般")


def find_names(base: str) -> list[Span]:
    found: list[Span] = [(*m.span(), "name") for m in _LATIN.finditer(base)] if _UPPER.search(base) else []
    if not _CUE.search(base):
        return found
    try:
        tokens = [t for t in default_tokenizer().morphemes(base) if t.pos[0] != "空白"]
    except Exception:
        return found
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and _is_person(tokens[j]):
            j += 1
        if j > i and _named(base, tokens, i, j):
            found.append((tokens[i].start, tokens[j - 1].end, "name"))
            i = j
            continue
        # a word Sudachi does not know as a name, before an honorific or と申します
        if _unknown_name(tokens[i]) and i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if nxt.surface in _HONORIFIC or _INTRO_AFTER.match(base, tokens[i].end):
                start = tokens[i - 1].start if i and _unknown_name(tokens[i - 1]) else tokens[i].start
                found.append((start, tokens[i].end, "name"))
        i = max(j, i + 1)
    found += _after_label(base, tokens)
    return found


def _named(base: str, tokens: list[Morpheme], i: int, j: int) -> bool:
    """Whether the 人名 tokens i..j-1 are a name here (see the module's docstring)."""
    start, end = tokens[i].start, tokens[j - 1].end
    if j < len(tokens) and tokens[j].surface in _HONORIFIC:
        return True
    if _INTRO_AFTER.match(base, end) or _LABEL_BEFORE.search(base, max(0, start - 12), start):
        return True
    surnames = [t.pos[3] == "姓" for t in tokens[i:j]]
    if any(a and not b for a, b in itertools.pairwise(surnames)):
        return True  # a family name, then a given name
    # 「伊藤です。」 opening the message, or 「…の山田です」 (of some place or office)
    opening = _OPENING.match(base[:start]) or base[start - 1 : start] == "の"
    return bool(opening) and bool(_SELF_INTRO_AFTER.match(base, end))


def _after_label(base: str, tokens: list[Morpheme]) -> list[Span]:
    """Nouns after 名前は / 氏名 / 名義, and nouns before と申します, whatever Sudachi calls them."""
    found: list[Span] = []
    for k, t in enumerate(tokens):
        if t.surface in ("名前", "氏名", "名義", "名義人", "フリガナ", "ふりがな"):
            n = k + 1
            while n < len(tokens) and tokens[n].surface in ("は", ":", "：", "、", "が", "の"):
                n += 1
            m = n
            while m < len(tokens) and m - n < 4 and (_is_person(tokens[m]) or _unknown_name(tokens[m])
                                                       or (_is_noun(tokens[m]) and _KANA.fullmatch(tokens[m].surface))):  # fmt: skip
                m += 1
            if m > n:
                found.append((tokens[n].start, tokens[m - 1].end, "name"))
        if t.surface in ("と", "って") and _INTRO_AFTER.match(base, t.start):
            m = k
            while m > 0 and k - m < 3 and _is_noun(tokens[m - 1]) and not _is_place_or_word(tokens[m - 1]):
                m -= 1
            if m < k:
                found.append((tokens[m].start, tokens[k - 1].end, "name"))
    return found


def _is_place_or_word(t: Morpheme) -> bool:
    return len(t.pos) > 2 and (
        t.pos[2] == "地名" or (t.pos[1] == "普通名詞" and not _KANA.fullmatch(t.surface))
    )
