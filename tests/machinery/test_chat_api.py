"""The resident API end to end, on SQLite and PostgreSQL: widget endpoints, Rasa channels, input
limits, idempotent retries, storage of masked text, health and metrics."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from core.storage.models import Conversation, Event, Message, Rating


def start(client, bot: str = "tax") -> str:
    response = client.post(f"/api/v1/bots/{bot}/sessions", json={"language": "ja"})
    assert response.status_code == 200, response.text
    return response.json()["session_id"]


def send(client, session_id: str, text: str, bot: str = "tax", key: str | None = None):
    return client.post(
        f"/api/v1/bots/{bot}/messages", json={"session_id": session_id, "text": text, "idempotency_key": key}
    )


def test_should_list_the_bots_residents_can_talk_to(client) -> None:
    bots = {b["id"]: b for b in client.get("/api/v1/bots").json()["bots"]}
    assert set(bots) == {"consumer", "tax", "inquiry"}  # the test packs, less common (never opened alone)
    assert bots["tax"]["name"]["ja"] == "府税相談" and bots["tax"]["department"] == "財務・税務"


def test_should_answer_a_message_with_buttons_and_a_rateable_id(client) -> None:
    session_id = start(client)
    body = send(client, session_id, "自動車税の納期限はいつですか").json()
    (message,) = body["messages"]
    assert message["response"] == "utter_auto_tax_due_date" and message["rateable"] and message["id"]
    assert message["buttons"] and message["bot_name"] == "府税相談"
    assert body["status"] == "idle" and body["replayed"] is False


def test_should_route_from_the_front_door_and_say_who_answered(client) -> None:
    session_id = start(client, "inquiry")
    messages = send(client, session_id, "自動車税の納期限はいつですか", bot="inquiry").json()["messages"]
    assert [m["bot"] for m in messages] == ["tax", "tax"]
    assert messages[0]["text"].startswith("府税相談")


def test_should_store_a_retried_message_once(client, services) -> None:
    session_id = start(client)
    key = uuid.uuid4().hex
    first = send(client, session_id, "自動車税はどこで払えますか", key=key).json()
    again = send(client, session_id, "自動車税はどこで払えますか", key=key).json()
    assert again["replayed"] is True
    assert [m["id"] for m in again["messages"]] == [m["id"] for m in first["messages"]]
    with services.db.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == session_id, Message.direction == "in")
        )
    assert count == 1


def test_should_offer_the_same_ratings_when_answering_a_retry_from_storage(client) -> None:
    """Whether an answer may be rated is the dialogue engine's call; a retry answered from storage
    gets the same call (a hand-off's "call this number" is never rated, the first time or again)."""
    session_id = start(client)
    key = uuid.uuid4().hex
    first = send(client, session_id, "人と話したいです", key=key).json()
    again = send(client, session_id, "人と話したいです", key=key).json()
    assert again["replayed"] is True and again["messages"] == first["messages"]
    assert first["messages"] and not any(m["rateable"] for m in first["messages"])
    answered = send(client, session_id, "自動車税はどこで払えますか", key=key + "2").json()
    replayed = send(client, session_id, "自動車税はどこで払えますか", key=key + "2").json()
    assert [m["rateable"] for m in replayed["messages"]] == [m["rateable"] for m in answered["messages"]]
    assert any(m["rateable"] for m in answered["messages"])


def test_should_mask_personal_data_before_storing(client, services) -> None:
    session_id = start(client)
    send(client, session_id, "電話番号は090-1234-5678、メールはtaro@example.jpです")
    with services.db.session() as session:
        stored = session.scalars(
            select(Message.text).where(Message.conversation_id == session_id, Message.direction == "in")
        ).one()
    assert "090-1234-5678" not in stored and "taro@example.jp" not in stored


def test_should_record_a_rating_once(client, services) -> None:
    session_id = start(client)
    message = send(client, session_id, "自動車税の納期限はいつですか").json()["messages"][0]
    ok = client.post(
        f"/api/v1/messages/{message['id']}/rating", json={"session_id": session_id, "helpful": True}
    )
    assert ok.status_code == 200 and ok.json() == {"ok": True}
    again = client.post(
        f"/api/v1/messages/{message['id']}/rating", json={"session_id": session_id, "helpful": False}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    with services.db.session() as session:
        assert session.get(Rating, message["id"]).helpful is True
        assert (
            session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.conversation_id == session_id, Event.type == "rating")
            )
            == 1
        )


