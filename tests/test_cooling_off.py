"""Cooling-off periods under the Act on Specified Commercial Transactions, counted day by day."""

from __future__ import annotations

from datetime import date

import pytest

from shared_nlu.actions.cooling_off import PERIOD_DAYS, CoolingOffResult, check_cooling_off

RECEIVED = date(2026, 11, 20)


def test_should_have_the_statutory_period_of_every_transaction_type():
    # Given the table of periods
    # When it is read
    # Then it has the seven types of the Act with 8, 20 or no days
    assert PERIOD_DAYS == {
        "訪問販売": 8,
        "電話勧誘販売": 8,
        "特定継続的役務提供": 8,
        "訪問購入": 8,
        "連鎖販売取引": 20,
        "業務提供誘引販売取引": 20,
        "通信販売": None,
    }


@pytest.mark.parametrize(
    ("transaction_type", "last_day"),
    [
        ("訪問販売", date(2026, 11, 27)),
        ("電話勧誘販売", date(2026, 11, 27)),
        ("特定継続的役務提供", date(2026, 11, 27)),
        ("訪問購入", date(2026, 11, 27)),
        ("連鎖販売取引", date(2026, 12, 9)),
        ("業務提供誘引販売取引", date(2026, 12, 9)),
    ],
)
def test_should_count_the_day_of_receipt_as_day_one(transaction_type, last_day):
    # Given a document received on 20 November
    # When cooling-off is checked on that same day
    result = check_cooling_off(transaction_type, RECEIVED, RECEIVED)
    # Then the period ends 7 or 19 days later, and every day of it is left
    assert result.last_day == last_day
    assert result.days_left == PERIOD_DAYS[transaction_type]
    assert result.status == "running"
    assert result.period_days == PERIOD_DAYS[transaction_type]
    assert (result.transaction_type, result.received_on) == (transaction_type, RECEIVED)


@pytest.mark.parametrize(
    ("today", "days_left", "status"),
    [
        (date(2026, 11, 20), 8, "running"),  # day of receipt
        (date(2026, 11, 26), 2, "running"),  # the day before the last
        (date(2026, 11, 27), 1, "last_day"),  # the last day
        (date(2026, 11, 28), 0, "expired"),  # the day after
        (date(2027, 6, 1), 0, "expired"),  # long after
    ],
)
def test_should_count_days_left_including_today(today, days_left, status):
    # Given a door-to-door sale whose document arrived on 20 November
    # When cooling-off is checked on days around the end of the 8 days
    result = check_cooling_off("訪問販売", RECEIVED, today)
    # Then days left include today, and the last day is its own status
    assert result == CoolingOffResult("訪問販売", 8, RECEIVED, date(2026, 11, 27), days_left, status)


@pytest.mark.parametrize(
    ("today", "days_left", "status"),
    [
        (date(2026, 12, 8), 2, "running"),
        (date(2026, 12, 9), 1, "last_day"),
        (date(2026, 12, 10), 0, "expired"),
    ],
)
def test_should_give_twenty_days_to_multi_level_marketing(today, days_left, status):
    # Given a multi-level marketing contract whose document arrived on 20 November
    # When cooling-off is checked around the end of the 20 days
    result = check_cooling_off("連鎖販売取引", RECEIVED, today)
    # Then the last day is 9 December
    assert (result.last_day, result.days_left, result.status) == (date(2026, 12, 9), days_left, status)


def test_should_cross_month_and_year_ends():
    # Given documents received late in a month and late in the year
    # When cooling-off is checked
    end_of_year = check_cooling_off("訪問販売", date(2026, 12, 28), date(2026, 12, 31))
    end_of_month = check_cooling_off("電話勧誘販売", date(2026, 10, 30), date(2026, 10, 31))
    leap_february = check_cooling_off("訪問購入", date(2028, 2, 25), date(2028, 2, 25))
    twenty_days = check_cooling_off("業務提供誘引販売取引", date(2026, 12, 20), date(2027, 1, 8))
    # Then the last days fall in the next month or year, counting 29 February in a leap year
    assert (end_of_year.last_day, end_of_year.days_left) == (date(2027, 1, 4), 5)
    assert end_of_month.last_day == date(2026, 11, 6)
    assert leap_february.last_day == date(2028, 3, 3)
    assert (twenty_days.last_day, twenty_days.status, twenty_days.days_left) == (
        date(2027, 1, 8),
        "last_day",
        1,
    )


def test_should_say_mail_order_has_no_cooling_off():
    # Given an online purchase
    # When cooling-off is checked
    result = check_cooling_off("通信販売", RECEIVED, date(2026, 11, 21))
    # Then it does not apply and there is no last day
    assert result == CoolingOffResult("通信販売", None, RECEIVED, None, None, "not_applicable")


def test_should_refuse_an_unknown_transaction_type_and_list_the_valid_ones():
    # Given a transaction type that is not in the Act's list
    # When cooling-off is checked
    # Then a ValueError names it and lists every valid type
    with pytest.raises(ValueError, match="マルチ") as raised:
        check_cooling_off("マルチ", RECEIVED, RECEIVED)
    assert all(name in str(raised.value) for name in PERIOD_DAYS)


@pytest.mark.parametrize("transaction_type", ["訪問販売", "通信販売"])
def test_should_refuse_a_receipt_date_in_the_future(transaction_type):
    # Given a document said to arrive tomorrow
    # When cooling-off is checked today
    # Then a ValueError says the date is after today
    with pytest.raises(ValueError, match="after today"):
        check_cooling_off(transaction_type, date(2026, 11, 21), RECEIVED)
