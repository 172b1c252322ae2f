"""Numbers and amounts of money as residents write them: 15,000 / １５０００ / 一万五千 / 1万5千円."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..text.width import fold_width
from .model import EntityMatch

_DIGITS = {"〇": 0, "零": 0, "一": 1, "壱": 1, "二": 2, "弐": 2, "三": 3, "参": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10**4, "萬": 10**4, "億": 10**8, "兆": 10**12}
_KANJI = "".join([*_DIGITS, *_SMALL_UNITS, *_LARGE_UNITS])

# "15,000" is one token only when every group after a comma has three digits; "1,2" is 1 and 2.
_ASCII_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+"
_TOKEN = re.compile(rf"{_ASCII_NUMBER}|.", re.DOTALL)
_SPAN = re.compile(rf"(?:{_ASCII_NUMBER}|[{_KANJI}])+")

# A lone kanji numeral is usually part of a word (一般, 千葉, 統一, 万が一); it counts as a number only
# before a counter word, as in 一人, 三日, 千円.
_COUNTERS = (
    *"円日月年人名件回歳才個枚本台週時分秒割つ",
    *("か月", "ヶ月", "カ月", "ヵ月", "ケ月", "箇月"),
)
# Longer than any amount a resident types (九千九百九十九兆… has 32 characters); longer digit runs are
# IDs or noise, and refusing them keeps int() and the positional kanji reading cheap.
MAX_NUMBER_LENGTH = 40
_YEN_BEFORE = "¥\\"  # a backslash is the yen sign on Japanese keyboards and in Shift_JIS
_YEN_AFTER = ("円", "えん", "エン")


def parse_japanese_number(text: str) -> int | None:
    """The non-negative integer ``text`` spells, or ``None`` if it is not exactly one number.

    Reads ASCII and full-width digits with or without thousands commas (15,000), kanji numerals
    with units (三百五十 = 350, 二千二十六 = 2026), kanji digits read positionally (二〇二六 = 2026),
    and digits mixed with units (1万5千 = 15000, 1500万 = 15000000). Decimals (1.5万), malformed
    numerals (十百, 万万, 1二) and text over :data:`MAX_NUMBER_LENGTH` characters give ``None``;
    nothing is raised.
    """
    folded = fold_width(text).strip()
    if not folded or len(folded) > MAX_NUMBER_LENGTH:
        return None
    total = section = 0
    pending: int | None = None  # digits read but not yet multiplied by a unit
    pending_is_kanji = False
    last_small, last_large = 10**4, 10**13  # units must fall within a section: 千百十, then 兆億万
    for token in _TOKEN.findall(folded):
        if token[0] in "0123456789":
            if pending is not None:
                return None
            pending, pending_is_kanji = int(token.replace(",", "")), False
        elif token in _DIGITS:
            if pending is not None and not pending_is_kanji:
                return None
            pending = _DIGITS[token] if pending is None else pending * 10 + _DIGITS[token]
            pending_is_kanji = True
        elif token in _SMALL_UNITS:
            unit = _SMALL_UNITS[token]
            if unit >= last_small or (pending is not None and not 1 <= pending <= 9):
                return None
            section += (1 if pending is None else pending) * unit
            pending, last_small = None, unit
        elif token in _LARGE_UNITS:
            unit = _LARGE_UNITS[token]
            multiplier = section + (pending or 0)
            if unit >= last_large or multiplier == 0:
                return None
            total += multiplier * unit
            section, pending, last_small, last_large = 0, None, 10**4, unit
        else:
            return None
    return total + section + (pending or 0)


def _scan(folded: str) -> Iterator[tuple[int, int, int]]:
    """``(start, end, value)`` of every number in already width-folded text."""
    for match in _SPAN.finditer(folded):
        start, end = match.span()
        # 3.5 is neither 3 nor 5; skipping it beats turning 1.5万円 into 5万円.
        if folded[start - 1 : start] == "." and folded[start - 2 : start - 1].isdigit():
            continue
        if folded[end : end + 1] == "." and folded[end + 1 : end + 2].isdigit():
            continue
        value = parse_japanese_number(folded[start:end])
        if value is not None:
            yield start, end, value


def find_numbers(text: str) -> list[EntityMatch]:
    """Every number in ``text`` as entity ``"number"`` with an ``int`` value, in order."""
    folded = fold_width(text)
    found = []
    for start, end, value in _scan(folded):
        lone_kanji = end - start == 1 and folded[start] in _KANJI
        if lone_kanji and not folded.startswith(_COUNTERS, end):
            continue
        found.append(EntityMatch("number", value, start, end, text[start:end], "builtin"))
    return found


def find_amounts(text: str) -> list[EntityMatch]:
    """Every amount of money in yen as entity ``"amount"``, the value an ``int`` number of yen.

    An amount is a number with a yen sign before it (¥3000, ￥3,000) or 円/えん/エン after it
    (1万5千円, 15,000円, 一万円, 3000えん); the span covers the sign. A space may separate them.
    """
    folded = fold_width(text)
    found = []
    for start, end, value in _scan(folded):
        first, last = start, end
        sign_at = start - 2 if folded[start - 1 : start] == " " else start - 1
        if sign_at >= 0 and folded[sign_at] in _YEN_BEFORE:
            first = sign_at
        after_at = end + 1 if folded[end : end + 1] == " " else end
        suffix = next((s for s in _YEN_AFTER if folded.startswith(s, after_at)), None)
        if suffix is not None:
            last = after_at + len(suffix)
        if (first, last) != (start, end):
            found.append(EntityMatch("amount", value, first, last, text[first:last], "builtin"))
    return found