def test_should_refuse_bad_input_with_clear_errors_and_store_nothing(client, services) -> None:
    session_id = start(client)
    cases = [
        ({"session_id": session_id, "text": ""}, 400, "empty_message"),
        ({"session_id": session_id, "text": "   \n "}, 400, "empty_message"),
        ({"session_id": session_id, "text": "あ" * 1001}, 413, "message_too_long"),
        ({"session_id": session_id, "text": "abc\x00def"}, 400, "control_characters"),
        ({"session_id": session_id, "text": 123}, 422, "invalid_request"),
        ({"session_id": session_id}, 422, "invalid_request"),
        ({"session_id": "nope", "text": "こんにちは"}, 404, "session_not_found"),
    ]
    for body, status, code in cases:
        response = client.post("/api/v1/bots/tax/messages", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"]["code"] == code
        assert "Traceback" not in response.text
    broken = client.post(
        "/api/v1/bots/tax/messages", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_json"
    unknown = client.post("/api/v1/bots/nosuchbot/messages", json={"session_id": session_id, "text": "hi"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_bot"
    with services.db.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Message).where(Message.conversation_id == session_id)
            )
            == 0
        )


def test_should_speak_rasas_rest_channel(client) -> None:
    response = client.post(
        "/bots/tax/webhooks/rest/webhook",
        json={"sender": "resident-1", "message": "自動車税の納期限はいつですか"},
    )
    assert response.status_code == 200
    (message,) = response.json()
    assert message["recipient_id"] == "resident-1" and message["text"]
    assert {"title", "payload"} <= set(message["buttons"][0])
    follow = client.post(
        "/bots/tax/webhooks/rest/webhook",
        json={"sender": "resident-1", "message": message["buttons"][0]["payload"]},
    )
    assert follow.status_code == 200 and follow.json()[0]["text"]


def test_should_parse_like_rasa_per_bot_and_routed(client) -> None:
    routed = client.post("/model/parse", json={"text": "車の税金の期限"}).json()
    assert routed["bot"] == "tax" and routed["intent"]["name"] == "auto_tax_due_date"
    assert {"text", "intent", "intent_ranking", "entities"} <= set(routed)
    nothing = client.post("/model/parse", json={"text": "あsdふぁsdf"}).json()
    assert nothing["intent"]["name"] == "nlu_fallback" and nothing["bot"] is None
    own = client.post("/bots/consumer/model/parse", json={"text": "クーリングオフについて教えて"}).json()
    assert own["bot"] == "consumer"


def test_should_report_health_readiness_and_metrics(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    metrics = client.get("/metrics").text
    assert "madoguchi_messages_total" in metrics and "madoguchi_message_seconds_bucket" in metrics


def test_should_end_a_session_and_refuse_messages_to_it(client, services) -> None:
    session_id = start(client)
    assert client.post(f"/api/v1/sessions/{session_id}/end").json() == {"ok": True}
    response = send(client, session_id, "こんにちは")
    assert response.status_code == 404 and response.json()["error"]["code"] == "session_not_found"
    with services.db.session() as session:
        assert session.get(Conversation, session_id).ended_at is not None


def test_should_serve_the_demo_page_and_openapi(client) -> None:
    schema = client.get("/openapi.json").json()
    assert "/bots/{bot_id}/webhooks/rest/webhook" in schema["paths"]
    assert "/api/v1/bots/{bot_id}/messages" in schema["paths"]


def test_should_welcome_the_resident_with_topics_to_tap(client) -> None:
    body = client.post("/api/v1/bots/tax/sessions", json={"language": "ja"}).json()
    (welcome,) = body["messages"]
    assert welcome["text"].startswith("府税相談です") and welcome["id"] is None and not welcome["rateable"]
    assert 1 <= len(welcome["buttons"]) <= 4 and all(b["payload"].startswith("/") for b in welcome["buttons"])
    english = client.post("/api/v1/bots/tax/sessions", json={"language": "en"}).json()["messages"][0]
    assert english["text"].startswith("This is")


def test_should_refuse_a_request_body_over_64_kb_with_413(client) -> None:
    text = "あ" * 30_000  # 90 kB of UTF-8: refused before it is parsed, not read into memory whole
    response = client.post("/api/v1/bots/tax/messages", json={"session_id": "x", "text": text})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "body_too_large"
    assert "64 KB" in response.json()["error"]["message_en"]


def test_should_answer_the_fast_endpoints_errors_as_documented(client) -> None:
    """api/fast_lane.py answers these two endpoints itself; its errors are the app's handlers'."""
    not_json = client.post(
        "/api/v1/bots/tax/messages", content=b"{", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == "invalid_json"
    missing = client.post("/api/v1/bots/tax/messages", json={"text": "こんにちは"})
    assert missing.status_code == 422 and "session_id" in missing.json()["error"]["message_en"]
    unknown = client.post("/api/v1/bots/nosuchbot/sessions", json={})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_bot"
    wrong_language = client.post("/api/v1/bots/tax/sessions", json={"language": "fr"})
    assert wrong_language.status_code == 422


def test_should_keep_the_kinds_masked_on_each_message(client, services) -> None:
    # Given a resident who writes a name, a phone number and an e-mail address
    session_id = start(client)
    send(client, session_id, "山田と申します。電話番号は090-1234-5678、メールはtaro@example.jpです")
    # When the stored message is read
    with services.db.session() as session:
        stored = session.execute(
            select(Message.text, Message.masked_kinds).where(
                Message.conversation_id == session_id, Message.direction == "in"
            )
        ).one()
    # Then the text holds placeholders only and the kinds masked are kept beside it, in order
    assert "山田" not in stored.text and "090" not in stored.text
    assert stored.masked_kinds == "name,phone,email"
