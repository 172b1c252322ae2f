"""The LINE channel end to end, on SQLite and PostgreSQL: signed webhooks in, reply API calls out to a
real local fake LINE server, nothing processed or stored for an unsigned request."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import logging
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from chat_platform.channels import line
from chat_platform.chat_service import OutgoingMessage, hash_sender
from chat_platform.resident_services import ResidentServices
from core.storage.models import Conversation, Message
from madoguchi.app import create_app
from tests.machinery.test_request_limits import same_minute

SECRET = "test-channel-secret"
TOKEN = "test-channel-token"
WEBHOOK = "/bots/{}/webhooks/line"


class FakeLine:
    """A local stand-in for api.line.me that records every reply request it gets."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                authorization = self.headers.get("Authorization")
                fake.requests.append(
                    {"path": self.path, "authorization": authorization, "body": json.loads(body)}
                )
                status = fake.status if authorization == f"Bearer {TOKEN}" else 401
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def fake_line_server() -> Iterator[FakeLine]:
    server = FakeLine()
    yield server
    server.stop()


@pytest.fixture
def fake_line(fake_line_server: FakeLine) -> FakeLine:
    fake_line_server.requests.clear()
    fake_line_server.status = 200
    return fake_line_server


@contextmanager
def serving_line(services: ResidentServices, fake: FakeLine, **settings: object) -> Iterator[TestClient]:
    """The session's database and trained bots, with settings that give the tax bot a LINE channel
    (and ``settings`` changed)."""
    changed = dataclasses.replace(
        services.settings,
        line_channels={"tax": {"secret": SECRET, "token": TOKEN}},
        line_api_base=fake.base,
        **settings,
    )
    app = create_app(services=ResidentServices(changed, services.db, services.runtime), watch=False)
    if not any(getattr(route, "path", None) == WEBHOOK.format("{bot_id}") for route in app.routes):
        app.include_router(line.router)  # until app.py includes the router itself
    with TestClient(app) as client:
        yield client
    if hasattr(app.state, "line_reply_client"):
        app.state.line_reply_client.close()


@pytest.fixture(scope="module")
def line_client(services: ResidentServices, fake_line_server: FakeLine) -> Iterator[TestClient]:
    with serving_line(services, fake_line_server) as client:
        yield client


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def text_event(text: str, user: str, event_id: str | None = None) -> dict[str, Any]:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1_700_000_000_000,
        "replyToken": f"reply-{uuid.uuid4().hex}",
        "webhookEventId": event_id or uuid.uuid4().hex[:26],
        "source": {"type": "user", "userId": user},
        "message": {"id": "1", "type": "text", "text": text},
        "deliveryContext": {"isRedelivery": False},
    }


def postback_event(data: str, user: str) -> dict[str, Any]:
    return {
        "type": "postback",
        "mode": "active",
        "replyToken": f"reply-{uuid.uuid4().hex}",
        "webhookEventId": uuid.uuid4().hex[:26],
        "source": {"type": "user", "userId": user},
        "postback": {"data": data},
    }


def post(
    client: TestClient, events: list[Any], bot: str = "tax", signature: str | None = "sign", **headers: str
):
    body = json.dumps({"destination": "U" + "0" * 32, "events": events}, ensure_ascii=False).encode()
    if signature == "sign":
        signature = sign(body)
    if signature is not None:
        headers["X-Line-Signature"] = signature
    return client.post(
        WEBHOOK.format(bot), content=body, headers={"Content-Type": "application/json", **headers}
    )


def new_user() -> str:
    return "U" + uuid.uuid4().hex


def message_count(services: ResidentServices) -> int:
    with services.db.session() as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


