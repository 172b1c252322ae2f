"""Dates as residents write them: きのう, 3日前, 先週の金曜, 11月20日, 令和8年11月20日, R8.11.20, 2026/11/20,
and in English: yesterday, 3 days ago, last Wednesday, 20 November, December 3rd.

A date without a year (11月20日, 11/20) is taken in the current year unless that is more than
:data:`FUTURE_TOLERANCE` ahead of ``today``, then in the previous year: residents mostly report
things that already happened ("11月20日に契約した"), but may name a day in the coming week.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from ..text.width import fold_width
from .model import EntityMatch, keep_non_overlapping
from .numbers import parse_japanese_number

FUTURE_TOLERANCE = timedelta(days=7)

# First day of each era; 令和元年 is 2019, so year n of an era is first_day.year + n - 1.
ERAS = {"令和": date(2019, 5, 1), "平成": date(1989, 1, 8), "昭和": date(1926, 12, 25)}
_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}

_MD = r"(?:[0-9]{1,2}|[〇一二三四五六七八九十]{1,3})"  # a month or a day
_YEAR = r"(?:[0-9]{4}|[〇一二三四五六七八九十百千]{2,6})"
_ERA_YEAR = r"(?:元|[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_COUNT = r"(?:[0-9]{1,3}|[一二三四五六七八九十百]{1,4})"
_YMD_TAIL = rf"\s*年\s*(?P<m>{_MD})\s*月\s*(?P<d>{_MD})\s*日"

_RELATIVE_DAYS = {
    "今日": 0,
    "本日": 0,
    "きょう": 0,
    "今朝": 0,
    "けさ": 0,
    "昨日": -1,
    "きのう": -1,
    "昨夜": -1,
    "昨晩": -1,
    "ゆうべ": -1,
    "一昨日": -2,
    "おととい": -2,
    "おとつい": -2,
    "きのうのきのう": -2,
    "昨日の昨日": -2,
    "きのうの昨日": -2,
    "昨日のきのう": -2,
    "一昨々日": -3,
    "さきおととい": -3,
    "明日": 1,
    "あした": 1,
    "明後日": 2,
    "あさって": 2,
}
_RELATIVE_YEARS = {"一昨年": -2, "おととし": -2, "去年": -1, "昨年": -1, "今年": 0, "本年": 0, "来年": 1}
_RELATIVE_MONTHS = {"先々月": -2, "先月": -1, "今月": 0, "来月": 1, "再来月": 2}
_RELATIVE_WEEKS = {"先々週": -2, "先週": -1, "今週": 0, "来週": 1, "再来週": 2}
_WEEKDAYS = "月火水木金土日"  # date.weekday() order


def _alternatives(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: 一昨日 before 昨日


# Hiragana きょう/きのう also end words (とうきょう, かんきょう, じょうきょう, こうきのう) and start them
# (きょうだい, きょういく, きのうせい); the guards drop the common ones.
_GUARDED = {"きょう": "と|だい|いく|かい|つう|りょく|ふ|じゅ|ぎ|み", "きのう": "せい|てき"}
_RELATIVE_DAY = "|".join(
    [
        _alternatives({word: 0 for word in _RELATIVE_DAYS if word not in _GUARDED}),
        *(rf"(?<![うんゅょふきしっ]){word}(?!{after})" for word, after in _GUARDED.items()),
    ]
)

Resolver = Callable[[re.Match[str], date], date | None]

# English, for foreign residents: month names, "3 days ago", "yesterday", "last Wednesday".
_MONTHS_EN = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS_EN = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tues", "tue"),
            ("wednesday", "wed"),
            ("thursday", "thurs", "thu"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_COUNTS_EN = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_RELATIVE_DAYS_EN = {
    "the day before yesterday": -2,
    "yesterday": -1,
    "last night": -1,
    "today": 0,
    "this morning": 0,
    "this afternoon": 0,
    "earlier today": 0,
    "tomorrow": 1,
}
_RELATIVE_DAY_EN = _alternatives(_RELATIVE_DAYS_EN).replace(" ", r"\s+")
# Days counted in kana (みっか前 = 3日前)
_KANA_DAYS = {
    "ふつか": 2,
    "みっか": 3,
    "よっか": 4,
    "いつか": 5,
    "むいか": 6,
    "なのか": 7,
    "ようか": 8,
    "ここのか": 9,
    "とおか": 10,
    "はつか": 20,
}
_MONTH_EN = rf"(?P<mon>{_alternatives(_MONTHS_EN)})\.?"
_DAY_EN = r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR_EN = r"(?:,?\s*(?P<y>[0-9]{4}))?"


def _number(text: str) -> int:
    value = parse_japanese_number(text) if text != "元" else 1
    return -1 if value is None else value  # -1 makes the date invalid instead of raising


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, the day clamped to the month's end (5/31 - 3 months = 2/28)."""
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    return start.replace(
        year=year, month=month0 + 1, day=min(start.day, calendar.monthrange(year, month0 + 1)[1])
    )


