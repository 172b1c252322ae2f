"""Folded copies of a message that the detectors read: same length as the original, so a span
found in a copy is the same span in the original.

``base``: full-width letters, digits and signs as ASCII, every dash a Japanese keyboard produces as
``-`` (ー and ｰ only between digits, where they are a dash typed with the wrong key), and the
placeholders of an earlier pass blanked out so that their words (［電話番号］) are not read as labels.
``numeric``: ``base`` with kanji digits as ASCII digits (〇九〇 → 090, 壱弐参 → 123), for the number
detectors only: 八尾市 stays 八尾市 in ``base``, where addresses and dates are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ０-９, Ａ-ｚ, ＠, －, （ …
_FOLD |= {0x3000: ord(" "), 0xFE63: ord("-"), 0xFF65: ord("・"), 0x2E3A: ord("-")}
_FOLD |= {ord(dash): ord("-") for dash in "‐‑‒–—―−⁃"}
_KANJI_DIGITS = str.maketrans("〇零一二三四五六七八九壱弐弍参肆伍陸漆捌玖", "001234567891223456789")
_DIGIT_DASH = re.compile("(?<=[0-9])[ーｰ~〜](?=[0-9])")
_KANJI_DIGIT_CHARS = re.compile("[〇零一二三四五六七八九壱弐弍参肆伍陸漆捌玖]")
BLANK = "\ufffc"  # what a placeholder becomes in the copies: no pattern matches it


@lru_cache(maxsize=64)
def _folded(placeholder: str) -> str:
    return placeholder.translate(_FOLD)


@dataclass(frozen=True)
class Views:
    base: str
    numeric: str


def views(text: str, placeholders: tuple[str, ...]) -> Views:
    base = text.translate(_FOLD)
    if "［" in text:
        for placeholder in placeholders:
            if placeholder in text:
                base = base.replace(_folded(placeholder), BLANK * len(placeholder))
    if "ー" in base or "ｰ" in base or "~" in base or "〜" in base:
        base = _DIGIT_DASH.sub("-", base)
    numeric = base
    if _KANJI_DIGIT_CHARS.search(base):
        numeric = _DIGIT_DASH.sub("-", base.translate(_KANJI_DIGITS))
    return Views(base, numeric)