def test_should_answer_a_signed_text_message_through_the_reply_api(line_client, fake_line) -> None:
    event = text_event("自動車税の納期限はいつですか", new_user())
    response = post(line_client, [event])
    assert response.status_code == 200, response.text
    (request,) = fake_line.requests
    assert request["path"] == "/v2/bot/message/reply"
    assert request["authorization"] == f"Bearer {TOKEN}"
    assert request["body"]["replyToken"] == event["replyToken"]
    (message,) = request["body"]["messages"]
    assert message["type"] == "text" and "5月31日" in message["text"]
    items = message["quickReply"]["items"]
    assert [i["action"]["data"] for i in items] == ["/auto_tax_payment", "/late_payment", "/auto_tax_notice"]
    assert items[0] == {
        "type": "action",
        "action": {
            "type": "postback",
            "label": "支払い方法",
            "data": "/auto_tax_payment",
            "displayText": "支払い方法",
        },
    }
    assert all(len(i["action"]["label"]) <= 20 for i in items)


def test_should_answer_a_button_postback(line_client, fake_line) -> None:
    event = postback_event("/auto_tax_payment", new_user())
    assert post(line_client, [event]).status_code == 200
    (request,) = fake_line.requests
    assert request["body"]["replyToken"] == event["replyToken"]
    assert "コンビニエンスストア" in request["body"]["messages"][0]["text"]


def test_should_refuse_a_wrong_signature_and_process_nothing(line_client, fake_line, services) -> None:
    before = message_count(services)
    response = post(
        line_client, [text_event("自動車税の納期限はいつですか", new_user())], signature=sign(b"other")
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert fake_line.requests == []
    assert message_count(services) == before


def test_should_refuse_a_signature_made_with_another_secret(line_client, fake_line) -> None:
    body = json.dumps({"events": []}).encode()
    response = line_client.post(
        WEBHOOK.format("tax"), content=body, headers={"X-Line-Signature": sign(body, "not-the-secret")}
    )
    assert response.status_code == 401 and fake_line.requests == []


def test_should_refuse_a_missing_signature(line_client, fake_line, services) -> None:
    before = message_count(services)
    response = post(line_client, [text_event("自動車税の納期限はいつですか", new_user())], signature=None)
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_signature"
    assert fake_line.requests == [] and message_count(services) == before


def test_should_refuse_a_bot_without_a_line_channel(line_client, fake_line) -> None:
    response = post(line_client, [text_event("消費者ホットラインの番号は", new_user())], bot="consumer")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "line_not_configured"
    assert fake_line.requests == []


def test_should_say_an_unknown_bot_does_not_exist(line_client, fake_line) -> None:
    response = post(line_client, [text_event("こんにちは", new_user())], bot="no_such_bot")
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_bot"


def test_should_accept_lines_verification_request(line_client, fake_line) -> None:
    response = post(line_client, [])
    assert response.status_code == 200 and fake_line.requests == []


def test_should_refuse_a_signed_body_that_is_not_a_webhook(line_client, fake_line) -> None:
    body = b"not json"
    response = line_client.post(WEBHOOK.format("tax"), content=body, headers={"X-Line-Signature": sign(body)})
    assert response.status_code == 400 and fake_line.requests == []


def test_should_answer_a_sticker_politely_with_text_and_store_nothing(
    line_client, fake_line, services
) -> None:
    event = text_event("", new_user())
    event["message"] = {"id": "2", "type": "sticker", "packageId": "446", "stickerId": "1988"}
    before = message_count(services)
    assert post(line_client, [event]).status_code == 200
    (request,) = fake_line.requests
    assert request["body"]["replyToken"] == event["replyToken"]
    assert request["body"]["messages"] == [{"type": "text", "text": line.ONLY_TEXT}]
    assert message_count(services) == before


def test_should_ignore_follow_and_unfollow_events(line_client, fake_line, services) -> None:
    user = new_user()
    before = message_count(services)
    events = [
        {"type": "follow", "replyToken": "r", "source": {"type": "user", "userId": user}},
        {"type": "unfollow", "source": {"type": "user", "userId": user}},
    ]
    assert post(line_client, events).status_code == 200
    assert fake_line.requests == [] and message_count(services) == before


def test_should_keep_one_conversation_per_line_user(line_client, fake_line, services) -> None:
    user = new_user()
    post(line_client, [text_event("自動車税の納期限はいつですか", user)])
    post(line_client, [text_event("どこで払えますか", user)])
    assert len(fake_line.requests) == 2
    with services.db.session() as session:
        conversations = session.scalars(
            select(Conversation).where(Conversation.sender_hash == hash_sender("line", user))
        ).all()
        incoming = session.scalars(
            select(Message)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.sender_hash == hash_sender("line", user), Message.direction == "in")
            .order_by(Message.seq)
        ).all()
        assert len(conversations) == 1 and conversations[0].channel == "line" and conversations[0].turns == 2
        assert len(incoming) == 2 and incoming[0].conversation_id == incoming[1].conversation_id
        assert session.scalar(select(func.count()).where(Conversation.sender_hash == user)) == 0  # hashed