def _infer_year(month: int, day: int, today: date) -> date | None:
    for year in (today.year, today.year - 1):  # a 2月29日 missing this year may exist last year
        candidate = _make(year, month, day)
        if candidate is not None and candidate <= today + FUTURE_TOLERANCE:
            return candidate
    return None


def _era(m: re.Match[str], today: date) -> date | None:
    first_day = ERAS[_ERA_LETTERS.get(m["era"], m["era"])]
    found = _make(first_day.year + _number(m["y"]) - 1, _number(m["m"]), _number(m["d"]))
    return found if found is not None and found >= first_day else None  # 令和元年4月1日 was 平成31年


def _ymd(m: re.Match[str], today: date) -> date | None:
    year = _number(m["y"])  # 十八年 is an era year without its era, not the year 18
    return _make(year, _number(m["m"]), _number(m["d"])) if year >= 1000 else None


def _md(m: re.Match[str], today: date) -> date | None:
    month, day = _number(m["m"]), _number(m["d"])
    if month > 12 and 1 <= day <= 12 and "/" in m[0]:
        month, day = day, month  # 20/11: day first, as written in Britain and by many residents
    return _infer_year(month, day, today)


def _relative_year(m: re.Match[str], today: date) -> date | None:
    return _make(today.year + _RELATIVE_YEARS[m["rel"]], _number(m["m"]), _number(m["d"]))


def _relative_month(m: re.Match[str], today: date) -> date | None:
    first = _add_months(today.replace(day=1), _RELATIVE_MONTHS[m["rel"]])
    return _make(first.year, first.month, _number(m["d"]))


def _relative_week(m: re.Match[str], today: date) -> date | None:
    monday = today - timedelta(days=today.weekday())  # weeks start on Monday, as on Japanese calendars
    return monday + timedelta(weeks=_RELATIVE_WEEKS[m["rel"]], days=_WEEKDAYS.index(m["wd"]))


def _offset(m: re.Match[str], today: date) -> date | None:
    count = _number(m["n"]) * (1 if m["dir"] in ("後", "あと") else -1)
    try:
        if m["unit"] == "日":
            return today + timedelta(days=count)
        if m["unit"].startswith("週"):
            return today + timedelta(weeks=count)
        return _add_months(today, count * 12 if m["unit"] == "年" else count)
    except (ValueError, OverflowError):
        return None


def _relative_day(m: re.Match[str], today: date) -> date | None:
    return today + timedelta(days=_RELATIVE_DAYS[m[0]])


def _english_date(m: re.Match[str], today: date) -> date | None:
    month, day = _MONTHS_EN[m["mon"].lower()], int(m["d"])
    return _make(int(m["y"]), month, day) if m["y"] else _infer_year(month, day, today)


def _english_offset(m: re.Match[str], today: date) -> date | None:
    count = _COUNTS_EN.get(m["n"].lower()) or int(m["n"])
    unit = m["unit"].lower()
    if unit == "day":
        return today - timedelta(days=count)
    if unit == "week":
        return today - timedelta(weeks=count)
    return _add_months(today, -count * (12 if unit == "year" else 1))


def _kana_offset(m: re.Match[str], today: date) -> date | None:
    return today - timedelta(days=_KANA_DAYS[m["kana"]])


def _end_of_last_month(m: re.Match[str], today: date) -> date | None:
    return today.replace(day=1) - timedelta(days=1)


