"""Width folding that never moves a character: offsets in the folded text are offsets in the original.

Entity finders match on a folded copy of the message and report spans and surface text from the
message the resident typed, so the fold must map every character to exactly one character. That is
why this is not plain NFKC (which turns ㍻ into 平成 and ﬁ into fi, shifting every later span), and
not :func:`shared_nlu.text.normalize`, which also removes characters.
"""

from __future__ import annotations

import unicodedata

# Full-width ASCII (！ to ～) to ASCII, the ideographic space to a space, ￥ to ¥, and every dash a
# Japanese keyboard produces to "-" (NFKC leaves ‐ ‒ – — ― − as they are).
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH |= {0x3000: ord(" "), 0xFFE5: ord("¥"), 0xFE63: ord("-")}
_WIDTH |= {ord(dash): ord("-") for dash in "‐‑‒–—―−"}


def fold_width(text: str, *, compatibility: bool = False) -> str:
    """``text`` with full-width digits, letters, symbols and dashes made ASCII; always the same length.

    With ``compatibility``, each character is also replaced by its NFKC form, case-folded, wherever
    that is a single character: half-width katakana become full-width (ｶ → カ), circled and
    superscript digits become digits (① → 1) and letters become lower case (Ａ → a); a character whose
    NFKC form is longer (㍻, ß) is kept. Pack-defined words are matched this way, where case and
    presentation forms carry no meaning. Numbers, dates and contact details are not: ① and the ² of
    m² are not amounts, and the local part of an e-mail address keeps its case.
    """
    return text.translate(_COMPATIBLE if compatibility else _WIDTH)


class _CompatibilityTable(dict[int, str]):
    """The compatibility fold as a ``str.translate`` table filled in as characters are first seen:
    normalising character by character in Python cost more than the rest of the entity finders."""

    def __missing__(self, code: int) -> str:
        character = chr(_WIDTH.get(code, code))
        compatible = unicodedata.normalize("NFKC", character).casefold()
        self[code] = folded = compatible if len(compatible) == 1 else character
        return folded


_COMPATIBLE = _CompatibilityTable()