def test_should_store_a_redelivered_event_once(line_client, fake_line, services) -> None:
    user, event_id = new_user(), uuid.uuid4().hex[:26]
    post(line_client, [text_event("自動車税の納期限はいつですか", user, event_id)])
    post(line_client, [text_event("自動車税の納期限はいつですか", user, event_id)])
    with services.db.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Message)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.sender_hash == hash_sender("line", user), Message.direction == "in")
        )
    assert count == 1


def test_should_still_answer_200_when_line_refuses_the_reply(line_client, fake_line, caplog) -> None:
    fake_line.status = 500
    with caplog.at_level(logging.WARNING, logger="madoguchi"):
        response = post(line_client, [text_event("自動車税の納期限はいつですか", new_user())])
    assert response.status_code == 200 and len(fake_line.requests) == 1
    assert "HTTP 500" in caplog.text and "自動車税" not in caplog.text


def test_should_answer_the_other_events_when_one_fails_and_log_no_text(
    line_client, fake_line, caplog
) -> None:
    broken = text_event("秘密の内容", new_user())
    broken["message"] = "秘密の内容"  # not an object: handling it raises
    good = text_event("自動車税の納期限はいつですか", new_user())
    with caplog.at_level(logging.ERROR, logger="madoguchi"):
        assert post(line_client, [broken, good]).status_code == 200
    assert [r["body"]["replyToken"] for r in fake_line.requests] == [good["replyToken"]]
    assert "LINE event failed: AttributeError" in caplog.text and "秘密" not in caplog.text


def test_should_tell_the_resident_when_a_message_is_too_long(line_client, fake_line) -> None:
    assert post(line_client, [text_event("あ" * 1001, new_user())]).status_code == 200
    (request,) = fake_line.requests
    assert "1000文字以内" in request["body"]["messages"][0]["text"]


def test_should_count_refused_messages_against_the_residents_limit(services, fake_line) -> None:
    """A LINE user sending nothing but messages the checks refuse is rate-limited like any other."""
    user = new_user()
    same_minute()
    with serving_line(services, fake_line, rate_limit_per_minute=2) as client:
        for _ in range(3):
            assert post(client, [text_event("あ" * 1001, user)]).status_code == 200
    answers = [request["body"]["messages"][0]["text"] for request in fake_line.requests]
    assert len(answers) == 3
    assert "1000文字以内" in answers[0] and "1000文字以内" in answers[1]
    assert "送信が多すぎます" in answers[2], answers


def test_should_not_answer_when_another_module_holds_the_chat(line_client, fake_line) -> None:
    event = text_event("自動車税の納期限はいつですか", new_user())
    event["mode"] = "standby"
    assert post(line_client, [event]).status_code == 200 and fake_line.requests == []


def outgoing(text: str, buttons: list[dict[str, str]] | None = None) -> OutgoingMessage:
    return OutgoingMessage("id", text, buttons or [], "tax", "府税相談", "utter_x", True)


