"""When a prefectural office answers the phone: weekdays within its hours, outside holidays.

An office is closed on Saturdays, Sundays, Japan's national holidays (including substitute and
"citizens'" holidays, from the ``holidays`` package) and over the year-end break from 29 December
to 3 January. All times are Japan time (``Asia/Tokyo``, UTC+9 without daylight saving).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays

from ..clock import JAPAN, to_japan_time

__all__ = ["OpeningHours", "is_business_day"]

# 29 Dec to 3 Jan, both included: the year-end break of Japanese public offices (休日に関する条例).
YEAR_END_BREAK = ((12, 29), (1, 3))

# Created once: the package builds each year's holidays on first use and keeps them.
_NATIONAL_HOLIDAYS = holidays.Japan()

_HOURS = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-~〜～–]\s*(\d{1,2}):(\d{2})\s*")

# No office stays closed for longer than the year-end break plus adjoining holidays; a search that
# runs this long means the calendar is wrong, not that the office is closed.
_MAX_CLOSED_DAYS = 31


def is_business_day(day: date) -> bool:
    """Whether offices open on ``day``: a weekday that is neither a national holiday nor 29 Dec–3 Jan."""
    if day.weekday() >= 5:
        return False
    month_day = (day.month, day.day)
    if month_day >= YEAR_END_BREAK[0] or month_day <= YEAR_END_BREAK[1]:
        return False
    return day not in _NATIONAL_HOLIDAYS


@dataclass(frozen=True)
class OpeningHours:
    """Opening hours on business days, ``opens`` inclusive and ``closes`` exclusive (Japan time).

    Raises ``ValueError`` unless ``opens`` is before ``closes`` on the same day and both are naive
    times (the zone is always Japan's).
    """

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opening hours are Japan time; give naive times without tzinfo")
        if self.opens >= self.closes:
            raise ValueError(
                f"opening time {self.opens:%H:%M} must be before closing time {self.closes:%H:%M}"
            )

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        """Read ``"09:00-18:00"`` (also ``9:00〜18:00``) as in ``bot.yml``'s ``contact.hours``.

        Raises ``ValueError`` saying what was expected when ``text`` is not two HH:MM times joined
        by a dash or a tilde, when a time does not exist (25:00, 09:60), or when the office would
        close before it opens.
        """
        match = _HOURS.fullmatch(text)
        if match is None:
            raise ValueError(f"opening hours must look like '09:00-18:00', got {text!r}")
        hour1, minute1, hour2, minute2 = (int(part) for part in match.groups())
        try:
            opens, closes = time(hour1, minute1), time(hour2, minute2)
        except ValueError:
            raise ValueError(f"opening hours {text!r} contain a time that does not exist") from None
        return cls(opens, closes)

    def is_business_day(self, day: date) -> bool:
        """Same as the module's :func:`is_business_day`; here so callers need only this object."""
        return is_business_day(day)

    def is_open(self, at: datetime) -> bool:
        """Whether the office is open at ``at``; at the closing time itself it is closed."""
        local = to_japan_time(at)
        return is_business_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself, unchanged, if the office is open then, otherwise the next moment it opens.

        That next opening is in Japan time: naive if ``at`` is naive, aware (``Asia/Tokyo``) if
        ``at`` is aware. Raises ``RuntimeError`` if no business day follows within a month, which
        only a broken holiday calendar could cause.
        """
        if self.is_open(at):
            return at
        local = to_japan_time(at)
        day = local.date()
        if not (is_business_day(day) and local.time() < self.opens):
            day += timedelta(days=1)  # today's opening has passed or there is none today
            for _ in range(_MAX_CLOSED_DAYS):
                if is_business_day(day):
                    break
                day += timedelta(days=1)
            else:
                raise RuntimeError(f"no business day within {_MAX_CLOSED_DAYS} days after {local.date()}")
        opening = datetime.combine(day, self.opens, tzinfo=JAPAN)
        return opening.replace(tzinfo=None) if at.tzinfo is None else opening
