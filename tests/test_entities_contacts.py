"""Phone numbers, postal codes and e-mail addresses, and how all built-in entities share a message."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from shared_nlu.entities import extract_builtin_entities, find_emails, find_phone_numbers, find_postal_codes

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("06-6910-8001", "0669108001"),
        ("０６－６９１０－８００１", "0669108001"),
        ("06‐6910‐8001", "0669108001"),
        ("06−6910−8001", "0669108001"),
        ("06ー6910ー8001", "0669108001"),
        ("06―6910―8001", "0669108001"),
        ("06 6910 8001", "0669108001"),
        ("(06)6910-8001", "0669108001"),
        ("0669108001", "0669108001"),
        ("0120-123-456", "0120123456"),
        ("0570-064-370", "0570064370"),
        ("0800-123-4567", "08001234567"),
        ("090-1234-5678", "09012345678"),
        ("09012345678", "09012345678"),
        ("050-1234-5678", "05012345678"),
        ("+81 90-1234-5678", "09012345678"),
        ("+81-6-6910-8001", "0669108001"),
        ("+81 (0)6-6910-8001", "0669108001"),
    ],
)
def test_should_find_a_japanese_phone_number_however_it_is_written(written, digits):
    # Given a message with one phone number
    text = f"電話番号は{written}です"
    # When phone numbers are looked for
    found = find_phone_numbers(text)
    # Then it is found with its digits in domestic form and a span covering exactly the number
    assert [(m.entity, m.value) for m in found] == [("phone_number", digits)]
    assert text[found[0].start : found[0].end] == written


def test_should_leave_enclosing_parentheses_out_of_the_span():
    # Given a phone number in full-width parentheses
    text = "窓口（06-6910-8001）まで"
    # When phone numbers are looked for
    found = find_phone_numbers(text)
    # Then the parentheses are not part of it
    assert [m.text for m in found] == ["06-6910-8001"]


def test_should_not_swallow_a_number_that_follows_the_phone_number():
    # Given a phone number followed by another number after a space
    text = "06-6910-8001 2回かけました"
    # When phone numbers are looked for
    found = find_phone_numbers(text)
    # Then the phone number ends where it ends
    assert [(m.value, m.end) for m in found] == [("0669108001", 12)]


@pytest.mark.parametrize(
    "text",
    [
        "188",
        "#7119",
        "1234567890",
        "0012345678",
        "06-6910-800",
        "090-1234-56789",
        "0120-12-34567",
        "123-4567",
    ],
)
def test_should_not_take_other_digit_runs_for_phone_numbers(text):
    # Given short codes, numbers not starting with a trunk 0, or the wrong number of digits
    # When phone numbers are looked for
    found = find_phone_numbers(text)
    # Then none is found
    assert found == []


@pytest.mark.parametrize(
    ("text", "span_text"),
    [
        ("〒530-0001 大阪市北区", "530-0001"),
        ("〒５３０－０００１", "５３０－０００１"),
        ("〒530ー0001", "530ー0001"),
        ("郵便番号 530-0001", "530-0001"),
        ("〒5300001", "5300001"),
    ],
)
def test_should_find_a_postal_code_and_normalise_it(text, span_text):
    # Given a message with one postal code, with or without 〒, in any width
    # When postal codes are looked for
    found = find_postal_codes(text)
    # Then it comes back as NNN-NNNN, the span covering the digits without the 〒
    assert [(m.entity, m.value) for m in found] == [("postal_code", "530-0001")]
    assert text[found[0].start : found[0].end] == span_text


@pytest.mark.parametrize("text", ["090-1234-5678", "075 123-4567", "06-6910-8001", "5300001", "1234-5678"])
def test_should_not_find_a_postal_code_inside_a_phone_number_or_bare_digits(text):
    # Given phone numbers whose digit groups look like NNN-NNNN, or seven digits without 〒
    # When postal codes are looked for
    found = find_postal_codes(text)
    # Then none is found
    assert found == []


@pytest.mark.parametrize(
    ("text", "value", "span_text"),
    [
        ("taro@example.jp までどうぞ", "taro@example.jp", "taro@example.jp"),
        ("メールはTaro.Yamada@Example.Co.JPです", "Taro.Yamada@example.co.jp", "Taro.Yamada@Example.Co.JP"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
        ("a+b_c-1@mail.pref.osaka.lg.jp。", "a+b_c-1@mail.pref.osaka.lg.jp", "a+b_c-1@mail.pref.osaka.lg.jp"),
    ],
)
def test_should_find_an_email_address(text, value, span_text):
    # Given a message with one e-mail address, possibly full-width or followed by Japanese text
    # When e-mail addresses are looked for
    found = find_emails(text)
    # Then it is found with its domain in lower case and a span that stops at the address
    assert [(m.entity, m.value) for m in found] == [("email", value)]
    assert text[found[0].start : found[0].end] == span_text


@pytest.mark.parametrize("text", ["taro@", "@example.jp", "taro@example", "taro@@example.jp"])
def test_should_not_take_incomplete_addresses_for_emails(text):
    # Given something with an @ that is not an address
    # When e-mail addresses are looked for
    # Then none is found
    assert find_emails(text) == []


def test_should_not_find_a_phone_number_inside_an_email_address():
    # Given an e-mail address whose local part is a phone number
    text = "0669108001@example.jp"
    # When phone numbers are looked for
    # Then none is found: the digits belong to the address
    assert find_phone_numbers(text) == []


def test_should_extract_every_builtin_entity_without_overlaps():
    # Given a message with a date, an amount, a phone number, a postal code, an address and a count
    text = "11月20日に1万5千円の契約。電話06-6910-8001、〒530-0001、taro@example.jp、3人"
    # When all built-in entities are extracted
    found = extract_builtin_entities(text, TODAY)
    # Then each is there once, sorted, with no number left inside a larger entity
    assert [(m.entity, m.value) for m in found] == [
        ("date", "2026-11-20"),
        ("amount", 15000),
        ("phone_number", "0669108001"),
        ("postal_code", "530-0001"),
        ("email", "taro@example.jp"),
        ("number", 3),
    ]
    assert all(text[m.start : m.end] == m.text for m in found)
    assert all(a.end <= b.start for a, b in pairwise(found))


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("令和8年11月20日", "date"),
        ("十一月二十日", "date"),
        ("3日前", "date"),
        ("一昨日", "date"),
        ("15,000円", "amount"),
        ("一万円", "amount"),
        ("090-1234-5678", "phone_number"),
        ("〒530-0001", "postal_code"),
        ("user123@example.jp", "email"),
    ],
)
def test_should_let_the_specific_entity_win_over_the_numbers_inside_it(text, entity):
    # Given a message that is one date, amount, phone number, postal code or address
    # When all built-in entities are extracted
    found = extract_builtin_entities(text, TODAY)
    # Then that one entity is all there is
    assert [m.entity for m in found] == [entity]


def test_should_give_numbers_when_a_date_does_not_exist():
    # Given a month and day that do not exist
    # When all built-in entities are extracted
    found = extract_builtin_entities("2月30日", TODAY)
    # Then no date is made up, and the numbers remain
    assert [(m.entity, m.value) for m in found] == [("number", 2), ("number", 30)]


def test_should_return_nothing_for_a_message_without_entities():
    # Given a message with no entities
    # When all built-in entities are extracted
    # Then the list is empty
    assert extract_builtin_entities("クーリング・オフについて教えてください", TODAY) == []
