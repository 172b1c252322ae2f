"""The decisions behind the masking of issue 13, one test each (the figures are in test_masking_set)."""

from __future__ import annotations

import pytest

from chat_platform.privacy import PLACEHOLDERS, MaskResult, mask_personal_data

NAME, HEALTH, TEL = PLACEHOLDERS["name"], PLACEHOLDERS["health"], PLACEHOLDERS["phone"]


def test_should_mask_health_details_only_in_a_message_that_identifies_the_person():
    # Given the same health words alone and next to a name
    alone = mask_personal_data("糖尿病で通院しているけどワクチンは打てますか")
    named = mask_personal_data("山田さんは糖尿病で通院しています")
    # Then alone they stay (the dashboard needs them), next to a name they are masked
    assert alone == MaskResult("糖尿病で通院しているけどワクチンは打てますか", ())
    assert named.text == f"{NAME}さんは{HEALTH}で{HEALTH}しています"


def test_should_take_an_old_unmarked_date_as_a_birth_date_only_next_to_a_name():
    # Given an unmarked date 30 years back, alone and after a name
    alone = mask_personal_data("平成7年1月17日の震災のこと")
    named = mask_personal_data("鈴木一郎 平成元年五月五日")
    # Then alone it is an event, next to a name it is the person's date of birth
    assert alone.kinds == ()
    assert named.kinds == ("name", "birth_date")


@pytest.mark.parametrize(
    "text",
    [
        "お母さんに聞いた",
        "皆さんどうしてますか",
        "大家さんが来ない",
        "業者さんに頼んだ",
        "お客様センター",
        "ワンちゃんの登録",
        "お医者さんに行った",
    ],
)
def test_should_not_take_kin_pets_or_trades_for_names(text):
    assert mask_personal_data(text) == MaskResult(text, ())


@pytest.mark.parametrize(
    "text",
    [
        "188に電話した",
        "#7119にかけた",
        "0570-064-556に相談",
        "06-6616-0888は何時まで",
        "０６－６９１０－８００１",
        "0120-279-338",
    ],
)
def test_should_leave_short_codes_and_the_bots_public_numbers_readable(text):
    assert mask_personal_data(text) == MaskResult(text, ())


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("カード番号 4111-1111-1111-1112", "card"),
        ("マイナンバー 1234 5678 9012", "my_number"),
        ("免許証番号 123456789012", "driver_license"),
        ("口座 1234567", "bank_account"),
        ("保険証の記号 12 番号 345", "health_insurance"),
        ("パスポート番号 1234567", "passport"),
    ],
)
def test_should_mask_a_labelled_number_whatever_its_checksum(text, kind):
    result = mask_personal_data(text)
    assert result.kinds == (kind,) and not any(c.isdigit() for c in result.text)


def test_should_mask_a_phone_number_read_out_in_kana():
    result = mask_personal_data("番号はぜろきゅうぜろのいちにさんよんのごろくななはちです")
    assert result.text == f"番号は{TEL}です"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("マイケル・ジョンソンです", f"{NAME}です"),
        ("グエン・ヴァン・アンと申します", f"{NAME}と申します"),
        ("I am Taro Yamada", f"I am {NAME}"),
        ("I am Japanese", "I am Japanese"),
    ],
)
def test_should_mask_foreign_names_whole(text, expected):
    assert mask_personal_data(text).text == expected


@pytest.mark.parametrize("text", ["注文番号: 4111-1111-1111-1111", "追跡番号 1234-5678-9012", "品番 1234567"])
def test_should_leave_numbers_of_orders_parcels_and_products_alone(text):
    # Given a number labelled as an order's, a parcel's or a product's (whatever its shape)
    # Then it stays: it numbers a thing, and the department may need it to answer
    assert mask_personal_data(text) == MaskResult(text, ())
