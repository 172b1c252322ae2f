"""The dialogue engine on the real packs: answers, the cooling-off form, clarification, hand-off,
routing between bots, out-of-date answers and session expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared_nlu.dialogue.engine import DialogueEngine, Turn
from shared_nlu.dialogue.state import DialogueState, Status

JST = ZoneInfo("Asia/Tokyo")
WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 0, tzinfo=JST)


def talk(engine: DialogueEngine, bot: str, *messages: str, now: datetime = WEDNESDAY_10AM) -> list[Turn]:
    state = engine.new_session("test-session", bot)
    turns = []
    for message in messages:
        turn = engine.handle(state, message, now)
        turns.append(turn)
        state = turn.state
    return turns


def responses(turn: Turn) -> list[str]:
    return [m.response for m in turn.messages]


def test_should_answer_with_the_intents_response_and_buttons(real_dialogue: DialogueEngine) -> None:
    (turn,) = talk(real_dialogue, "tax", "自動車税の納期限はいつですか")
    assert responses(turn) == ["utter_auto_tax_due_date"]
    assert "5月31日" in turn.messages[0].text
    assert turn.state.status is Status.IDLE


def test_should_answer_in_english_when_asked_in_english(real_dialogue: DialogueEngine) -> None:
    (turn,) = talk(real_dialogue, "tax", "When is the automobile tax due?")
    assert turn.state.language == "en"
    assert "May" in turn.messages[0].text


# ---- the cooling-off form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected", "days_left"),
    [
        (date(2026, 11, 20), "utter_cooling_off_running", "8"),  # the day of receipt is day 1
        (date(2026, 11, 26), "utter_cooling_off_running", "2"),
        (date(2026, 11, 27), "utter_cooling_off_last_day", None),
        (date(2026, 11, 28), "utter_cooling_off_expired", None),
    ],
)
def test_should_count_the_boundary_days_of_door_to_door_sales(
    real_dialogue, today, expected, days_left
) -> None:
    now = datetime.combine(today, datetime.min.time(), JST).replace(hour=10)
    turns = talk(
        real_dialogue,
        "consumer",
        "クーリングオフできるか確認したい",
        '/inform{"transaction_type": "訪問販売"}',
        "11月20日",
        now=now,
    )
    assert "cooling_off_check" in turns[0].actions
    assert responses(turns[1]) == ["utter_ask_received_date"]
    final = turns[2]
    assert responses(final) == [expected]
    assert final.state.status is Status.IDLE and final.state.slots == {}
    if days_left is not None:
        assert days_left in final.messages[0].text
    assert "2026年11月27日" in final.messages[0].text


@pytest.mark.parametrize(
    ("kind", "received", "expected"),
    [
        ("電話勧誘販売", "11月21日", "utter_cooling_off_last_day"),
        ("特定継続的役務提供", "11月21日", "utter_cooling_off_last_day"),
        ("訪問購入", "11月20日", "utter_cooling_off_expired"),
        ("連鎖販売取引", "11月9日", "utter_cooling_off_last_day"),
        ("連鎖販売取引", "11月8日", "utter_cooling_off_expired"),
        ("業務提供誘引販売取引", "11月10日", "utter_cooling_off_running"),
        ("通信販売", "11月27日", "utter_cooling_off_mail_order"),
    ],
)
def test_should_answer_every_transaction_type(real_dialogue, kind, received, expected) -> None:
    now = datetime(2026, 11, 28, 10, 0, tzinfo=JST)
    turns = talk(
        real_dialogue,
        "consumer",
        "クーリングオフできるか確認したい",
        f'/inform{{"transaction_type": "{kind}"}}',
        received,
        now=now,
    )
    assert responses(turns[-1]) == [expected]


def test_should_fill_the_type_from_the_first_message_and_accept_typed_answers(real_dialogue) -> None:
    now = datetime(2026, 11, 28, 10, 0, tzinfo=JST)
    turns = talk(
        real_dialogue, "consumer", "訪問販売で契約したけどクーリングオフできるか確認したい", "きのう", now=now
    )
    assert responses(turns[0]) == ["utter_ask_received_date"]
    assert responses(turns[1]) == ["utter_cooling_off_running"]


def test_should_ask_again_with_a_reason_for_a_future_or_unreadable_date(real_dialogue) -> None:
    now = datetime(2026, 11, 28, 10, 0, tzinfo=JST)
    turns = talk(
        real_dialogue,
        "consumer",
        "クーリングオフできるか確認したい",
        '/inform{"transaction_type": "訪問販売"}',
        "12月1日",
        "ほげほげ",
        now=now,
    )
    future, unreadable = turns[2], turns[3]
    assert responses(future) == ["utter_ask_received_date"] and "まだ来ていない" in future.messages[0].text
    assert (
        responses(unreadable) == ["utter_ask_received_date"]
        and "日付として読み取れません" in unreadable.messages[0].text
    )
    assert unreadable.state.status is Status.IN_FORM


def test_should_ask_again_for_a_type_that_is_not_a_choice(real_dialogue) -> None:
    turns = talk(
        real_dialogue, "consumer", "クーリングオフできるか確認したい", '/inform{"transaction_type": "宝くじ"}'
    )
    assert responses(turns[1]) == ["utter_ask_transaction_type"]
    assert "選択肢にありません" in turns[1].messages[0].text


def test_should_let_the_resident_cancel_a_form(real_dialogue) -> None:
    turns = talk(real_dialogue, "consumer", "クーリングオフできるか確認したい", "やめる")
    assert turns[1].state.status is Status.IDLE
    assert any(e.type == "form_cancelled" for e in turns[1].events)


def test_should_answer_a_question_mid_form_and_return_to_the_form(real_dialogue) -> None:
    turns = talk(
        real_dialogue, "consumer", "クーリングオフできるか確認したい", "消費者ホットラインの電話番号を教えて"
    )
    assert responses(turns[1]) == ["utter_hotline", "utter_ask_transaction_type"]
    assert turns[1].state.status is Status.IN_FORM


# ---- clarification, fallback and hand-off -----------------------------------------------------


def test_should_offer_choices_when_unsure_and_hand_off_when_rejected(real_dialogue) -> None:
    state = real_dialogue.new_session("s", "tax")
    parse = real_dialogue.nlu.parse("自動車税の期限")
    low = replace(parse, intent="nlu_fallback", bot=None, fallback_reason="low_confidence")
    turn = real_dialogue._not_understood(state, low, Turn(state), WEDNESDAY_10AM)
    assert turn.status is Status.AWAITING_CLARIFICATION
    clarified = real_dialogue.handle(turn, "/deny", WEDNESDAY_10AM)
    assert clarified.state.status is Status.HANDED_OFF and clarified.state.handed_off
    assert "utter_handoff_open" in responses(clarified)


def test_should_ask_did_you_mean_about_an_unknown_kind_of_a_known_thing(real_dialogue) -> None:
    """「黄熱のワクチン」: the vaccination intent knows ワクチン, not 黄熱. The resident is not
    told about COVID vaccination as if it answered; they see it offered as a choice, and "none of
    these" hands off with the contact."""
    (turn,) = talk(real_dialogue, "covid_general", "黄熱のワクチンってどこで打てるの")
    assert responses(turn) == ["utter_clarify"]
    assert turn.state.status is Status.AWAITING_CLARIFICATION
    assert "covid_general/vaccination" in turn.state.candidates
    assert any(b.payload == "/vaccination" for b in turn.messages[0].buttons)
    declined = real_dialogue.handle(turn.state, "/deny", WEDNESDAY_10AM)
    assert declined.state.status is Status.HANDED_OFF


