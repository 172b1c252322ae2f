"""Cooling-off under Japan's Act on Specified Commercial Transactions (特定商取引法): is there time left?

The period starts on the day the buyer receives the statutory document (法定書面), which counts as
day 1, and the cancellation is in time if the notice is *sent* by the last day (発信主義). A missing or
defective document means the period has not started; that is for a consultant to judge, so the
caller passes the day the document arrived and this module only does the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

# Days of the period per transaction type (Articles 9, 24, 48, 58-14, 40 and 58 of the Act). For
# 連鎖販売取引 the 20 days run from the later of the document and the first delivery of goods to be
# resold; the caller passes that later day as received_on.
# 通信販売 (mail order, including online shopping) has no statutory cooling-off: only the seller's
# own return policy (返品特約) applies, hence None.
PERIOD_DAYS: dict[str, int | None] = {
    "訪問販売": 8,
    "電話勧誘販売": 8,
    "特定継続的役務提供": 8,
    "訪問購入": 8,
    "連鎖販売取引": 20,
    "業務提供誘引販売取引": 20,
    "通信販売": None,
}

Status = Literal["running", "last_day", "expired", "not_applicable"]


@dataclass(frozen=True)
class CoolingOffResult:
    """Where a contract stands in its cooling-off period on a given day.

    ``last_day`` is the last day a cancellation notice may be sent; ``days_left`` counts the days
    from today to ``last_day`` with both included (1 on the last day, 0 once expired). Both are
    ``None`` when the transaction type has no cooling-off (``status == "not_applicable"``).
    """

    transaction_type: str
    period_days: int | None
    received_on: date
    last_day: date | None
    days_left: int | None
    status: Status


def check_cooling_off(transaction_type: str, received_on: date, today: date) -> CoolingOffResult:
    """The cooling-off state on ``today`` of a contract whose document arrived on ``received_on``.

    With an 8-day period a document received on 20 November can be cancelled until 27 November:
    on the 26th ``days_left`` is 2 (``"running"``), on the 27th 1 (``"last_day"``), on the 28th 0
    (``"expired"``).

    Raises ``ValueError`` if ``transaction_type`` is not a key of :data:`PERIOD_DAYS` (the message
    lists the valid ones) or if ``received_on`` is after ``today``.
    """
    if transaction_type not in PERIOD_DAYS:
        valid = "、".join(PERIOD_DAYS)
        raise ValueError(f"unknown transaction type {transaction_type!r}; valid types: {valid}")
    if received_on > today:
        raise ValueError(
            f"received_on {received_on} is after today {today}; a document cannot arrive in the future"
        )
    period = PERIOD_DAYS[transaction_type]
    if period is None:
        return CoolingOffResult(transaction_type, None, received_on, None, None, "not_applicable")
    last_day = received_on + timedelta(days=period - 1)  # the day of receipt is day 1
    days_left = max(0, (last_day - today).days + 1)
    status: Status = "running" if today < last_day else "last_day" if today == last_day else "expired"
    return CoolingOffResult(transaction_type, period, received_on, last_day, days_left, status)
