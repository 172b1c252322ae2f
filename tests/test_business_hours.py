"""Office hours: weekdays 09:00-18:00 Japan time, closed at weekends, on holidays and 29 Dec-3 Jan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared_nlu.dialogue.business_hours import OpeningHours, is_business_day

HOURS = OpeningHours.parse("09:00-18:00")
JAPAN = ZoneInfo("Asia/Tokyo")


def test_should_parse_the_hours_written_in_bot_yml():
    # Given the hours as bot.yml writes them, and variants with one-digit hours and a wave dash
    # When they are parsed
    # Then opening and closing times come back
    assert OpeningHours.parse("09:00-18:00") == OpeningHours(time(9, 0), time(18, 0))
    assert OpeningHours.parse("9:00〜17:45") == OpeningHours(time(9, 0), time(17, 45))
    assert OpeningHours.parse(" 08:30 - 20:00 ") == OpeningHours(time(8, 30), time(20, 0))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must look like '09:00-18:00'"),
        ("9-18", "must look like '09:00-18:00'"),
        ("09:00", "must look like '09:00-18:00'"),
        ("0900-1800", "must look like '09:00-18:00'"),
        ("25:00-26:00", "does not exist"),
        ("09:60-18:00", "does not exist"),
        ("18:00-09:00", "must be before closing time"),
        ("09:00-09:00", "must be before closing time"),
    ],
)
def test_should_refuse_bad_hours_with_a_clear_message(text, message):
    # Given hours that are malformed, impossible or backwards
    # When they are parsed
    # Then a ValueError says what is wrong
    with pytest.raises(ValueError, match=message):
        OpeningHours.parse(text)


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        (datetime(2026, 11, 19, 12, 0), True),  # Thursday noon
        (datetime(2026, 11, 19, 8, 59, 59), False),  # a second before opening
        (datetime(2026, 11, 19, 9, 0), True),  # the opening time itself
        (datetime(2026, 11, 19, 17, 59, 59), True),  # a second before closing
        (datetime(2026, 11, 19, 18, 0), False),  # the closing time itself is closed
        (datetime(2026, 11, 19, 22, 0), False),  # weekday evening
        (datetime(2026, 11, 21, 12, 0), False),  # Saturday
        (datetime(2026, 11, 22, 12, 0), False),  # Sunday
        (datetime(2026, 11, 23, 12, 0), False),  # Monday, 勤労感謝の日
        (datetime(2026, 11, 24, 12, 0), True),  # the Tuesday after it
    ],
)
def test_should_be_open_only_within_hours_on_business_days(at, is_open):
    # Given a moment in Japan time
    # When the office is asked whether it is open
    # Then it is open on weekdays from 09:00 up to, not including, 18:00
    assert HOURS.is_open(at) is is_open


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 5, 4),  # みどりの日 (Monday)
        date(2026, 5, 5),  # こどもの日
        date(2026, 5, 6),  # 振替休日 for 憲法記念日, a Sunday
        date(2026, 9, 22),  # 国民の休日, between two holidays
        date(2026, 11, 3),  # 文化の日
        date(2026, 11, 23),  # 勤労感謝の日
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2029, 1, 2),
        date(2028, 1, 3),  # the last day of the break, a Monday
    ],
)
def test_should_be_closed_on_holidays_and_over_the_year_end_break(day):
    # Given a weekday that is a national holiday or inside 29 Dec-3 Jan
    assert day.weekday() < 5
    # When it is checked
    # Then it is not a business day and the office is closed at noon
    assert is_business_day(day) is False
    assert HOURS.is_open(datetime.combine(day, time(12, 0))) is False


@pytest.mark.parametrize("day", [date(2026, 12, 28), date(2027, 1, 4), date(2026, 5, 7), date(2026, 11, 20)])
def test_should_be_a_business_day_on_ordinary_weekdays_around_closures(day):
    # Given a weekday just before or after a closure
    # When it is checked
    # Then offices open
    assert is_business_day(day) is True
    assert HOURS.is_business_day(day) is True


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 11, 19, 7, 30), datetime(2026, 11, 19, 9, 0)),  # early morning: today
        (datetime(2026, 11, 19, 18, 0), datetime(2026, 11, 20, 9, 0)),  # at closing: tomorrow
        (
            datetime(2026, 11, 20, 19, 0),
            datetime(2026, 11, 24, 9, 0),
        ),  # Friday evening before a Monday holiday
        (datetime(2026, 11, 13, 19, 0), datetime(2026, 11, 16, 9, 0)),  # Friday evening: Monday
        (datetime(2026, 11, 21, 10, 0), datetime(2026, 11, 24, 9, 0)),  # Saturday
        (datetime(2026, 11, 2, 20, 0), datetime(2026, 11, 4, 9, 0)),  # the evening before 文化の日
        (datetime(2026, 5, 1, 18, 30), datetime(2026, 5, 7, 9, 0)),  # across Golden Week
        (datetime(2026, 12, 28, 18, 0), datetime(2027, 1, 4, 9, 0)),  # across the year-end break
        (datetime(2026, 12, 31, 10, 0), datetime(2027, 1, 4, 9, 0)),  # inside the break
    ],
)
def test_should_give_the_next_opening_when_closed(at, expected):
    # Given a moment when the office is closed
    # When the next opening is asked for
    opening = HOURS.next_opening(at)
    # Then it is 09:00 on the next business day (or today, before opening), strictly after now
    assert opening == expected
    assert opening > at
    assert HOURS.is_open(opening)


def test_should_give_the_same_moment_when_open():
    # Given a moment when the office is open
    at = datetime(2026, 11, 19, 9, 0)
    # When the next opening is asked for
    # Then it is that moment
    assert HOURS.next_opening(at) == at


def test_should_convert_aware_datetimes_to_japan_time():
    # Given 01:00 UTC on a Thursday, which is 10:00 in Japan, and 10:00 UTC, which is 19:00 there
    morning = datetime(2026, 11, 19, 1, 0, tzinfo=UTC)
    evening = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    # When the office is asked
    # Then the morning is open, the evening closed, and the next opening is an aware Japan time
    assert HOURS.is_open(morning) is True
    assert HOURS.is_open(evening) is False
    opening = HOURS.next_opening(evening)
    assert opening == datetime(2026, 11, 20, 9, 0, tzinfo=JAPAN)
    assert opening.tzinfo is not None and opening.utcoffset() == timedelta(hours=9)


def test_should_take_naive_datetimes_as_japan_time_and_answer_naive():
    # Given 18:30 Japan time on a Friday, written without a zone
    at = datetime(2026, 11, 13, 18, 30)
    # When the next opening is asked for
    opening = HOURS.next_opening(at)
    # Then the answer is naive too
    assert opening == datetime(2026, 11, 16, 9, 0)
    assert opening.tzinfo is None


def test_should_refuse_times_with_a_zone():
    # Given opening times that carry a zone
    # When opening hours are made from them
    # Then they are refused: the zone is always Japan's
    with pytest.raises(ValueError, match="naive times"):
        OpeningHours(time(9, 0, tzinfo=JAPAN), time(18, 0))
