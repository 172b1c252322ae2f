"""Numbers that identify a person: phone, card, My Number, bank account, passport, driver's licence
and health-insurance card numbers.

A number is a run of digit groups joined by what residents type between them (- . / ・ の ノ 、
spaces and parentheses), read in the ``numeric`` view (so 〇九〇ー１２３４ is 090-1234), or digits
read out in kana or English (ぜろきゅうぜろ…, zero nine zero…); a run that is no number as a whole
is tried in parts (「2026/11/20 090-1234-5678」). What it is decides its label, the nearest one
within 18 characters before it (else one right after it: 「…ってマイナンバー？」): a labelled
number is masked whatever its checksum, when its digit count fits the label (a 口座 label takes 5-14
digits, so 「口座から1500000円」 is an amount, not an account). ``記号`` and ``番号`` alone are
labels only when the message says what they number (ゆうちょ, 保険証, 免許証 … nearby, before or
after).
Without a label the shape decides: a domestic or +81 phone number, 13-19 digits that pass Luhn (a
card), 12 digits with a valid My Number check digit, two letters and seven digits (a passport).
Amounts (¥, 円, 万), counts (人, 件, 回 …), years (年) and dates (2026/11/20) are never numbers of a
person, nor are the public numbers the bots give (see ``public_numbers``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .public_numbers import PUBLIC_PHONE_NUMBERS

Span = tuple[int, int, str]

# label → (kind, fewest digits, most digits). Longest first in the pattern, so マイナンバーカード is one label.
_LABELS: dict[str, tuple[str, int, int]] = {}


def _label(kind: str, low: int, high: int, *words: str) -> None:
    _LABELS.update(dict.fromkeys(words, (kind, low, high)))


_label(
    "my_number",
    10,
    13,
    "マイナンバー",
    "マイナンバーカード",
    "個人番号",
    "個人番号カード",
    "まいなんばー",
    "ﾏｲﾅﾝﾊﾞｰ",
    "My Number",
    "MyNumber",
)
_label(
    "health_insurance",
    2,
    12,
    "保険証",
    "マイナ保険証",
    "被保険者証",
    "被保険者番号",
    "保険者番号",
    "保険証番号",
    "健康保険証",
    "健康保険",
    "国保",
    "社保",
    "資格確認書",
    "保険番号",
    "介護保険証",
    "後期高齢者医療",
    "けんぽ",
    "組合保険",
    "保険記号",
)
_label("passport", 7, 9, "旅券", "旅券番号", "パスポート", "パスポート番号", "passport", "Passport")
_label(
    "driver_license",
    10,
    13,
    "免許証",
    "免許証番号",
    "運転免許",
    "運転免許証",
    "免許番号",
    "免許",
    "license",
    "licence",
    "License",
    "Licence",
)
_label(
    "bank_account",
    5,
    14,
    "口座番号",
    "口座",
    "普通預金",
    "当座預金",
    "普通",
    "当座",
    "預金",
    "振込先",
    "振り込み先",
    "振込み先",
    "振込口座",
    "ゆうちょ",
    "ゆうちょ銀行",
    "郵便貯金",
    "通帳",
    "記号番号",
    "キャッシュカード",
    "account",
    "Account",
    "名義",
    "口座No",
)
_label("bank_branch", 3, 4, "支店番号", "店番号", "店番", "支店コード", "店舗番号")
_label(
    "card",
    13,
    19,
    "クレジットカード",
    "クレジット",
    "クレカ",
    "カード番号",
    "カード",
    "card",
    "Card",
    "VISA",
    "Visa",
    "JCB",
    "マスターカード",
    "Mastercard",
    "MasterCard",
    "アメックス",
    "AMEX",
    "Amex",
    "ダイナース",
    "デビットカード",
    "デビット",
)
_label("card_code", 3, 4, "セキュリティコード", "セキュリティーコード", "CVV", "CVC", "cvv", "cvc")
_label(
    "phone",
    8,
    13,
    "電話番号",
    "電話",
    "でんわ",
    "デンワ",
    "TEL",
    "Tel",
    "tel",
    "携帯",
    "携帯番号",
    "ケータイ",
    "けいたい",
    "スマホ",
    "連絡先",
    "FAX",
    "Fax",
    "fax",
    "ファックス",
    "ファクス",
    "固定電話",
    "自宅",
    "折り返し",
    "phone",
    "Phone",
    "mobile",
    "Mobile",
    "☎",
    "℡",
    "ショートメール",
    "SMS",
)
# Numbers of things, not of people: an order, a parcel, a product. Their shape decides nothing
# (a 16-digit order number passes Luhn one time in ten).
_label(
    "not_personal",
    0,
    99,
    "注文番号",
    "受付番号",
    "整理番号",
    "管理番号",
    "問い合わせ番号",
    "お問い合わせ番号",
    "問合せ番号",
    "伝票番号",
    "追跡番号",
    "お問合せ番号",
    "品番",
    "型番",
    "製造番号",
    "シリアル番号",
    "商品番号",
    "予約番号",
    "申込番号",
    "認証番号",
    "確認コード",
    "注文ID",
    "order number",
    "tracking number",
)
# Ambiguous alone: they number whatever the message names nearby (ゆうちょ 記号12345 番号12345678).
_AMBIGUOUS = ("記号", "番号", "枝番", "No.", "NO.", "No", "NO", "no.", "ナンバー")


def _word(word: str) -> str:
    """An ASCII word only as a word: tel, not the tel in hotel."""
    escaped = re.escape(word)
    return rf"(?<![A-Za-z]){escaped}(?![a-z])" if word.isascii() and word[0].isalpha() else escaped


_ALL_LABELS = sorted([*_LABELS, *_AMBIGUOUS], key=len, reverse=True)
# The lookahead on first characters lets the engine skip most positions without trying 140 words.
_LABEL = re.compile(
    f"(?=[{''.join(sorted({re.escape(w[0]) for w in _ALL_LABELS}))}])(?:{'|'.join(_word(w) for w in _ALL_LABELS)})"
)
_KIND = {"bank_branch": "bank_account", "card_code": "card"}

_SHORT = [w for w, (_, low, _) in _LABELS.items() if low < 5] + ["記号", "番号", "枝番", "No", "NO", "no"]
_SHORT_LABELS = re.compile(
    f"(?=[{''.join(sorted({re.escape(w[0]) for w in _SHORT}))}])(?:{'|'.join(re.escape(w) for w in _SHORT)})"
)
_RUN = re.compile(r"(?=[+(0-9])(?:\+|\()?[0-9]+(?:(?:[ ]?[-./・のノ,、_()]{1,3}[ ]?|[ ]{1,2})[0-9]+)*\)?")
_GROUP = re.compile(r"[0-9]+")
_DIGIT = re.compile(r"[0-9]")
_ANY_DIGIT_OR_LETTER = re.compile(r"[0-9A-Za-z]")
_AMOUNT_BEFORE = re.compile(r"[¥￥$€]\s?$")
# Units that make a number an amount or a count; a one-kanji counter only when no kanji follows
# (3日 is a count, but in 「…5678日中は」 日 begins the next word).
_NOT_AN_ID_AFTER = re.compile(
    r" ?(?:円|万|千|億|兆|ドル|%|％|パーセント|人|名様|件|回|歳|才|年(?!生)|ヶ月|か月|カ月|ケ月|箇月|番目|行目|ページ"
    r"|文字|桁|kg|km|cm|mm|ml|yen|days|years|(?:月|日|時|分|秒|倍|枚|本|台|階|週|点|位|条|項|割|社|冊|部|杯|泊|度|期|個|頁)"
    r"(?![一-龥]))"
)
_PHONE_PREFIXES_11 = ("020", "050", "060", "070", "080", "090")

# Digits read out: ぜろきゅうぜろ, ゼロロクの…, zero nine zero. ≥7 words, at least 3 of them read out.
_SPOKEN = {
    "ぜろ": "0",
    "ゼロ": "0",
    "れい": "0",
    "レイ": "0",
    "まる": "0",
    "マル": "0",
    "zero": "0",
    "oh": "0",
    "いち": "1",
    "イチ": "1",
    "one": "1",
    "にい": "2",
    "にー": "2",
    "ニー": "2",
    "に": "2",
    "ニ": "2",
    "two": "2",
    "さん": "3",
    "サン": "3",
    "three": "3",
    "よん": "4",
    "ヨン": "4",
    "しー": "4",
    "し": "4",
    "シ": "4",
    "four": "4",
    "ごお": "5",
    "ごー": "5",
    "ゴー": "5",
    "ご": "5",
    "ゴ": "5",
    "five": "5",
    "ろく": "6",
    "ロク": "6",
    "six": "6",
    "なな": "7",
    "ナナ": "7",
    "しち": "7",
    "シチ": "7",
    "seven": "7",
    "はち": "8",
    "ハチ": "8",
    "eight": "8",
    "きゅう": "9",
    "キュウ": "9",
    "きゅー": "9",
    "キュー": "9",
    "く": "9",
    "ク": "9",
    "nine": "9",
}
_SPOKEN_WORD = "|".join(sorted(_SPOKEN, key=len, reverse=True)) + "|[0-9]"
_SPOKEN_RUN = re.compile(
    rf"(?:{_SPOKEN_WORD})(?:[ 、,・の\-ー]{{0,2}}(?:{_SPOKEN_WORD})){{6,}}", re.IGNORECASE
)
_SPOKEN_TOKEN = re.compile(_SPOKEN_WORD, re.IGNORECASE)
_SPOKEN_HINT = re.compile(
    "(?=[ぜゼれレまマきキろロなナはハzZnN])(?:ぜろ|ゼロ|れい|レイ|まる|マル|きゅう|キュウ|きゅー|キュー|ろく|ロク|なな|ナナ|はち|ハチ|zero|nine)",
    re.I,
)

_PASSPORT = re.compile(r"(?=[A-Za-z])(?<![A-Za-z0-9])[A-Za-z]{2}[ -]?[0-9]{7}(?![0-9])")
_PASSPORT_LABEL = re.compile("旅券|パスポート|passport", re.IGNORECASE)


def _is_phone(raw: str, digits: str) -> bool:
    if raw.startswith("+"):  # +81 replaces the trunk 0, which some write anyway: +81 (0)6-…
        if not digits.startswith("81"):
            return False
        digits = digits[2:] if digits[2:].startswith("0") else "0" + digits[2:]
    if not digits.startswith("0") or digits.startswith("00"):  # 00…: carrier and international prefixes
        return False
    if len(digits) == 11:
        return digits.startswith(_PHONE_PREFIXES_11)
    return len(digits) == 10 and not digits.startswith("0800")


def _domestic(raw: str, digits: str) -> str:
    if raw.startswith("+") and digits.startswith("81"):
        return digits[2:] if digits[2:].startswith("0") else "0" + digits[2:]
    return digits


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def my_number_check_digit_ok(digits: str) -> bool:
    """The check digit of 総務省令第八十五号 第五条: P_n counts from the right, Q_n = n+1, then n-5."""
    total = sum(int(p) * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(digits[:11]), 1))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


def _is_date(groups: list[str], raw: str) -> bool:
    """2026/11/20, 2026.11.20, 26-11-20: a date, whatever it dates."""
    if len(groups) != 3 or not _DATE_RAW.fullmatch(raw):
        return False
    year, month, day = groups
    return len(year) in (2, 4) and 1 <= int(month) <= 12 and 1 <= int(day) <= 31 and len(day) <= 2


def _label_before(base: str, start: int, floor: int) -> str | None:
    window = base[max(floor, start - 18) : start]
    found = None
    for found in _LABEL.finditer(window):  # noqa: B007 - the last one is the nearest
        pass
    if found is None:
        return None
    return _resolve(base, start - len(window) + found.start(), found[0])


def _label_after(base: str, end: int) -> str | None:
    found = _LABEL.search(base, end, end + 10)
    if found is None or _DIGIT.search(base, end, found.start()):
        return None
    return _resolve(base, found.start(), found[0])


def _resolve(base: str, at: int, word: str) -> str | None:
    """The label a word is: 記号/番号 alone take the nearest named thing within 40 characters
    before, else within 30 after (「記号 1234 番号 567 の保険証」)."""
    if word in _LABELS:
        return word
    for found in reversed(list(_LABEL.finditer(base, max(0, at - 40), at))):
        if found[0] in _LABELS:
            return found[0]
    for found in _LABEL.finditer(base, at, at + 30):
        if found[0] in _LABELS:
            return found[0]
    return None


def _classify(raw: str, digits: str, label: str | None, whole: bool = True) -> str | None:
    """The kind of a number, ``"public"`` for an office's number, or None for no personal number.

    A part of a run (``whole`` false) is only a phone number or a labelled one: card and My Number
    shapes in parts of a longer run would be chance (1 in 10 passes Luhn)."""
    n = len(digits)
    phone_shape = _is_phone(raw, digits)
    if phone_shape and _domestic(raw, digits) in PUBLIC_PHONE_NUMBERS:
        return "public"
    if label is not None:
        kind, low, high = _LABELS[label]
        if kind == "not_personal":  # but a mobile number is one whatever it is called
            return "phone" if phone_shape else None
        if low <= n <= high and not (phone_shape and kind == "bank_account"):
            return _KIND.get(kind, kind)
    if phone_shape:
        return "phone"
    if not whole:
        return None
    if 13 <= n <= 19 and _luhn(digits):
        return "card"
    if n == 12 and my_number_check_digit_ok(digits) and not _WHOLE_ONLY.search(raw):
        return "my_number"
    return None


_THOUSANDS = re.compile(r"[0-9]{1,3}(?:[,、][0-9]{3})+|[0-9]{1,3}(?:\.[0-9]{3}){2,}")  # 3,000,000
_DATE_RAW = re.compile(r"[0-9]+([/.\-])[0-9]+\1[0-9]+")
_WHOLE_ONLY = re.compile(r"[/.]")


def _is_amount(base: str, raw: str, start: int, end: int) -> bool:
    if _AMOUNT_BEFORE.search(base, max(0, start - 2), start) or _NOT_AN_ID_AFTER.match(base, end):
        return True
    return bool(_THOUSANDS.fullmatch(raw))


def _windows(base: str, numeric: str, start: int, raw: str, floor: int) -> Iterator[Span]:
    """The numbers in one run: the whole run if it is one, else its longest parts that are."""
    if raw[0] == "(" and ")" not in raw[1:-1]:  # （06-6123-4567）: the brackets are the sentence's
        start, raw = start + 1, raw[1:]
    if raw.endswith(")") and "(" not in raw:
        raw = raw[:-1]
    groups = [(m.start() + start, m.end() + start) for m in _GROUP.finditer(raw)]
    digits = sum(b - a for a, b in groups)
    first_label = _label_before(base, start, floor)
    if digits < 5 and first_label is None:
        return  # only a labelled number (記号12, 店番123) is this short
    whole = (start, start + len(raw))
    counts = [0]  # digits in groups[:k], so a part's digit count costs nothing
    for a, b in groups:
        counts.append(counts[-1] + b - a)
    i = 0
    while i < len(groups):
        label_here = first_label if i == 0 else _label_before(base, groups[i][0], groups[i - 1][1])
        # the whole run first (0 9 0 1 2 3 4 5 6 7 8 is one number), then parts of up to 6 groups
        for j in (
            [len(groups), *range(min(len(groups) - 1, i + 6), i, -1)]
            if i == 0
            else range(min(len(groups), i + 6), i, -1)
        ):
            if not label_here and counts[j] - counts[i] < 8 and (i, j) != (0, len(groups)):
                continue  # a part this short is a number only after a label (a run of 1-1-1-… stays cheap)
            s, e = groups[i][0], groups[j - 1][1]
            if i == 0:
                s = whole[0]
            if j == len(groups):
                e = whole[1]
            part = numeric[s:e]
            part_groups = [numeric[a:b] for a, b in groups[i:j]]
            if _is_amount(base, part, s, e) or _is_date(part_groups, part):
                continue
            label = label_here or _label_after(base, e)
            kind = _classify(part, "".join(part_groups), label, whole=i == 0 and j == len(groups))
            if kind is not None:
                if kind != "public":
                    yield (s, e, kind)
                i = j
                break
        else:
            i += 1
        if digits < 8:
            return  # a short run is one number or none


def find_numbers(base: str, numeric: str) -> list[Span]:
    spoken = _SPOKEN_HINT.search(base)
    if not spoken and not _ANY_DIGIT_OR_LETTER.search(numeric):
        return []  # no digit, no Latin letter (passport), no digit read out
    found: list[Span] = []
    floor = 0
    # Runs of fewer than 5 digits are numbers of a person only after a label that takes so few.
    shortest = 2 if _SHORT_LABELS.search(base) else 5
    for m in _RUN.finditer(numeric):
        if m.end() - m.start() >= shortest:
            found += _windows(base, numeric, m.start(), m[0], floor)
        floor = m.end()
    if spoken:
        found += _spoken(base)
    for m in _PASSPORT.finditer(base):
        if m[0][:2].isupper() or _PASSPORT_LABEL.search(base, max(0, m.start() - 20), m.start()):
            found.append((*m.span(), "passport"))
    return found


def _spoken(base: str) -> Iterator[Span]:
    """Digits read out. A particle may look like a digit (…ななにかけて: に, ごに…), so a run that is
    no number as a whole is tried without its last one or two words and its first."""
    for m in _SPOKEN_RUN.finditer(base):
        words = list(_SPOKEN_TOKEN.finditer(base, m.start(), m.end()))
        if sum(not w[0].isdigit() for w in words) < 3:
            continue
        for first, last in (
            (0, len(words)),
            (0, len(words) - 1),
            (0, len(words) - 2),
            (1, len(words)),
            (1, len(words) - 1),
        ):
            part = words[first:last]
            digits = "".join(_SPOKEN.get(w[0], _SPOKEN.get(w[0].lower(), w[0])) for w in part)
            start, end = part[0].start(), part[-1].end()
            label = _label_before(base, start, 0) or _label_after(base, end)
            kind = _classify(digits, digits, label)
            if kind is not None:
                if kind != "public":
                    yield (start, end, kind)
                break
