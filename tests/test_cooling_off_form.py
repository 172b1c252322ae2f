"""The cooling-off check as residents use it: everyday words, values given up front or out of
order, corrections after the answer, 「覚えてない」, English end to end, the restart phrase."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from shared_nlu.actions.cooling_off_types import read_transaction_type
from shared_nlu.clock import JAPAN
from shared_nlu.dialogue.engine import FORM_MEMORY_TURNS, DialogueEngine
from shared_nlu.pack import read_pack_folder, validate_packs

NOW = datetime(2026, 12, 8, 11, 0, tzinfo=JAPAN)  # a Tuesday
ROOT = Path(__file__).resolve().parents[1]


class Resident:
    """One conversation with the consumer bot; ``say`` returns the responses of the turn."""

    def __init__(self, engine: DialogueEngine, now: datetime = NOW) -> None:
        self.engine, self.now = engine, now
        self.state = engine.new_session("form-test", "consumer")
        self.turn = None

    def say(self, text: str) -> list[str]:
        self.turn = self.engine.handle(self.state, text, self.now)
        self.state = self.turn.state
        return [m.response for m in self.turn.messages]

    @property
    def last(self):
        assert self.turn is not None
        return self.turn.messages[-1]

    @property
    def answered(self) -> dict:
        return dict(self.state.recent_slots)


@pytest.fixture
def resident(real_dialogue) -> Resident:
    return Resident(real_dialogue)


# ---- everyday words for the seven types --------------------------------------------------------
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("電話", "電話勧誘販売"),
        ("いや、電話勧誘やった", "電話勧誘販売"),
        ("業者から電話がかかってきて契約した", "電話勧誘販売"),
        ("家に業者が来た", "訪問販売"),
        ("うちに営業の人が来て", "訪問販売"),
        ("キャッチセールスで契約", "訪問販売"),
        ("内職", "業務提供誘引販売取引"),
        ("モニター", "業務提供誘引販売取引"),
        ("在宅ワークの教材", "業務提供誘引販売取引"),
        ("買取", "訪問購入"),
        ("家に来た業者に指輪を買い取られた", "訪問購入"),
        ("エステ", "特定継続的役務提供"),
        ("語学教室", "特定継続的役務提供"),
        ("結婚相談所", "特定継続的役務提供"),
        ("学習塾", "特定継続的役務提供"),
        ("家庭教師", "特定継続的役務提供"),
        ("パソコン教室", "特定継続的役務提供"),
        ("美容医療", "特定継続的役務提供"),
        ("ネットで買った", "通信販売"),
        ("通販", "通信販売"),
        ("テレビを見て電話で注文した", "通信販売"),
        ("マルチ", "連鎖販売取引"),
        ("ねずみ講", "連鎖販売取引"),
        ("ネットワークビジネス", "連鎖販売取引"),
        ("door-to-door", "訪問販売"),
        ("a salesman came to my house", "訪問販売"),
        ("phone sales", "電話勧誘販売"),
        ("I bought it online", "通信販売"),
        ("beauty salon", "特定継続的役務提供"),
        ("multi-level marketing", "連鎖販売取引"),
        ("訪問販売じゃなくて電話勧誘でした", "電話勧誘販売"),
        ("リフォーム業者が来て契約した", "訪問販売"),
        ("催眠商法の会場で", "訪問販売"),
        ("美容クリニックの脱毛", "特定継続的役務提供"),
        ("ドロップシッピング", "業務提供誘引販売取引"),
        ("a telemarketer called me", "電話勧誘販売"),
        ("電話で注文した", "通信販売"),
        ("業者が電話をかけてきた", "電話勧誘販売"),
        ("dating service", "特定継続的役務提供"),
        ("approached on the street", "訪問販売"),
    ],
)
def test_should_read_everyday_words_as_the_acts_transaction_types(words, expected):
    # Given how a resident describes the contract
    # When the transaction type is read
    reading = read_transaction_type(words)
    # Then it is the Act's type
    assert (reading.value, reading.candidates) == (expected, ())


@pytest.mark.parametrize(
    ("words", "candidates"),
    [
        ("副業", ("業務提供誘引販売取引", "通信販売", "連鎖販売取引")),
        ("ネットで見た業者が家に来た", ("訪問販売", "通信販売")),
        ("電話で申し込んだ", ("通信販売", "電話勧誘販売")),
    ],
)
def test_should_list_the_candidates_of_a_word_that_fits_several_types(words, candidates):
    reading = read_transaction_type(words)
    assert reading.value is None and reading.candidates == candidates


@pytest.mark.parametrize(
    "words",
    [
        "電話番号を教えて",
        "先週の水曜日にもらいました",
        "ジムの契約",
        "電話で昨日問い合わせたけど返事がない",
        "188に電話してみます",
    ],
)
def test_should_read_no_type_from_words_that_name_none(words):
    assert read_transaction_type(words).value is None and not read_transaction_type(words).candidates


# ---- the form in conversation ------------------------------------------------------------------
def test_should_answer_at_once_when_the_first_message_gives_type_and_date(resident):
    # Given a first message with the type and the date
    said = resident.say("訪問販売で3日前に契約書をもらった、まだ間に合う？")
    # Then the answer comes at once, counted from 5 December
    assert said[-1] == "utter_cooling_off_running"
    assert resident.answered == {"transaction_type": "訪問販売", "received_date": "2026-12-05"}
    assert "2026年12月12日（土）" in resident.last.text


def test_should_recompute_with_a_corrected_date_and_keep_the_type(resident):
    # Given an answer for a door-to-door sale received 3 days ago
    for text in ["まだクーリングオフできる？", "訪問販売", "3日前"]:
        resident.say(text)
    # When the resident corrects the day
    said = resident.say("あ、書面をもらったのは先週の水曜日でした")
    # Then the answer is recomputed from Wednesday 2 December, still for 訪問販売
    assert said[-1] == "utter_cooling_off_running"
    assert resident.answered == {"transaction_type": "訪問販売", "received_date": "2026-12-02"}
    assert "2026年12月9日（水）" in resident.last.text


def test_should_recompute_with_a_corrected_type_and_keep_the_date(resident):
    for text in ["まだクーリングオフできる？", "訪問販売", "10日前"]:
        resident.say(text)
    assert resident.say("いや、マルチやった")[-1] == "utter_cooling_off_running"  # 20 days, not 8
    assert resident.answered == {"transaction_type": "連鎖販売取引", "received_date": "2026-11-28"}


def test_should_take_a_date_given_while_the_type_is_asked(resident):
    resident.say("/cooling_off_check")
    assert resident.say("おととい書面が届きました") == ["utter_ask_transaction_type"]
    assert resident.say("エステ")[-1] == "utter_cooling_off_running"
    assert resident.answered["received_date"] == "2026-12-06"


def test_should_ask_with_only_the_fitting_buttons_when_a_word_fits_several_types(resident):
    resident.say("/cooling_off_check")
    assert resident.say("副業の話です") == ["utter_ask_transaction_type"]
    payloads = {
        json.loads(b.payload.split("inform", 1)[1])["transaction_type"] for b in resident.last.buttons
    }
    assert payloads == {"業務提供誘引販売取引", "連鎖販売取引", "通信販売"}
    assert "副業" in resident.last.text


def test_should_answer_an_unknown_date_with_what_to_do_and_then_take_the_date(resident):
    for text in ["/cooling_off_check", "電話勧誘販売"]:
        resident.say(text)
    # When the resident does not remember the day
    assert resident.say("覚えてない") == ["utter_cooling_off_no_date"]
    # Then the answer says where the period counts from, that it may not have started, and 188
    text = resident.last.text
    assert "書面" in text and "始まっていない" in text and "188" in text
    # and a day found later gives the answer with the type kept
    assert resident.say("契約書を見たら2日前でした")[-1] == "utter_cooling_off_running"
    assert resident.answered == {"transaction_type": "電話勧誘販売", "received_date": "2026-12-06"}


def test_should_start_the_check_with_the_phrase_the_cancel_message_advises(resident):
    resident.say("/cooling_off_check")
    assert resident.say("やめる") == ["utter_cooling_off_cancelled"]
    advice = resident.last.text.split("「")[1].split("」")[0]
    assert advice == "クーリングオフ 確認"
    assert resident.say(advice) == ["utter_ask_transaction_type"]
    assert resident.turn.parse.intent == "cooling_off_check"


def test_should_start_the_check_with_the_english_restart_phrase(resident):
    resident.say("Can I still cancel my contract?")
    resident.say("cancel")
    assert '"check cooling-off"' in resident.last.text
    assert resident.say("check cooling-off") == ["utter_ask_transaction_type"]


def test_should_check_in_english_end_to_end(resident):
    # Given a resident who writes in English
    assert resident.say("Can I still cancel my contract?") == ["utter_ask_transaction_type"]
    assert resident.say("door-to-door") == ["utter_ask_received_date"]
    # When they give a date in English words
    assert resident.say("20 November") == ["utter_cooling_off_expired"]
    # Then the whole answer is in English, the type named in English
    text = resident.last.text
    assert "door-to-door sales" in text and "Fri 27 November 2026" in text
    assert not any("\u3040" <= ch <= "\u9fff" for ch in text)
    # and "yesterday" corrects the date (it is not "yes")
    assert resident.say("yesterday") == ["utter_cooling_off_running"]
    assert resident.answered["received_date"] == "2026-12-07"


@pytest.mark.parametrize(
    ("date_words", "received"),
    [
        ("3 days ago", "2026-12-05"),
        ("December 3", "2026-12-03"),
        ("November 20", "2026-11-20"),
        ("last Wednesday", "2026-12-02"),
        ("yesterday", "2026-12-07"),
        ("a week ago", "2026-12-01"),
    ],
)
def test_should_take_english_dates_in_the_form(real_dialogue, date_words, received):
    resident = Resident(real_dialogue)
    for text in ["Am I still within the cooling-off period?", "phone sales"]:
        resident.say(text)
    resident.say(date_words)
    assert resident.answered == {"transaction_type": "電話勧誘販売", "received_date": received}


@pytest.mark.parametrize(
    ("date_words", "result"),
    [
        ("7日前", "utter_cooling_off_last_day"),
        ("8日前", "utter_cooling_off_expired"),
        ("今日", "utter_cooling_off_running"),
    ],
)
def test_should_stay_right_on_the_boundary_day(real_dialogue, date_words, result):
    # Given a door-to-door sale (8 days, the day of receipt is day 1)
    resident = Resident(real_dialogue)
    for text in ["/cooling_off_check", "訪問販売"]:
        resident.say(text)
    # Then 7 days ago is the last day and 8 days ago has expired
    assert resident.say(date_words)[-1] == result


def test_should_answer_a_clear_other_question_after_the_result_as_itself(resident):
    for text in ["まだクーリングオフできる？", "訪問販売", "3日前"]:
        resident.say(text)
    assert resident.say("ネットで買った服が届かない") == ["utter_online_shopping"]
    assert resident.say("電話勧誘の相談はどこに電話したらいい？")[-1] != "utter_cooling_off_running"
    assert resident.answered["transaction_type"] == "訪問販売"


def test_should_forget_the_values_after_a_few_turns(resident):
    for text in ["まだクーリングオフできる？", "訪問販売", "3日前"]:
        resident.say(text)
    for _ in range(FORM_MEMORY_TURNS):
        resident.say("ありがとう")
    # a date long after the answer starts a new check and asks the type again
    assert resident.say("いや、5日前でした") == ["utter_ask_transaction_type"]


def test_should_reject_an_if_unknown_response_that_does_not_exist(tmp_path):
    # Given the consumer pack whose form names a missing if_unknown response
    for bot in ("common", "consumer"):
        shutil.copytree(ROOT / "bots" / bot, tmp_path / bot)
    forms = tmp_path / "consumer" / "forms.yml"
    forms.write_text(
        forms.read_text(encoding="utf-8").replace("utter_cooling_off_no_date", "utter_no_such"),
        encoding="utf-8",
    )
    # When it is validated
    sources = {p.name: read_pack_folder(p) for p in sorted(tmp_path.iterdir())}
    diags = validate_packs(sources)[1]
    # Then the editor is told which response to add
    assert any(d.code == "missing-response" and "utter_no_such" in d.message for d in diags.errors)


def test_should_keep_answering_in_english_when_the_date_is_digits_only(resident):
    # Given an English conversation
    for text in ["Can I still cancel my contract?", "door-to-door"]:
        resident.say(text)
    # When the date is typed as digits only (no words to tell the language)
    assert resident.say("2026/12/05") == ["utter_cooling_off_running"]
    # Then the answer is still in English
    assert "door-to-door sales" in resident.last.text and "Sat 5 December 2026" in resident.last.text


def test_should_keep_a_chosen_type_when_the_date_answer_only_mentions_other_words(resident):
    # Given 訪問購入 chosen by button
    resident.say("/cooling_off_check")
    resident.say('/inform{"transaction_type": "訪問購入"}')
    # When the date answer also says the buyer came to the house (words of 訪問販売)
    resident.say("家に来た人に3日前に渡した書類です")
    # Then the chosen type stays
    assert resident.answered == {"transaction_type": "訪問購入", "received_date": "2026-12-05"}


def test_should_take_a_type_corrected_together_with_the_date(resident):
    for text in ["/cooling_off_check", "訪問販売"]:
        resident.say(text)
    assert resident.say("いや電話勧誘で、書面は3日前")[-1] == "utter_cooling_off_running"
    assert resident.answered == {"transaction_type": "電話勧誘販売", "received_date": "2026-12-05"}


def test_should_recompute_when_a_type_button_is_pressed_after_the_answer(resident):
    for text in ["まだクーリングオフできる？", "訪問販売", "3日前"]:
        resident.say(text)
    assert resident.say('/inform{"transaction_type": "連鎖販売取引"}')[-1] == "utter_cooling_off_running"
    assert resident.answered == {"transaction_type": "連鎖販売取引", "received_date": "2026-12-05"}


@pytest.mark.parametrize("text", ["ありがとう、月曜に188に電話してみます", "20日に相談に行きます"])
def test_should_not_take_a_guessed_day_from_a_message_after_the_answer(resident, text):
    # Given an answer for a door-to-door sale received 3 days ago
    for said in ["まだクーリングオフできる？", "訪問販売", "3日前"]:
        resident.say(said)
    # When the resident names a day that is not the document's (「月曜に」「20日に」 are plans)
    said = resident.say(text)
    # Then the answer is not recomputed
    assert "utter_cooling_off_running" not in said and "utter_cooling_off_expired" not in said
    assert resident.answered["received_date"] == "2026-12-05"


@pytest.mark.parametrize(
    ("message", "result", "answered"),
    [
        (
            "先週の水曜に家に来た業者と屋根の工事の契約をしてしまいました。今からでもクーリングオフできますか",
            "utter_cooling_off_running",
            {"transaction_type": "訪問販売", "received_date": "2026-12-02"},
        ),
        (
            "マルチに誘われて入会して、20日前に書類をもらった。まだやめられる？",
            "utter_cooling_off_expired",
            {"transaction_type": "連鎖販売取引", "received_date": "2026-11-18"},
        ),
        (
            "I bought a water purifier from a door-to-door salesman 5 days ago. Can I still cancel?",
            "utter_cooling_off_running",
            {"transaction_type": "訪問販売", "received_date": "2026-12-03"},
        ),
    ],
)
def test_should_answer_a_question_that_gives_every_value_even_under_a_nearby_topic(
    real_dialogue, message, result, answered
):
    # Given one message with the type, the date and the question (the model may file it under
    # door-to-door sales or MLM, or hesitate)
    resident = Resident(real_dialogue)
    # When it is sent
    said = resident.say(message)
    # Then the check answers it at once
    assert said[-1] == result and resident.answered == answered


def test_should_still_answer_a_topic_question_that_gives_no_date(resident):
    assert resident.say("屋根の点検に来た業者に契約を迫られて困っています") == ["utter_door_to_door_sales"]


def test_should_explain_an_unknown_type_in_english_without_japanese_choice_names(resident):
    resident.say("Can I still cancel my contract?")
    assert resident.say("a gym membership") == ["utter_ask_transaction_type"]
    problem = resident.last.text.split("\n")[0]
    assert "not one of the options" in problem and not any("\u3040" <= ch <= "\u9fff" for ch in problem)
    assert len(resident.last.buttons) == 7


def test_should_check_from_the_front_door_and_take_corrections_there(real_dialogue):
    # Given a resident in the inquiry bot (the front door, which routes to the consumer bot)
    resident = Resident(real_dialogue)
    resident.state = real_dialogue.new_session("front-door", "inquiry")
    # When they ask with the type and the date, then correct the date
    first = resident.say("訪問販売で3日前に契約書をもらった、まだ間に合う？")
    # Then the consumer bot answers at once and takes the correction
    assert first[-1] == "utter_cooling_off_running" and "utter_routed" in first
    assert resident.say("あ、書面をもらったのは先週の水曜日でした")[-1] == "utter_cooling_off_running"
    assert resident.answered == {"transaction_type": "訪問販売", "received_date": "2026-12-02"}


def test_should_not_start_the_check_from_a_date_inside_a_longer_story(resident):
    # 「昨日」 in a story about something else is not the answer to "which day?"
    said = resident.say("電話で昨日問い合わせたけど返事がない")
    assert "utter_ask_transaction_type" not in said and "utter_cooling_off_running" not in said