def test_should_fit_replies_into_lines_limits() -> None:
    buttons = [
        {"title": f"とても長いボタンの題名です、二十文字を超えます{i}", "payload": f"/b{i}"}
        for i in range(20)
    ]
    messages = line.to_line_messages(
        [outgoing(f"回答{i}\n") for i in range(6)] + [outgoing("x" * 6000, buttons), outgoing("")]
    )
    assert len(messages) == 5
    assert [m["text"] for m in messages[:4]] == ["回答0", "回答1", "回答2", "回答3"]
    assert messages[4]["text"].startswith("回答4\n\n回答5\n\nxxx") and len(messages[4]["text"]) == 5000
    items = messages[4]["quickReply"]["items"]
    assert len(items) == 13 and all(len(i["action"]["label"]) == 20 for i in items)
    assert items[0]["action"]["displayText"] == buttons[0]["title"]


def test_should_give_buttons_without_text_a_prompt_and_skip_overlong_payloads() -> None:
    (message,) = line.to_line_messages(
        [
            outgoing(
                "", [{"title": "はい", "payload": "/affirm"}, {"title": "長い", "payload": "/" + "x" * 300}]
            )
        ]
    )
    assert message["text"] == line.CHOOSE_BELOW
    assert [i["action"]["data"] for i in message["quickReply"]["items"]] == ["/affirm"]


def test_should_check_the_signature_against_the_raw_body() -> None:
    body = b'{"events":[]}'
    assert line.signature_ok(SECRET, body, sign(body))
    assert not line.signature_ok(SECRET, body, None)
    assert not line.signature_ok(SECRET, body, "")
    assert not line.signature_ok(SECRET, body + b" ", sign(body))
    assert not line.signature_ok(SECRET, body, "ñ" + sign(body))


def test_should_log_and_not_raise_when_line_cannot_be_reached(caplog) -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = line.LineReplyClient(f"http://127.0.0.1:{port}", timeout=1.0)
    with caplog.at_level(logging.WARNING, logger="madoguchi"):
        assert client.reply(TOKEN, "r", [{"type": "text", "text": "秘密"}]) is False
    client.close()
    assert "LINE reply failed: ConnectError" in caplog.text and "秘密" not in caplog.text


def test_should_answer_hostile_events_with_an_error_and_the_others_normally(
    line_client, fake_line, services, caplog
) -> None:
    """NUL, control characters and lone surrogates in a text, a user id or an event id: each such
    event gets the error's Japanese text, nothing of it is stored, the good event is answered."""
    hostile = [
        text_event("自動車税\ud800の納期限", new_user()),
        text_event("自動車税\x00の納期限", new_user()),
        text_event("自動車税の納期限\x1b[2J", new_user()),
        text_event("自動車税の納期限", "U\x00" + uuid.uuid4().hex),
        text_event("自動車税の納期限", new_user(), event_id="e\x00" + uuid.uuid4().hex[:20]),
    ]
    good = text_event("自動車税の納期限はいつですか", new_user())
    body = json.dumps({"destination": "U" + "0" * 32, "events": [*hostile, good]}).encode()  # \ud800 escaped
    stored = message_count(services)
    with caplog.at_level(logging.WARNING, logger="madoguchi"):
        response = line_client.post(
            WEBHOOK.format("tax"),
            content=body,
            headers={"Content-Type": "application/json", "X-Line-Signature": sign(body)},
        )
    assert response.status_code == 200
    answers = {r["body"]["replyToken"]: r["body"]["messages"][0]["text"] for r in fake_line.requests}
    assert set(answers) == {e["replyToken"] for e in [*hostile, good]}  # every event answered
    assert all("ください" in answers[e["replyToken"]] for e in hostile), answers  # says what to do
    assert "自動車税" in answers[good["replyToken"]]
    assert message_count(services) == stored + 2  # the good question and its answer only
    assert caplog.records == []  # refused by the checks: no event failed, no database error