def _english_relative_day(m: re.Match[str], today: date) -> date | None:
    return today + timedelta(days=_RELATIVE_DAYS_EN[" ".join(m[0].lower().split())])


def _english_last_weekday(m: re.Match[str], today: date) -> date | None:
    """ "last Wednesday": the most recent Wednesday before today (a week ago if today is one)."""
    back = (today.weekday() - _WEEKDAYS_EN[m["wd"].lower()]) % 7 or 7
    return today - timedelta(days=back)


_PATTERNS: list[tuple[re.Pattern[str], Resolver]] = [
    (re.compile(rf"(?P<era>令和|平成|昭和|(?<![A-Za-z])[RHS])\s*(?P<y>{_ERA_YEAR}){_YMD_TAIL}"), _era),
    (
        re.compile(
            r"(?<![A-Za-z])(?P<era>[RHS])\s*(?P<y>元|[0-9]{1,2})(?P<sep>[./-])(?P<m>[0-9]{1,2})"
            r"(?P=sep)(?P<d>[0-9]{1,2})(?![0-9])"
        ),
        _era,
    ),
    (re.compile(rf"(?<![0-9])(?P<y>{_YEAR}){_YMD_TAIL}"), _ymd),
    (
        re.compile(
            r"(?<![0-9./-])(?P<y>[0-9]{4})(?P<sep>[./-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?![0-9])"
        ),
        _ymd,
    ),
    (re.compile(rf"(?<![0-9])(?P<m>{_MD})\s*月\s*(?P<d>{_MD})\s*日"), _md),
    (re.compile(r"(?<![0-9./-])(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})(?![0-9/])"), _md),
    (
        re.compile(rf"(?P<rel>{_alternatives(_RELATIVE_YEARS)})の?\s*(?P<m>{_MD})\s*月\s*(?P<d>{_MD})\s*日"),
        _relative_year,
    ),
    (re.compile(rf"(?P<rel>{_alternatives(_RELATIVE_MONTHS)})の?\s*(?P<d>{_MD})\s*日"), _relative_month),
    (
        re.compile(rf"(?P<rel>{_alternatives(_RELATIVE_WEEKS)})の?\s*(?P<wd>[{_WEEKDAYS}])曜日?"),
        _relative_week,
    ),
    (
        re.compile(
            rf"(?<![0-9])(?P<n>{_COUNT})\s*(?P<unit>日|週間?|[かヶカヵケ箇]月|年)\s*(?:ほど|くらい|ぐらい|位|程|ばかり|ちょっと|ちょい|少し|あまり|余り)?\s*"
            r"(?P<dir>前|後|まえ|あと)"
        ),
        _offset,
    ),
    (re.compile(_RELATIVE_DAY), _relative_day),
    (
        re.compile(rf"(?<![A-Za-z0-9]){_DAY_EN}\s+(?:of\s+)?{_MONTH_EN}(?![A-Za-z]){_YEAR_EN}", re.I),
        _english_date,
    ),
    (re.compile(rf"(?<![A-Za-z0-9]){_MONTH_EN}\s+{_DAY_EN}(?![0-9A-Za-z]){_YEAR_EN}", re.I), _english_date),
    (
        re.compile(
            rf"(?<![A-Za-z0-9])(?P<n>[0-9]{{1,3}}|{_alternatives(_COUNTS_EN)})\s+"
            r"(?P<unit>day|week|month|year)s?\s+ago(?![A-Za-z])",
            re.I,
        ),
        _english_offset,
    ),
    (
        re.compile(rf"(?<![A-Za-z])(?:{_RELATIVE_DAY_EN})(?![A-Za-z])", re.I),
        _english_relative_day,
    ),
    (
        re.compile(rf"(?P<kana>{_alternatives(_KANA_DAYS)})\s*(?:ほど|くらい|ぐらい)?\s*(?:前|まえ)"),
        _kana_offset,
    ),
    (re.compile(r"先月(?:の)?(?:末|終わり|おわり)"), _end_of_last_month),
    (
        re.compile(rf"(?<![A-Za-z])(?:last|past)\s+(?P<wd>{_alternatives(_WEEKDAYS_EN)})(?![A-Za-z])", re.I),
        _english_last_weekday,
    ),
]


