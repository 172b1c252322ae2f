"""Pointing to another bot through the resident API: only on real evidence, with a button that
opens a session with that bot, and that bot's contact."""

from __future__ import annotations

import json

from tests.machinery.test_chat_api import send, start


def test_should_point_to_the_tax_bot_with_a_button_that_opens_its_session(client) -> None:
    session_id = start(client, "consumer")
    (message,) = send(client, session_id, "自動車税の納付書をなくしてしまいました", bot="consumer").json()[
        "messages"
    ]
    assert message["response"] == "utter_other_bot"
    assert "府税相談" in message["text"] and "06-6910-8001" in message["text"]
    (button,) = message["buttons"]
    assert button["payload"].startswith("/open_bot")
    target = json.loads(button["payload"].removeprefix("/open_bot"))["bot"]
    assert target == "tax"

    # What the widget does with the button: a new session with that bot, the question asked again.
    tax_session = start(client, target)
    (answer,) = send(client, tax_session, "自動車税の納付書をなくしてしまいました", bot=target).json()[
        "messages"
    ]
    assert answer["response"] == "utter_auto_tax_notice" and answer["bot"] == "tax"


def test_should_name_the_consumer_hotline_when_pointing_to_the_consumer_centre(client) -> None:
    session_id = start(client, "tax")
    (message,) = send(client, session_id, "ネット通販で買った商品が届かない", bot="tax").json()["messages"]
    assert message["response"] == "utter_other_bot"
    assert "188" in message["text"] and "06-6616-0888" in message["text"]
    assert json.loads(message["buttons"][0]["payload"].removeprefix("/open_bot")) == {"bot": "consumer"}


def test_should_answer_the_button_sent_back_as_text_with_where_to_ask(client) -> None:
    """A channel without the widget (Rasa REST, LINE) sends the payload as text: it gets told where."""
    session_id = start(client, "tax")
    (message,) = send(client, session_id, '/open_bot{"bot": "consumer"}', bot="tax").json()["messages"]
    assert message["response"] == "utter_open_bot"
    assert "大阪府消費生活センター" in message["text"] and "188" in message["text"]


def test_should_not_point_anywhere_on_weak_evidence(client) -> None:
    session_id = start(client, "tax")
    (message,) = send(client, session_id, "えーと、よくわからん", bot="tax").json()["messages"]
    assert message["response"] == "utter_nlu_fallback"
    assert not any(b["payload"].startswith("/open_bot") for b in message["buttons"])


def test_should_say_what_the_bot_answers_and_whom_to_call_when_nothing_covers(real_dialogue) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    consumer = real_dialogue.handle(real_dialogue.new_session("f1", "consumer"), "えーと、よくわからん", now)
    (message,) = consumer.messages
    assert message.response == "utter_nlu_fallback"
    assert "188" in message.text and "06-6616-0888" in message.text
    assert "・" in message.text  # the topics the bot does answer
    assert [b.payload for b in message.buttons] == ["/handoff_human"]
    tax = real_dialogue.handle(real_dialogue.new_session("f2", "tax"), "えーと、よくわからん", now)
    assert "06-6910-8001" in tax.messages[0].text and "188" not in tax.messages[0].text
