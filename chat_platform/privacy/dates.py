"""Dates of birth: the dates a message marks as one, in every way residents write a date.

Western and Japanese-era years (1985, 昭和60, S60, Ｓ６０, 昭60, 平成元), kanji numerals (平成元年五月五日,
昭和六十年三月二日), and 年月日 or separators (S60.3.2, S60/3/2, Ｓ６０・１・２, 1985-03-02, 19850302).
A date is a date of birth when marked: after 生年月日 / 誕生日 / DOB … (the first date within 12
characters), or followed by 生まれ / 生 (S60.3.2生, not 11月20日に生活保護…). A year alone is one only
before 生まれ (昭和60年生まれ). An unmarked full date is one when its era is 明治, 大正 or 昭和 (nobody
asks these bots about a contract made in 昭和) and no event follows it (…に契約, …から, …以降);
or, in ``masking``, when the message also names the person (see ``OLD_DATE``). Other dates are the
dates of events (11月20日に契約, 5月31日, 2026年) and stay readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = "(?:[0-9]{1,4}|[〇一二三四五六七八九十]{1,4}|元)"
_ERA = "(?:明治|大正|昭和|平成|令和|(?<![A-Za-z])[MTSHRmtshr]\\.?|明|大|昭|平|令)"
_FULL = (
    rf"(?P<era>{_ERA})? ?(?P<y>{_NUM}) ?(?:年 ?(?:\([^)]{{1,8}}\) ?)?(?P<m>{_NUM}) ?月 ?(?P<d>{_NUM}) ?日?"
    rf"|(?P<sep>[./・\-/ ])(?P<m2>[0-9]{{1,2}})(?P=sep)(?P<d2>[0-9]{{1,2}})(?![0-9]))"
)
_DATE = re.compile(
    rf"(?=[0-9〇一二三四五六七八九十元明大昭平令MTSHRmtshr])(?<![0-9])(?:{_FULL}|(?P<ymd>(?:19|20)[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))(?![0-9])"
    rf"|(?P<md>{_NUM} ?月 ?{_NUM} ?日|[0-9]{{1,2}}/[0-9]{{1,2}}(?![0-9/]))"
    rf"|(?P<yo>(?P<era2>{_ERA})? ?{_NUM} ?年))"
)
_MARK_BEFORE = re.compile(
    r"(?=[生誕たタバDBbd])(?:生年月日|誕生日|たんじょうび|タンジョウビ|バースデー|バースデイ|生まれた日|生まれは|生まれ日|生年|DOB|D\.O\.B"
    r"|[Bb]irthday|[Dd]ate of [Bb]irth|[Bb]orn on|[Bb]orn)"
)
_MARK_AFTER = re.compile(r" ?[にでの]? ?(?:生まれ|産まれ|うまれ|生(?![一-龥])|誕生|出生)")
_EVENT_AFTER = re.compile(
    r" ?(?:に|の)? ?(?:契約|購入|取得|登録|申し込|申込|引っ越|引越|転居|発生|施行|改正|変更|震災|地震|災害|入籍|結婚"
    r"|建|購|開始|終了|廃止|から|以降|以前|まで|までに|より|頃|ごろ|時点|現在)"
)
# Where a date may end before its mark (…生まれ, …生); not the 生 of 生年月日 or 誕生日, which are
# marks before a date.
# A full date has a year: without one of these there is no old date to look for everywhere.
_YEAR_HINT = re.compile(
    r"(?=[0-9明大昭平令MTSHRmtshr〇一二三四五六七八九十元])(?:(?:19|20)[0-9]{2}|明治|大正|昭和|平成|令和|[MTSHRmtshr]\.?[0-9]|[0-9〇一二三四五六七八九十元]年"
    r"|(?<![0-9])[0-9]{2,4}([./・-])[0-9]{1,2}\1[0-9]{1,2}(?![0-9]))"
)
_DIGIT = re.compile("[0-9]")
_NUMERAL = re.compile("[0-9〇一二三四五六七八九十元]")
_HINT_AFTER = re.compile(r"(?=[生産う誕出])(?:生まれ|産まれ|うまれ|(?<!誕)生(?![年一-龥])|誕生(?!日)|出生)")
_OLD_ERA = re.compile(r"(?=[明大昭MTS])(?:明治|大正|昭和|(?<![A-Za-z])[MTS]\.?[0-9]|昭[0-9])")
_ERA_START = {"明": 1868, "大": 1912, "昭": 1926, "平": 1989, "令": 2019}
_ERA_LETTER = {"M": "明", "T": "大", "S": "昭", "H": "平", "R": "令"}
_KANJI_VALUE = dict(zip("〇一二三四五六七八九", range(10), strict=True))


@dataclass(frozen=True)
class DateFound:
    start: int
    end: int
    birth: bool  # marked as a date of birth
    year: int | None  # western year of a full date, for the caller's "old date" rule


def number(text: str) -> int | None:
    """1985, 六十, 二十五, 三〇, 元 → an int."""
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_KANJI_VALUE[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_KANJI_VALUE.get(tens, 1) if tens else 1) * 10 + (_KANJI_VALUE.get(ones, 0) if ones else 0)


def _western(era: str | None, year: int) -> int | None:
    if era:
        key = _ERA_LETTER.get(era[0].upper(), era[0])
        start = _ERA_START.get(key)
        return start - 1 + year if start and 1 <= year <= 64 else None
    if 1900 <= year <= 2100:
        return year
    return 1900 + year if 10 <= year <= 99 else None


def find_dates(base: str, everywhere: bool) -> list[DateFound]:
    """Dates near a birth mark or a 明治/大正/昭和 era; every full date when ``everywhere`` (the
    message identifies someone, and an old date may be their birth date)."""
    if not _NUMERAL.search(base):
        return []  # no digit, no kanji numeral: no date
    marks = [m.end() for m in _MARK_BEFORE.finditer(base)]
    if not (everywhere or marks or _HINT_AFTER.search(base) or _OLD_ERA.search(base)):
        return []
    found = []
    used_marks: set[int] = set()
    for m in _matches(base, marks, everywhere):
        start, end = m.span()
        after = bool(_MARK_AFTER.match(base, end))
        before = next(
            (
                e
                for e in marks
                if e <= start
                and start - e <= 12
                and e not in used_marks
                and not _DIGIT.search(base, e, start)
            ),
            None,
        )
        if m["yo"] is not None:  # a year alone: 昭和60年生まれ, 生まれは1985年 (not 新1年生, a grade)
            if (after or before is not None) and (
                m["era2"] or len(m["yo"].strip().rstrip("年").strip()) >= 2
            ):
                found.append(DateFound(start, end, True, None))
            continue
        if m["md"] is not None or m["ymd"] is not None:
            if before is not None or (after and m["md"] is not None):
                used_marks.add(before if before is not None else -1)
                found.append(DateFound(start, end, True, None))
            continue
        year = _full_date_year(m)
        if year is None:
            continue
        if before is not None or after:
            used_marks.add(before if before is not None else -1)
            found.append(DateFound(start, end, True, year))
        elif not _EVENT_AFTER.match(base, end):
            era = m["era"]
            old_era = bool(era) and _ERA_LETTER.get(era[0].upper(), era[0]) in ("明", "大", "昭")
            found.append(DateFound(start, end, old_era, year))
    return found


def _matches(base: str, marks: list[int], everywhere: bool) -> list[re.Match[str]]:
    """Every date, or (cheaper, the usual case) only those right after a mark or before 生まれ."""
    if (everywhere and _YEAR_HINT.search(base)) or _OLD_ERA.search(base):
        return list(_DATE.finditer(base))
    windows = [(end, end + 40) for end in marks]
    windows += [(max(0, m.start() - 25), m.start()) for m in _HINT_AFTER.finditer(base)]
    longest: dict[int, re.Match[str]] = {}
    for low, high in windows:
        for m in _DATE.finditer(base, low, high):
            known = longest.get(m.start())
            if known is None or m.end() > known.end():  # windows overlap: keep the longest reading
                longest[m.start()] = m
    chosen: list[re.Match[str]] = []
    for start in sorted(longest):
        if not chosen or start >= chosen[-1].end():
            chosen.append(longest[start])
    return chosen


def _full_date_year(m: re.Match[str]) -> int | None:
    try:
        year = number(m["y"])
        month = number(m["m"] or m["m2"])
        day = number(m["d"] or m["d2"])
    except (KeyError, ValueError, TypeError):
        return None
    if year is None or month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if m["sep"] is not None and m["era"] is None and len(m["y"]) not in (2, 4):
        return None
    return _western(m["era"], year)