def test_should_answer_a_clicked_candidate(real_dialogue) -> None:
    state = DialogueState(
        "s",
        "tax",
        status=Status.AWAITING_CLARIFICATION,
        active_bot="tax",
        candidates=("tax/auto_tax_payment",),
    )
    turn = real_dialogue.handle(state, "/auto_tax_payment", WEDNESDAY_10AM)
    assert responses(turn) == ["utter_auto_tax_payment"] and turn.state.status is Status.IDLE


def test_should_list_what_the_bot_covers_when_out_of_scope_then_hand_off(real_dialogue) -> None:
    turns = talk(real_dialogue, "tax", "おすすめのラーメン屋を教えて", "明日の天気はどうですか")
    assert responses(turns[0]) == ["utter_nlu_fallback"]
    assert "・" in turns[0].messages[0].text  # the bulleted list of topics
    assert turns[1].state.status is Status.HANDED_OFF


def test_should_mark_only_answers_as_rateable(real_dialogue) -> None:
    """Residents are asked "was this helpful?" about answers, not the engine's words around them."""
    (answer,) = talk(real_dialogue, "tax", "自動車税の納期限はいつですか")
    assert [m.rateable for m in answer.messages] == [True]
    fallback, handoff = talk(real_dialogue, "tax", "おすすめのラーメン屋を教えて", "明日の天気はどうですか")
    assert responses(fallback) == ["utter_nlu_fallback"] and handoff.state.status is Status.HANDED_OFF
    assert not any(m.rateable for m in fallback.messages + handoff.messages)
    (form,) = talk(real_dialogue, "consumer", "クーリングオフできますか")
    assert responses(form)[-1].startswith("utter_ask_") and not form.messages[-1].rateable


