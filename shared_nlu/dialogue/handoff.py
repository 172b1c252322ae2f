"""Hand-off to a person: the responsible contact, and whether its line is open right now."""

from __future__ import annotations

from datetime import datetime

from ..clock import to_japan_time
from ..constants import HANDOFF_CLOSED_RESPONSE, HANDOFF_OPEN_RESPONSE
from ..pack.model import Pack
from .business_hours import OpeningHours
from .render import contact_values, engine_text

_WEEKDAYS = "月火水木金土日"


def handoff_text(pack: Pack, language: str, now: datetime) -> tuple[str, str]:
    """Return (engine text name, text): open now with the number, or when the line opens next."""
    values = contact_values(pack, language)
    hours = OpeningHours.parse(pack.bot.contact.hours)
    if hours.is_open(now):
        return HANDOFF_OPEN_RESPONSE, engine_text(HANDOFF_OPEN_RESPONSE, language, values, pack)
    opens = to_japan_time(hours.next_opening(now))
    if language == "en":
        values["next_opening"] = opens.strftime("%a %d %B at %H:%M").replace(" 0", " ")
    else:
        values["next_opening"] = (
            f"{opens.month}月{opens.day}日（{_WEEKDAYS[opens.weekday()]}）{opens.hour}時{opens.minute:02d}分"
        )
    return HANDOFF_CLOSED_RESPONSE, engine_text(HANDOFF_CLOSED_RESPONSE, language, values, pack)
