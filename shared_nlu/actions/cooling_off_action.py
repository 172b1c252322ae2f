"""``action_cooling_off_result``: the consumer bot's answer once the cooling-off form is filled.

What it may send and fill is its contract in ``shared_nlu.constants.ACTION_CONTRACTS``.
"""

from __future__ import annotations

from datetime import date

from ..constants import COOLING_OFF_RESPONSES
from .cooling_off import check_cooling_off
from .model import ActionContext, ActionOutcome

_WEEKDAYS_JA = "月火水木金土日"
# How the English answers name the Act's transaction types (the Japanese ones use the Act's names).
TYPE_NAMES_EN = {
    "訪問販売": "door-to-door sales",
    "電話勧誘販売": "telephone sales",
    "通信販売": "mail order and online shopping",
    "連鎖販売取引": "multi-level marketing",
    "特定継続的役務提供": "continuous services (beauty salons, language schools, tutoring, dating agencies, etc.)",
    "業務提供誘引販売取引": "business opportunity sales (home-based work, monitor schemes, etc.)",
    "訪問購入": "door-to-door purchase (a buyer at your home)",
}


def type_name(transaction_type: str, language: str) -> str:
    return TYPE_NAMES_EN.get(transaction_type, transaction_type) if language == "en" else transaction_type


def format_day(day: date, language: str) -> str:
    """``2026年11月27日（金）`` or ``Fri 27 November 2026``: the weekday helps residents act on time."""
    if language == "en":
        return day.strftime("%a %d %B %Y").replace(" 0", " ")
    return f"{day.year}年{day.month}月{day.day}日（{_WEEKDAYS_JA[day.weekday()]}）"


def cooling_off_result(context: ActionContext) -> ActionOutcome:
    """Reads the slots ``transaction_type`` (a choice) and ``received_date`` (ISO date)."""
    received = date.fromisoformat(str(context.slots["received_date"]))
    result = check_cooling_off(str(context.slots["transaction_type"]), received, context.today)
    values = {
        "transaction_type": type_name(result.transaction_type, context.language),
        "received_date": format_day(received, context.language),
        "period_days": str(result.period_days or ""),
        "last_day": format_day(result.last_day, context.language) if result.last_day else "",
        "days_left": str(result.days_left if result.days_left is not None else ""),
    }
    return ActionOutcome(COOLING_OFF_RESPONSES[result.status], values)
