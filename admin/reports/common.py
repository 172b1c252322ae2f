"""What every report shares: Japan-time date ranges, which bots a caller may see, rates.

Timestamps are stored in UTC. Reports group by the calendar of Asia/Tokyo (UTC+9, no daylight
saving), so a message sent at 2025-06-01 23:30 UTC counts on 2 June. SQLite hands timestamps back
without a time zone; they are UTC, like everything the chat service writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, true

from core.errors import AppError
from core.services import Services
from shared_nlu import clock
from shared_nlu.clock import JAPAN
from shared_nlu.pack import COMMON_BOT

from ..auth import Principal, require_department

JAPAN_TZ_NAME = JAPAN.key  # "Asia/Tokyo", named in the reports
DEFAULT_DAYS = 30  # a range without date_from covers the 30 days ending on date_to
MAX_DAYS = 3 * 366  # longer ranges are refused: the reports aggregate in Python
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # beyond them Python's date arithmetic overflows


@dataclass(frozen=True)
class DateRange:
    """Calendar days in Japan time, both ends included."""

    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        """The first moment, in UTC (inclusive)."""
        return datetime.combine(self.date_from, time(), JAPAN).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The moment after the last day ends, in UTC (exclusive)."""
        return datetime.combine(self.date_to + timedelta(days=1), time(), JAPAN).astimezone(UTC)


def today_in_japan() -> date:
    return clock.today_in_japan()


def date_range(date_from: date | None, date_to: date | None) -> DateRange:
    """The range asked for; by default the last 30 days up to today (Japan time). 422 if reversed."""
    end = date_to or today_in_japan()
    if any(day is not None and not EARLIEST <= day <= LATEST for day in (date_from, end)):
        raise AppError(
            422,
            "invalid_date_range",
            f"日付は {EARLIEST} から {LATEST} までの範囲で指定してください。",
            f"Dates must lie between {EARLIEST} and {LATEST}.",
        )
    start = date_from or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise AppError(
            422,
            "invalid_date_range",
            "date_from は date_to より前の日付にしてください。",
            "date_from must not be after date_to.",
        )
    if (end - start).days >= MAX_DAYS:
        raise AppError(
            422,
            "date_range_too_long",
            f"期間は{MAX_DAYS}日以内にしてください。",
            f"The range may cover at most {MAX_DAYS} days.",
        )
    return DateRange(start, end)


def fiscal_year_range(fiscal_year: int) -> DateRange:
    """Japanese fiscal year ``fiscal_year``: 1 April of that year to 31 March of the next."""
    return DateRange(date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31))


def to_japan(moment: datetime) -> datetime:
    """A stored timestamp in Japan time (naive values from SQLite are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JAPAN)


def period_of(moment: datetime, granularity: str) -> str:
    """``2025-06-01`` (day) or ``2025-06`` (month), in Japan time."""
    local = to_japan(moment)
    return local.strftime("%Y-%m") if granularity == "month" else local.date().isoformat()


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator rounded to 4 places; None when the denominator is 0 (undefined)."""
    return round(numerator / denominator, 4) if denominator else None


def per_unit_yen(total_thousand_yen: int | None, units: int) -> float | None:
    """A thousand-yen total divided per unit, in yen (2 places); None when undefined."""
    if total_thousand_yen is None or units == 0:
        return None
    return round(total_thousand_yen * 1000 / units, 2)


def simulated_filter(column: Any, include_simulated: bool) -> ColumnElement[bool]:
    """Simulated traffic (the demo simulator) is left out unless asked for."""
    return true() if include_simulated else column.is_(False)


def visible_bots(services: Services, principal: Principal, bot: str | None) -> list[str]:
    """The bots a report covers: ``bot`` alone (404 if unknown, 403 if another department's), or
    every bot the caller may see (a department token: its own department's bots)."""
    packs = services.runtime.current.packs
    if bot is not None:
        pack = packs.packs.get(bot)
        if pack is None or bot == COMMON_BOT:
            raise AppError(
                404, "unknown_bot", f"ボット「{bot[:64]}」はありません。", f"There is no bot {bot[:64]!r}."
            )
        require_department(principal, pack.bot.department, f"ボット「{bot}」")
        return [bot]
    return [p.id for p in packs.bots() if principal.can_see_department(p.bot.department)]


def bot_departments(services: Services) -> dict[str, str]:
    return {p.id: p.bot.department for p in services.runtime.current.packs.bots()}


def iso_japan(moment: datetime | None) -> str | None:
    return to_japan(moment).isoformat() if moment is not None else None
