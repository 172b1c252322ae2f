"""Masking of the personal data residents type, applied before a message is stored or logged.

The NLU still sees the original text; storage and logs see only ``mask_personal_data(text).text``.
Detection runs on a folded copy of the message in which full-width characters and every dash a
Japanese keyboard produces are ASCII. The fold maps one character to one character, so a span
found in the folded copy is the same span in the original.

Public numbers, such as the catalog's 06-6910-8001 and 06-6616-0888, are masked like any other
phone number. An allow-list would have to stay in sync with the catalog, and masking a public
number loses nothing. Three-digit short codes (188, 110, #7119) are left alone: they identify
nobody, and masking every three-digit number would also mask amounts and counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDERS = {
    "email": "［メール］",
    "card": "［カード番号］",
    "my_number": "［マイナンバー］",
    "phone": "［電話番号］",
    "bank_account": "［口座番号］",
    "birth_date": "［生年月日］",
    "address": "［郵便番号・住所］",
}
# When two candidates overlap, the kind listed first in PLACEHOLDERS wins: an e-mail address may
# contain a phone number, and a 16-digit card number must not become a My Number plus change.
_PRIORITY = {kind: rank for rank, kind in enumerate(PLACEHOLDERS)}


@dataclass(frozen=True)
class MaskResult:
    """The masked text and the kinds of personal data found, in order of first appearance."""

    text: str
    kinds: tuple[str, ...]


_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ０-９, Ａ-ｚ, ＠, －, （ …
_FOLD |= {0x3000: ord(" "), 0xFE63: ord("-")} | {ord(dash): ord("-") for dash in "‐‑‒–—―−"}
# ー and ｰ are the long-vowel mark; only between digits are they a dash typed with the wrong key.
_DIGIT_DASH = re.compile("(?<=[0-9])[ーｰ](?=[0-9])")
# Every match contains a digit, an @ or 丁目, so text without them is returned at once.
_TRIGGER = re.compile("[0-9０-９@＠]|丁目")
_NEEDS_FOLD = re.compile("[\uff01-\uff5e\u3000\ufe63‐‑‒–—―−ーｰ]")
_DIGIT = re.compile(r"\d", re.ASCII)
_NON_DIGIT = re.compile(r"\D", re.ASCII)

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}", re.ASCII)

# 13-19 digits in the groupings cards print (4-4-4-4, Amex 4-6-5) or in one run; Luhn decides.
_CARD = re.compile(
    r"(?<!\d)(?<!\d[- ])(?:\d{4}([- ])\d{4}\1\d{4}\1\d{1,7}|\d{4}([- ])\d{6}\2\d{4,5}|\d{13,19})(?!\d)",
    re.ASCII,
)

# 12 digits as on the card (4-4-4) or in one run, not part of a longer digit sequence.
_MY_NUMBER = re.compile(r"(?<!\d)(?<!\d[- ])\d{4}([- ]?)\d{4}\1\d{4}(?![- ]?\d)", re.ASCII)
# Markers inside a placeholder (［マイナンバー］) are not markers: masking must not feed itself.
_MY_NUMBER_MARK = re.compile(r"(?<!\[)(?:マイナンバー|個人番号|まいなんばー|ﾏｲﾅﾝﾊﾞｰ)")

# Three digit groups with optional separators or parentheses, domestic (from a 0) or after +81;
# the digit count decides (see _is_phone), so 0669108001 and 06(6910)8001 are matched alike.
# "+" and "(" begin a number even right after other digits (…8001（06）6616-0888).
_SEP = r"(?: ?- ?| |\.)?"
_PHONE = re.compile(
    rf"(?:\+81{_SEP}(?:\(0\){_SEP})?|(?<![\d+])(?=0)|(?=\(0))"
    rf"(?:\(\d{{1,5}}\)|\d{{1,5}}){_SEP}(?:\(\d{{1,4}}\)|\d{{1,4}}){_SEP}\d{{3,4}}(?!\d)",
    re.ASCII,
)
# Numbers with 11 digits: mobiles, IP phones, M2M and 0800 (which starts with 080); all else has 10.
_ELEVEN_DIGIT_PREFIXES = ("020", "050", "060", "070", "080", "090")

# Only a marked number is an account: 7-8 digits (ゆうちょ: 5-digit 記号 and 8-digit 番号) that are
# not an amount (口座から1500000円).
_BANK_ACCOUNT = re.compile(
    r"(?<!\[)(?:口座番号|口座|普通預金|当座預金|普通|当座|記号番号)[^\d\[\]]{0,10}?"
    r"(?P<value>\d{5}[- ]\d{6,8}|\d{7,8})(?![\d,.円万千])",
    re.ASCII,
)

# Dates with a month: 1985年3月2日, 昭和60年3月2日, S60.3.2, 1985/3/2, 3月2日, 3/2.
_YEAR = r"(?:\d{4}|\d{2}|(?:昭和|平成|令和|大正|[MTSHR]\.?) ?(?:\d{1,2}|元))"
_DATE = (
    rf"(?<![\dA-Za-z])(?:(?:{_YEAR} ?年 ?)?\d{{1,2}} ?月 ?\d{{1,2}} ?日|{_YEAR} ?年 ?\d{{1,2}} ?月"
    rf"|(?:{_YEAR}[/.-])?\d{{1,2}}[/.-]\d{{1,2}})(?!\d)"
)
# A date is a birth date only when marked: the first date after 生年月日/誕生日 …, or a date
# followed by 生まれ or 生 (S60.3.2生) but not by a word such as 生活 (11月20日に生活保護の…).
_BIRTH_DATE_AFTER_MARK = re.compile(
    rf"(?<!\[)(?:生年月日|誕生日|たんじょうび|バースデー|生まれた日|生まれは)[^\d\[\]]{{0,10}}?(?P<value>{_DATE})",
    re.ASCII,
)
_BIRTH_DATE_BEFORE_MARK = re.compile(
    rf"(?P<value>{_DATE})(?= ?[にでの]? ?(?:生まれ|産まれ|うまれ|生(?![一-龥])))", re.ASCII
)

# An address runs from a municipality (…市, …区, …町, …村, …郡) through a town name to the block
# number: 2丁目1-22, 1番22号, 123番地の4, 1-2-3. Without 丁目 a block needs two numbers, so
# 北区の3番窓口 is not an address, and a following counter (3-4人, 1-2階) rules it out.
_KANJI = "一-龥々〆ヶケヵ"
_BLOCK_TAIL = r"\d{1,4}(?:(?:番地?の?|-)\d{1,4}){0,3}(?:番地?|号(?!室))?"
_ADDRESS = re.compile(
    rf"[{_KANJI}]{{1,6}}?[市区町村郡][{_KANJI}ァ-ヺー之ノ]{{0,12}}?"
    rf"(?:(?:\d{{1,4}}|[一二三四五六七八九十]{{1,3}})丁目(?:-?{_BLOCK_TAIL})?"
    r"|\d{1,4}(?:(?:番地?の?|-)\d{1,4}){1,3}(?:番地?|号(?!室))?|\d{1,4}番地)"
    r"(?![\d階人月日時回件歳年分円個枚本台週])",
    re.ASCII,
)
# Labels and the prefecture stay readable: the mask starts at the municipality.
_ADDRESS_LEAD = re.compile(
    rf"(?:現?住所|自宅|実家|所在地|宛先|送り?先|届け?先)?(?:東京都|北海道|(?:大阪|京都)府|[{_KANJI}]{{2,3}}県)?"
)
# A postal code is personal data with 〒, after 郵便番号 or next to an address; alone, 530-0001
# might be any code.
_POSTAL = re.compile(
    r"(?<![\d-])(?P<mark>〒 ?)?(?:\d{3}-\d{4}|(?<=〒)\d{7}|(?<=〒 )\d{7})(?![\d]|-\d)", re.ASCII
)
_POSTAL_MARK = re.compile(r"(?<!\[)郵便番号")
_POSTAL_GAP = re.compile(rf"[ 、,:]*(?:東京都|北海道|(?:大阪|京都)府|[{_KANJI}]{{2,3}}県)? *")


def _is_phone(raw: str) -> bool:
    digits = _NON_DIGIT.sub("", raw)
    if raw.startswith("+"):  # +81 replaces the trunk 0, which some write anyway: +81 (0)6-…
        digits = digits[2:] if digits[2:].startswith("0") else "0" + digits[2:]
    if digits.startswith("00"):  # 00…: carrier and international prefixes
        return False
    if len(digits) == 11:
        return digits.startswith(_ELEVEN_DIGIT_PREFIXES)
    return len(digits) == 10 and not digits.startswith("0800")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _my_number_check_digit_ok(digits: str) -> bool:
    """The check digit of 総務省令第八十五号 第五条: P_n counts from the right, Q_n = n+1, then n-5."""
    total = sum(int(p) * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(digits[:11]), 1))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


def _candidates(folded: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    digits = len(_DIGIT.findall(folded))  # skipping patterns that cannot match keeps this fast
    if "@" in folded:
        found += [(*m.span(), "email") for m in _EMAIL.finditer(folded)]
    if digits >= 12:
        found += [(*m.span(), "card") for m in _CARD.finditer(folded) if _luhn(_NON_DIGIT.sub("", m[0]))]
        for m in _MY_NUMBER.finditer(folded):
            # A typo in a real My Number is still personal data, so a nearby marker is enough.
            near = _MY_NUMBER_MARK.search(folded, max(0, m.start() - 20), m.end() + 10)
            if near or _my_number_check_digit_ok(_NON_DIGIT.sub("", m[0])):
                found.append((*m.span(), "my_number"))
    if digits >= 10:
        found += [(*m.span(), "phone") for m in _PHONE.finditer(folded) if _is_phone(m[0])]
    if digits >= 7:
        found += [(*m.span("value"), "bank_account") for m in _BANK_ACCOUNT.finditer(folded)]
    found += [(*m.span("value"), "birth_date") for m in _BIRTH_DATE_AFTER_MARK.finditer(folded)]
    if "生" in folded or "まれ" in folded:
        found += [(*m.span("value"), "birth_date") for m in _BIRTH_DATE_BEFORE_MARK.finditer(folded)]
    addresses = []
    for m in _ADDRESS.finditer(folded):
        lead = _ADDRESS_LEAD.match(folded, m.start(), m.end())
        start = lead.end() if lead and lead.end() < m.end() else m.start()
        addresses.append((start, m.end()))
    for m in _POSTAL.finditer(folded) if digits >= 7 else ():
        start, end = m.span()
        after = [a for a in addresses if a[0] >= end and _POSTAL_GAP.fullmatch(folded, end, a[0])]
        if after:  # one placeholder for 〒530-0001 大阪府大阪市…1-22, prefecture included
            addresses.append((start, after[0][1]))
            continue
        marked = m["mark"] or _POSTAL_MARK.search(folded, max(0, start - 10), start)
        if marked or any(a[1] <= start and _POSTAL_GAP.fullmatch(folded, a[1], start) for a in addresses):
            addresses.append((start, end))
    return found + [(start, end, "address") for start, end in addresses]


def _mask_once(text: str) -> tuple[str, list[str]]:
    folded = _DIGIT_DASH.sub("-", text.translate(_FOLD)) if _NEEDS_FOLD.search(text) else text
    taken: list[tuple[int, int, str]] = []
    # Higher-priority kinds first, then the earliest and longest candidate.
    for start, end, kind in sorted(_candidates(folded), key=lambda c: (_PRIORITY[c[2]], c[0], c[0] - c[1])):
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, kind))
    taken.sort()
    parts, position = [], 0
    for start, end, kind in taken:
        parts += [text[position:start], PLACEHOLDERS[kind]]
        position = end
    parts.append(text[position:])
    return "".join(parts), [kind for _, _, kind in taken]


def mask_personal_data(text: str) -> MaskResult:
    """``text`` with each piece of personal data replaced by its placeholder (see PLACEHOLDERS).

    Masking repeats until nothing more is found, so the result is stable: masking it again
    changes nothing (a placeholder shifts the text and can bring a number near a marker).
    Every pass removes at least one digit, @ or 丁目 and placeholders contain none, so it ends.
    """
    kinds: list[str] = []
    while _TRIGGER.search(text):
        text, found = _mask_once(text)
        if not found:
            break
        kinds += [kind for kind in dict.fromkeys(found) if kind not in kinds]
    return MaskResult(text, tuple(kinds))


def mask_for_log(text: str) -> str:
    """The masked text, cut to 200 characters for a log line."""
    return mask_personal_data(text).text[:200]
