"""Which language a message is in, so an English question gets the English answer."""

from __future__ import annotations

import re

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    """``"ja"`` when the message has any kana or kanji worth counting, ``"en"`` when it is Latin text.

    Residents mix scripts ("QRコード", "LINEで登録"), so one Japanese character among English words
    is enough for Japanese unless Latin letters clearly dominate. Digits and symbols alone → ``"ja"``.
    """
    japanese = len(_JAPANESE.findall(text))
    latin = len(_LATIN.findall(text))
    if latin == 0:
        return "ja"
    if japanese == 0:
        return "en"
    return "en" if latin >= 8 * japanese else "ja"


def has_words(text: str) -> bool:
    """Whether ``text`` has letters, kana or kanji: 「2026/11/20」 or "20/11" say nothing about the
    language, so a conversation keeps the one it had."""
    return bool(_JAPANESE.search(text) or _LATIN.search(text))
