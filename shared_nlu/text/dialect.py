"""Kansai dialect → standard Japanese, for the endings Sudachi reads as something else.

Sudachi knows standard Japanese: 「してへん」 becomes して + へん (a noun), 「あかん」 あ + かん, and
「有料なん？」 ends in など. Rewriting these few endings before tokenising lets a resident's
「払わなあかんの？」 meet an editor's 「払わないといけませんか」. Words Sudachi reads correctly
(なんぼ, ほんま, めっちゃ) are mapped after tokenising, in ``tokenizer.py``.
"""

from __future__ import annotations

import re

_END = r"(?=[?？。、!！\s]|$|の|ねん|けど|かった|わ|よ|で)"
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"せ[えー]?へん" + _END), "しない"),
    (re.compile(r"([てで])へん" + _END), r"\1いない"),  # してへん → していない, 読んでへん → 読んでいない
    (re.compile(r"でけへん|できへん"), "できない"),
    (re.compile(r"(?:来[えー]?|こ[えーお]?|け[えー]|き[いー])へん" + _END), "来ない"),
    (re.compile(r"かまへん"), "構わない"),
    (re.compile(r"あらへん"), "ない"),
    (
        re.compile(r"([かさたなまらがばわ])へん" + _END),
        r"\1ない",
    ),  # 書かへん → 書かない, わからへん → わからない
    (re.compile(r"な(?:あ)?かん"), "なければならない"),  # 払わなあかん → 払わなければならない
    (re.compile(r"あかん"), "だめ"),
    (re.compile(r"(?<=[^\sな])なん(?=[?？]|$)"), "なの"),  # 有料なん？ → 有料なの？
    (re.compile(r"やねん|やんか"), "です"),
    (re.compile(r"(?<=[^\s])ねん(?=[?？。!！\s]|$)"), ""),
    (re.compile(r"やろか"), "だろうか"),
    (re.compile(r"やろ(?=[?？]|$)"), "だろう"),
    (re.compile(r"てもうた"), "てしまった"),
    (re.compile(r"どない"), "どう"),
]


def standardize_kansai(text: str) -> str:
    """Rewrite the Kansai endings above; standard Japanese passes through unchanged."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
