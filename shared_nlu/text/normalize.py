"""Character-level normalisation applied to every message and every training example.

The aim is that what a resident types on a phone meets what an editor wrote in a pack:
full-width/half-width forms (NFKC), upper/lower case, wave dashes and long-vowel marks typed in
different ways, runs of "！！！" or "ｗｗｗ", emoji and stray spaces.
"""

from __future__ import annotations

import re
import unicodedata

# Characters phones and IMEs use interchangeably for the long-vowel mark or a wave dash.
_LONG_VOWEL = str.maketrans({"－": "ー", "ｰ": "ー", "―": "ー", "‐": "-", "−": "-", "〜": "～", "~": "～"})
_REPEATED_PUNCT = re.compile(r"([!?！？。、,.…・～ー])\1+")
_SPACES = re.compile(r"\s+")
# Emoji, pictographs, dingbats and variation selectors carry no meaning for intent classification.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d\U000e0020-\U000e007f]")
# "www" typed after Japanese text is laughter, not the letters w; 草 is not stripped (雑草 means weeds).
_LAUGH = re.compile(r"(?<=[^\sa-z0-9])w{2,}$")
# Control characters and lone surrogates (half of a pair, from a broken JSON escape) mean nothing,
# and Sudachi raises on a surrogate: they become spaces, so normalising never fails on any str.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def normalize(text: str) -> str:
    """Return the comparable form of ``text``: NFKC, case-folded, marks unified, noise removed."""
    text = unicodedata.normalize("NFKC", _UNSAFE.sub(" ", text))
    text = text.translate(_LONG_VOWEL).casefold()
    text = _EMOJI.sub(" ", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _LAUGH.sub("", text)
    return _SPACES.sub(" ", text).strip()


_KATAKANA_START, _KATAKANA_END = ord("ァ"), ord("ヶ")


def katakana_to_hiragana(text: str) -> str:
    """Fold katakana to hiragana so ヒッコシ and ひっこし share character n-grams."""
    return "".join(chr(ord(ch) - 0x60) if _KATAKANA_START <= ord(ch) <= _KATAKANA_END else ch for ch in text)
