"""Numbers and amounts in yen, written the many ways residents write them, with exact spans."""

from __future__ import annotations

import pytest

from shared_nlu.entities import (
    EntityMatch,
    find_amounts,
    find_numbers,
    parse_japanese_number,
    resolve_overlaps,
)
from shared_nlu.entities.numbers import MAX_NUMBER_LENGTH
from shared_nlu.text import fold_width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15000", 15000),
        ("１５０００", 15000),
        ("15,000", 15000),
        ("１５，０００", 15000),
        ("1,234,567", 1234567),
        ("0", 0),
        ("〇", 0),
        ("零", 0),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("百", 100),
        ("三百五十", 350),
        ("千", 1000),
        ("二千二十六", 2026),
        ("二〇二六", 2026),
        ("千百十一", 1111),
        ("一万", 10000),
        ("一万五千", 15000),
        ("一億二千万", 120_000_000),
        ("1万5千", 15000),
        ("1万5000", 15000),
        ("2万", 20000),
        ("1500万", 15_000_000),
        ("壱万", 10000),
        (" 42 ", 42),
    ],
)
def test_should_read_the_number_a_resident_wrote(text, expected):
    # Given a number in ASCII, full-width, kanji or mixed notation
    # When it is parsed
    value = parse_japanese_number(text)
    # Then its integer value comes back
    assert value == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "万", "十百", "万万", "一万一万", "1二", "1.5", "1,5", "百十百", "三千円", "-3"],
)
def test_should_return_none_when_the_text_is_not_exactly_one_number(text):
    # Given text that is empty, not numeric, malformed or more than a number
    # When it is parsed
    value = parse_japanese_number(text)
    # Then there is no value rather than a guess
    assert value is None


def test_should_keep_the_length_when_folding_full_width_characters():
    # Given a message with full-width digits, letters, dashes, an ideographic space and ￥
    text = "ＴＥＬ　０６－６９１０－８００１　￥３，０００"
    # When its width is normalised
    folded = fold_width(text)
    # Then it is ASCII where possible and every character stays at its offset
    assert folded == "TEL 06-6910-8001 ¥3,000"
    assert len(folded) == len(text)


def test_should_find_every_number_with_its_span():
    # Given a message with an ASCII, a full-width, a comma-grouped and a kanji number
    text = "子ども2人と１２歳、15,000の二百五十"
    # When numbers are looked for
    found = find_numbers(text)
    # Then each comes back with its value, and the span points at it in the original message
    assert [(m.value, m.text) for m in found] == [
        (2, "2"),
        (12, "１２"),
        (15000, "15,000"),
        (250, "二百五十"),
    ]
    assert all(text[m.start : m.end] == m.text for m in found)
    assert {(m.entity, m.extractor) for m in found} == {("number", "builtin")}


def test_should_not_take_kanji_inside_words_for_numbers():
    # Given words that contain numeral kanji but mean no number (一般, 統一, 万が一, 千葉)
    text = "一般の方も統一して、万が一のため千葉から"
    # When numbers are looked for
    found = find_numbers(text)
    # Then none is found
    assert found == []


def test_should_take_a_lone_kanji_numeral_before_a_counter():
    # Given single kanji numerals followed by counters (people, days, things)
    text = "一人で三日かけて二つ"
    # When numbers are looked for
    found = find_numbers(text)
    # Then each numeral is a number
    assert [(m.value, m.start) for m in found] == [(1, 0), (3, 3), (2, 8)]


def test_should_skip_decimals_instead_of_splitting_them():
    # Given a decimal number
    # When numbers and amounts are looked for
    # Then neither "1" nor "5" nor "5万円" (50,000 yen) is reported
    assert find_numbers("約1.5kg") == []
    assert find_amounts("1.5万円") == []


@pytest.mark.parametrize(
    ("text", "value", "span_text"),
    [
        ("1万5千円です", 15000, "1万5千円"),
        ("15,000円です", 15000, "15,000円"),
        ("一万円です", 10000, "一万円"),
        ("￥3000です", 3000, "￥3000"),
        ("¥3,000です", 3000, "¥3,000"),
        ("3000えんです", 3000, "3000えん"),
        ("3000 円です", 3000, "3000 円"),
        ("千円です", 1000, "千円"),
        ("１５０００円です", 15000, "１５０００円"),
        ("10万円です", 100_000, "10万円"),
    ],
)
def test_should_read_an_amount_in_yen_with_its_sign(text, value, span_text):
    # Given a message with one amount of money
    # When amounts are looked for
    found = find_amounts(text)
    # Then it is one amount in yen whose span includes the yen sign or 円
    assert len(found) == 1
    assert found[0].value == value
    assert found[0].entity == "amount"
    assert text[found[0].start : found[0].end] == span_text


def test_should_not_take_a_number_without_a_yen_sign_for_an_amount():
    # Given numbers that are counts, not money
    # When amounts are looked for
    found = find_amounts("3人で5回、合計8")
    # Then there is none
    assert found == []


def test_should_give_rasa_keys_only_in_to_dict():
    # Given an entity match
    match = EntityMatch("amount", 15000, 3, 8, "1万5千円", "builtin")
    # When it is turned into Rasa's entity dict
    as_dict = match.to_dict()
    # Then it has Rasa's keys and values, without the matched text
    assert as_dict == {"entity": "amount", "value": 15000, "start": 3, "end": 8, "extractor": "builtin"}


def test_should_refuse_an_empty_span():
    # Given a span that ends where it starts
    # When an entity match is made from it
    # Then it is refused
    with pytest.raises(ValueError, match="start < end"):
        EntityMatch("number", 1, 4, 4, "", "builtin")


def test_should_refuse_digit_runs_longer_than_any_amount():
    # Given a run of digits longer than any number a resident types (an ID, or pasted noise)
    run = "1" * (MAX_NUMBER_LENGTH + 1)
    # When it is parsed, and numbers are looked for in a message that holds it
    # Then it is no number, and nothing is raised (int() would refuse 4,300 digits and more)
    assert parse_japanese_number(run) is None
    assert find_numbers(f"番号 {'9' * 5000} です") == []
    assert parse_japanese_number("1" * MAX_NUMBER_LENGTH) == int("1" * MAX_NUMBER_LENGTH)


def test_should_let_a_specific_entity_beat_a_longer_number_it_overlaps():
    # Given a long number (0-10) that overlaps a shorter date (8-12)
    number = EntityMatch("number", 1234567, 0, 10, "x" * 10, "builtin")
    date_match = EntityMatch("date", "2026-11-20", 8, 12, "y" * 4, "builtin")
    # When overlaps are resolved
    kept = resolve_overlaps([number, date_match])
    # Then the date wins although it is shorter
    assert kept == [date_match]


def test_should_not_let_a_dropped_match_block_others():
    # Given a number (0-10), a date overlapping it (8-12) and a longer date overlapping that (11-17)
    number = EntityMatch("number", 1234567, 0, 10, "x" * 10, "builtin")
    date_match = EntityMatch("date", "2026-11-20", 8, 12, "y" * 4, "builtin")
    longer_date = EntityMatch("date", "2026-11-21", 11, 17, "z" * 6, "builtin")
    # When overlaps are resolved
    kept = resolve_overlaps([date_match, number, longer_date])
    # Then the longer date beats the shorter one, which, once dropped, no longer hides the number
    assert kept == [number, longer_date]