def _find(text: str, today: date) -> Iterator[tuple[int, int, date]]:
    if isinstance(today, datetime):  # a datetime would not compare with the dates built here
        today = today.date()
    folded = fold_width(text)
    candidates = [
        (m.start(), m.end(), resolve(m, today))
        for pattern, resolve in _PATTERNS
        for m in pattern.finditer(folded)
    ]
    # Longest first, and an impossible date still claims its span: in 令和元年4月1日 (a date that
    # never existed) the 4月1日 inside must not come back as this year's 1 April.
    ranked = sorted(candidates, key=lambda c: (c[0] - c[1], c[0]))
    for start, end, found in keep_non_overlapping(ranked, lambda c: (c[0], c[1])):
        if found is not None:
            yield start, end, found


def find_dates(text: str, today: date) -> list[EntityMatch]:
    """Every date in ``text`` as entity ``"date"`` with an ISO value (``"2026-11-20"``), in order.

    Relative expressions are resolved against ``today``. Dates that do not exist (2月30日, 令和元年
    4月1日) are not returned; nothing is raised.
    """
    return [
        EntityMatch("date", found.isoformat(), start, end, text[start:end], "builtin")
        for start, end, found in _find(text, today)
    ]


def parse_date(text: str, today: date) -> date | None:
    """The first date in ``text`` (see :func:`find_dates`), or ``None`` when there is none."""
    return next((found for _, _, found in _find(text, today)), None)


_NTH_DAY = re.compile(rf"(?<![0-9〇一二三四五六七八九十月])(?P<n>{_COUNT})\s*日目")  # 「契約して5日目」
_DAYS_PASSED = re.compile(
    rf"(?<![0-9〇一二三四五六七八九十月])(?P<n>{_COUNT})\s*日(?:間)?(?:が|も)?(?:たっ|たち|たつ|経っ|経ち|経つ|経過|すぎ|過ぎ)"
)
_DAY_ONLY = re.compile(
    rf"(?<![0-9〇一二三四五六七八九十月/.-])(?P<d>{_MD})\s*日(?![前後間目ほくぐ程位]|たっ|経|す|過)"
)
_DAY_ONLY_EN = re.compile(
    r"(?<![A-Za-z])the\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)(?![A-Za-z])", re.I
)  # "on the 5th"
_BARE_WEEKDAY = re.compile(
    rf"(?P<ja>[{_WEEKDAYS}])曜|(?<![A-Za-z])(?P<en>{_alternatives(_WEEKDAYS_EN)})(?![A-Za-z])", re.I
)


def parse_past_date(text: str, today: date) -> date | None:
    """Like :func:`parse_date`, for a question about a day that has passed (「書面を受け取った日」).

    Then also: 「5日目」 (day 1 is today minus 4), 「3日たった」, a day of the month alone (「20日に
    届いた」: the last 20th on or before today), and a bare weekday (「水曜にもらった」, "on
    Wednesday": the most recent such day before today). None of these is a date entity in general,
    since 「土曜は開いてますか」 or 「3日かかります」 are not about a day that has passed.
    """
    found = parse_date(text, today)
    if found is not None:
        return found
    folded = fold_width(text)
    counted = _NTH_DAY.search(folded)
    if counted is not None and _number(counted["n"]) >= 1:  # day 1 is the day of receipt
        return today - timedelta(days=_number(counted["n"]) - 1)
    passed = _DAYS_PASSED.search(folded)
    if passed is not None and _number(passed["n"]) >= 0:
        return today - timedelta(days=_number(passed["n"]))
    day_only = _DAY_ONLY.search(folded) or _DAY_ONLY_EN.search(folded)
    if day_only is not None:  # 「20日にもらった」: the last 20th on or before today
        day = _number(day_only["d"])
        for month_back in range(3):
            first = _add_months(today.replace(day=1), -month_back)
            candidate = _make(first.year, first.month, day)
            if candidate is not None and candidate <= today:
                return candidate
        return None
    match = _BARE_WEEKDAY.search(folded)
    if match is None:
        return None
    weekday = _WEEKDAYS.index(match["ja"]) if match["ja"] else _WEEKDAYS_EN[match["en"].lower()]
    return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