@pytest.mark.parametrize(
    ("now", "open_now", "opens"),
    [
        (datetime(2026, 11, 25, 10, 0, tzinfo=JST), True, None),
        (datetime(2026, 11, 28, 10, 0, tzinfo=JST), False, "11月30日（月）9時00分"),  # Saturday
        (datetime(2026, 11, 23, 10, 0, tzinfo=JST), False, "11月24日（火）9時00分"),  # 勤労感謝の日
        (datetime(2026, 12, 29, 10, 0, tzinfo=JST), False, "1月4日（月）9時00分"),  # year-end break
        (datetime(2026, 11, 25, 18, 30, tzinfo=JST), False, "11月26日（木）9時00分"),
    ],
)
def test_should_hand_off_with_the_contact_and_its_hours(real_dialogue, now, open_now, opens) -> None:
    (turn,) = talk(real_dialogue, "inquiry", "オペレーターにつないでください", now=now)
    assert turn.state.status is Status.HANDED_OFF
    last = turn.messages[-1]
    assert "06-6910-8001" in last.text
    assert last.response == ("utter_handoff_open" if open_now else "utter_handoff_closed")
    if opens:
        assert opens in last.text
    assert any(e.type == "handoff" for e in turn.events)


# ---- routing, expiry ------------------------------------------------------------------------------


def test_should_route_from_the_front_door_and_continue_there(real_dialogue) -> None:
    turns = talk(real_dialogue, "inquiry", "自動車税の納期限はいつですか", "/auto_tax_payment")
    first = turns[0]
    assert responses(first) == ["utter_routed", "utter_auto_tax_due_date"]
    assert first.messages[0].text.startswith("府税相談")
    assert first.state.active_bot == "tax"
    assert responses(turns[1]) == ["utter_auto_tax_payment"] and turns[1].messages[0].bot == "tax"


def test_should_not_state_an_answer_past_its_valid_until(real_dialogue) -> None:
    response = real_dialogue.packs["tax"].responses["utter_auto_tax_due_date"]
    assert response.valid_until is not None
    later = datetime.combine(response.valid_until + timedelta(days=1), datetime.min.time(), JST).replace(
        hour=10
    )
    (turn,) = talk(real_dialogue, "tax", "自動車税の納期限はいつですか", now=later)
    assert "最新ではない可能性" in turn.messages[0].text
    assert "06-6910-8001" in turn.messages[0].text


def test_should_expire_an_idle_session(real_dialogue) -> None:
    turns = talk(real_dialogue, "consumer", "クーリングオフできるか確認したい")
    later = WEDNESDAY_10AM + timedelta(hours=2)
    turn = real_dialogue.handle(turns[0].state, "こんにちは", later)
    assert any(e.type == "session_expired" for e in turn.events)
    assert turn.state.status is Status.IDLE and turn.state.form is None


def test_should_point_to_the_bot_in_charge_of_another_bots_question(real_dialogue) -> None:
    (turn,) = talk(real_dialogue, "consumer", "自動車税の納期限はいつですか")
    assert responses(turn) == ["utter_other_bot"]
    assert "府税相談" in turn.messages[0].text


def test_should_record_a_rating_as_an_event(real_dialogue) -> None:
    event = real_dialogue.rate("m1", False, "utter_auto_tax_due_date")
    assert event.to_dict() == {
        "type": "rating",
        "message_id": "m1",
        "helpful": False,
        "response": "utter_auto_tax_due_date",
    }
