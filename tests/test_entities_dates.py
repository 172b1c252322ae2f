"""Dates in messages: relative words, era and western notation, spans, and the year of 11月20日."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shared_nlu.entities import find_dates, parse_date
from shared_nlu.entities.dates import parse_past_date

TODAY = date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("きょう", date(2026, 11, 20)),
        ("今日", date(2026, 11, 20)),
        ("本日", date(2026, 11, 20)),
        ("きのう", date(2026, 11, 19)),
        ("昨日", date(2026, 11, 19)),
        ("おととい", date(2026, 11, 18)),
        ("一昨日", date(2026, 11, 18)),
        ("あした", date(2026, 11, 21)),
        ("明日", date(2026, 11, 21)),
        ("あさって", date(2026, 11, 22)),
        ("3日前", date(2026, 11, 17)),
        ("三日前", date(2026, 11, 17)),
        ("３日前", date(2026, 11, 17)),
        ("十日後", date(2026, 11, 30)),
        ("1週間前", date(2026, 11, 13)),
        ("一週間前", date(2026, 11, 13)),
        ("3か月前", date(2026, 8, 20)),
        ("1年前", date(2025, 11, 20)),
        ("先週の金曜日", date(2026, 11, 13)),
        ("先週の金曜", date(2026, 11, 13)),
        ("先週金曜", date(2026, 11, 13)),
        ("今週の月曜", date(2026, 11, 16)),
        ("来週の水曜日", date(2026, 11, 25)),
        ("先週の日曜", date(2026, 11, 15)),
        ("先月20日", date(2026, 10, 20)),
        ("今月の3日", date(2026, 11, 3)),
        ("去年の12月31日", date(2025, 12, 31)),
    ],
)
def test_should_resolve_relative_dates_against_today(text, expected):
    # Given a message with a relative date, on Friday 2026-11-20
    # When the date is parsed
    found = parse_date(f"{text}に契約しました", TODAY)
    # Then it is the day counted from today
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        "令和8年11月20日",
        "令和８年１１月２０日",
        "令和八年十一月二十日",
        "R8.11.20",
        "R8/11/20",
        "R8-11-20",
        "Ｒ８．１１．２０",
        "2026/11/20",
        "2026-11-20",
        "2026.11.20",
        "2026年11月20日",
        "２０２６年１１月２０日",
        "二〇二六年十一月二十日",
        "11月20日",
        "１１月２０日",
        "十一月二十日",
        "11/20",
    ],
)
def test_should_read_absolute_dates_in_every_notation(text):
    # Given 20 November 2026 written in era, western, full-width, kanji or short notation
    # When the date is parsed
    found = parse_date(text, TODAY)
    # Then it is that day
    assert found == date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和2年1月1日", date(2020, 1, 1)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("H31.4.30", date(2019, 4, 30)),
        ("昭和64年1月7日", date(1989, 1, 7)),
    ],
)
def test_should_convert_era_years_including_gannen(text, expected):
    # Given a date in a Japanese era, first years written 元年
    # When the date is parsed
    found = parse_date(text, TODAY)
    # Then the western date is right
    assert found == expected


@pytest.mark.parametrize("text", ["令和元年4月1日", "平成元年1月7日"])
def test_should_reject_an_era_date_before_the_era_began(text):
    # Given a day that belongs to the previous era (令和 began on 2019-05-01, 平成 on 1989-01-08)
    # When the date is parsed
    found = parse_date(text, TODAY)
    # Then there is no date, and the 4月1日 inside is not taken for this year's
    assert found is None


@pytest.mark.parametrize("text", ["2月30日", "2026年2月29日", "13月1日", "11月31日", "2026/4/31", "R8.2.30"])
def test_should_reject_dates_that_do_not_exist(text):
    # Given a day that is not in the calendar
    # When the date is parsed
    found = parse_date(text, TODAY)
    # Then there is no date rather than a neighbouring one
    assert found is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("11月20日", date(2026, 11, 20), date(2026, 11, 20)),  # today
        ("11月27日", date(2026, 11, 20), date(2026, 11, 27)),  # 7 days ahead: still this year
        ("11月28日", date(2026, 11, 20), date(2025, 11, 28)),  # 8 days ahead: last year's
        ("12月30日", date(2027, 1, 2), date(2026, 12, 30)),  # just before new year
        ("1月2日", date(2026, 12, 28), date(2026, 1, 2)),  # the current year's, already past
        ("2/29", date(2029, 1, 10), date(2028, 2, 29)),  # no 29 Feb in 2029: the previous year's
    ],
)
def test_should_take_a_date_without_a_year_in_the_current_year_unless_it_is_over_a_week_ahead(
    text, today, expected
):
    # Given a month and a day without a year
    # When the date is parsed on a given day
    found = parse_date(text, today)
    # Then it is in the current year, or the previous one when it would be more than 7 days ahead
    assert found == expected


def test_should_give_iso_values_and_exact_spans():
    # Given a message with three dates among other text, some full-width
    text = "１１月２０日に契約し、書面は令和8年11月22日に届き、きのう電話しました"
    # When dates are looked for
    found = find_dates(text, TODAY)
    # Then each has an ISO value and a span that points at it in the original message
    assert [m.value for m in found] == ["2026-11-20", "2026-11-22", "2026-11-19"]
    assert [text[m.start : m.end] for m in found] == ["１１月２０日", "令和8年11月22日", "きのう"]
    assert [m.text for m in found] == ["１１月２０日", "令和8年11月22日", "きのう"]
    assert {(m.entity, m.extractor) for m in found} == {("date", "builtin")}


def test_should_prefer_the_whole_date_over_the_month_and_day_inside_it():
    # Given a full date whose month and day alone would be a different year's date
    text = "2024年12月1日"
    # When dates are looked for
    found = find_dates(text, TODAY)
    # Then one date covers the whole text
    assert [(m.value, m.start, m.end) for m in found] == [("2024-12-01", 0, len(text))]


def test_should_return_the_first_date_of_a_message_with_several():
    # Given two dates in one message
    # When the message is parsed
    found = parse_date("11月1日に買って11月5日に届いた", TODAY)
    # Then the first one is returned
    assert found == date(2026, 11, 1)


@pytest.mark.parametrize(
    "text", ["東京に行った", "とうきょうの話", "かんきょうの相談", "きょうだいの件", "20日以内", "8日間"]
)
def test_should_not_find_dates_in_words_or_durations(text):
    # Given words that contain きょう, or a number of days that is a duration
    # When dates are looked for
    found = find_dates(text, TODAY)
    # Then none is found
    assert found == []


def test_should_accept_a_datetime_as_today():
    # Given "today" passed as a datetime
    # When a relative date is parsed
    found = parse_date("きのう", datetime(2026, 11, 20, 15, 30))
    # Then it is still a date, counted from that day
    assert found == date(2026, 11, 19)
    assert type(found) is date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("きのうのきのう", date(2026, 11, 18)),
        ("昨日の昨日", date(2026, 11, 18)),
        ("さきおととい", date(2026, 11, 17)),
        ("今朝", date(2026, 11, 20)),
        ("ゆうべ", date(2026, 11, 19)),
        ("10日ほど前", date(2026, 11, 10)),
        ("一週間くらい前", date(2026, 11, 13)),
        ("3日前くらい", date(2026, 11, 17)),
        ("2、3日前", date(2026, 11, 17)),
        ("先月の二十日", date(2026, 10, 20)),
        ("十一月三日", date(2026, 11, 3)),
        ("みっか前", date(2026, 11, 17)),
        ("とおかほど前", date(2026, 11, 10)),
        ("先月末", date(2026, 10, 31)),
    ],
)
def test_should_resolve_the_ways_residents_say_a_recent_day(text, expected):
    # Given a resident's way of naming a recent day, on Friday 2026-11-20
    # When it is parsed
    # Then it is that day (a range such as 2、3日前 takes its earlier end)
    assert parse_date(f"書面は{text}にもらいました", TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 November", date(2026, 11, 20)),
        ("November 20", date(2026, 11, 20)),
        ("Nov 18th", date(2026, 11, 18)),
        ("the 3rd of November", date(2026, 11, 3)),
        ("December 3", date(2025, 12, 3)),  # more than a week ahead: last year's
        ("20 November 2025", date(2025, 11, 20)),
        ("3 days ago", date(2026, 11, 17)),
        ("a week ago", date(2026, 11, 13)),
        ("two weeks ago", date(2026, 11, 6)),
        ("2 months ago", date(2026, 9, 20)),
        ("yesterday", date(2026, 11, 19)),
        ("the day before yesterday", date(2026, 11, 18)),
        ("today", date(2026, 11, 20)),
        ("this morning", date(2026, 11, 20)),
        ("last night", date(2026, 11, 19)),
        ("Nov 20, 2026", date(2026, 11, 20)),
        ("Dec. 3rd 2025", date(2025, 12, 3)),
        ("last Wednesday", date(2026, 11, 18)),
        ("last Friday", date(2026, 11, 13)),  # today is a Friday: a week ago
    ],
)
def test_should_resolve_english_dates(text, expected):
    # Given an English date, on Friday 2026-11-20
    # Then it resolves like its Japanese counterpart
    assert parse_date(f"I received it {text}.", TODAY) == expected


@pytest.mark.parametrize("text", ["yes", "Yes, please", "stay", "may I ask", "maybe", "Monday opening hours"])
def test_should_find_no_english_date_in_words_that_only_look_like_one(text):
    assert find_dates(text, TODAY) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("水曜にもらいました", date(2026, 11, 18)),
        ("金曜日", date(2026, 11, 13)),  # today is a Friday: the one before
        ("on Monday", date(2026, 11, 16)),
        ("3日前", date(2026, 11, 17)),
    ],
)
def test_should_read_a_bare_weekday_as_the_last_such_day_when_asking_about_the_past(text, expected):
    assert parse_past_date(text, TODAY) == expected


def test_should_not_date_a_bare_weekday_in_general():
    # 「土曜は開いてますか」 asks about the future, so a bare weekday is no date entity
    assert find_dates("土曜は開いてますか", TODAY) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("契約して5日目です", date(2026, 11, 16)),  # day 1 is the day of receipt
        ("書面をもらってから3日たった", date(2026, 11, 17)),
        ("3日経ちました", date(2026, 11, 17)),
        ("20日にもらった", date(2026, 11, 20)),
        ("25日に届きました", date(2026, 10, 25)),  # the 25th has not come yet this month
        ("20/11", date(2026, 11, 20)),  # day first when the first number cannot be a month
    ],
)
def test_should_read_day_counts_and_days_of_the_month_when_asking_about_the_past(text, expected):
    assert parse_past_date(text, TODAY) == expected
