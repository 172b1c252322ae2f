"""Japan time: what "now" and "today" mean for a resident in Osaka, wherever the server runs.

Relative dates (「今日」「きのう」「3日前」) and answers that depend on the date (cooling-off days
left, out-of-date answers, opening hours) are all about the calendar in Japan. A server in UTC
is nine hours behind it, so between 00:00 and 09:00 JST ``date.today()`` or a UTC date is the day
before; every entry point asks this module instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JAPAN = ZoneInfo("Asia/Tokyo")  # UTC+9, no daylight saving


def to_japan_time(at: datetime) -> datetime:
    """``at`` as an aware datetime in Japan time; a naive ``at`` is taken to be Japan time already."""
    return at.replace(tzinfo=JAPAN) if at.tzinfo is None else at.astimezone(JAPAN)


def now_in_japan() -> datetime:
    """The current moment as an aware datetime in Japan time."""
    return datetime.now(UTC).astimezone(JAPAN)


def today_in_japan(now: datetime | None = None) -> date:
    """The calendar day in Japan at ``now`` (default: this moment); naive ``now`` is Japan time."""
    return to_japan_time(now).date() if now is not None else now_in_japan().date()
