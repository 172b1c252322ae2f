"""Messages handled together (chat_platform.turn_handler, chat_platform.batcher), on both databases.

A batch is one transaction whatever it holds; these tests check that what a batch stores and
answers is what the same messages one by one would have stored and answered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Sequence

from sqlalchemy import select

from chat_platform.batcher import Batcher
from chat_platform.chat_service import ChatService
from chat_platform.messages import Incoming, NewConversation, Reply, hash_sender
from chat_platform.resident_services import ResidentServices
from core.errors import AppError
from core.storage.models import Conversation, Event, Message

QUESTION = "自動車税の納期限はいつですか"
THANKS = "ありがとうございました"


def chat_with(services: ResidentServices, **settings: object) -> ChatService:
    return ChatService(services.db, services.runtime, dataclasses.replace(services.settings, **settings))


def replies(results: Sequence[Reply | Exception]) -> list[Reply]:
    assert all(isinstance(r, Reply) for r in results), results
    return list(results)  # type: ignore[arg-type]


def stored(services: ResidentServices, session_id: str) -> list[Message]:
    with services.db.session() as session:
        return list(
            session.scalars(
                select(Message).where(Message.conversation_id == session_id).order_by(Message.seq)
            )
        )


def test_should_store_a_batch_of_several_conversations_as_each_alone(services: ResidentServices) -> None:
    chat = services.chat
    sessions = [
        r.session_id for r in replies(chat.handle([chat.prepare_start("tax", "widget") for _ in range(5)]))
    ]
    batch = [chat.prepare("tax", QUESTION, "widget", session_id=s, idempotency_key="q") for s in sessions]
    answers = replies(chat.handle(batch))

    assert [a.session_id for a in answers] == sessions  # each reply goes to its own message
    assert {a.messages[0].response for a in answers} == {"utter_auto_tax_due_date"}
    for session_id in sessions:
        rows = stored(services, session_id)
        assert [(m.direction, m.seq) for m in rows][:2] == [("in", 0), ("out", 1)]
        assert rows[1].reply_to == rows[0].id and rows[0].idempotency_key == "q"
        with services.db.session() as session:
            conversation = session.get(Conversation, session_id)
            assert conversation is not None and conversation.turns == 1
            assert conversation.message_count == len(rows)


def test_should_answer_two_messages_of_one_conversation_in_a_batch_in_order(
    services: ResidentServices,
) -> None:
    chat = services.chat
    session_id = chat.start("consumer", "widget").session_id
    batch = [
        chat.prepare("consumer", "クーリングオフできるか確認したい", "widget", session_id=session_id),
        chat.prepare("consumer", '/inform{"transaction_type": "訪問販売"}', "widget", session_id=session_id),
    ]
    first, second = replies(chat.handle(batch))

    # the second message continued the form the first one opened
    assert first.messages[0].response == "utter_ask_transaction_type"
    assert second.messages[0].response == "utter_ask_received_date"
    rows = stored(services, session_id)
    assert [m.seq for m in rows] == list(range(len(rows)))  # no seq shared, none skipped
    with services.db.session() as session:
        conversation = session.get(Conversation, session_id)
        assert conversation is not None and conversation.turns == 2 and conversation.status == "in_form"
        events = session.scalars(select(Event.type).where(Event.conversation_id == session_id)).all()
        assert "form_started" in events, events


def test_should_store_a_message_sent_twice_in_one_batch_once(services: ResidentServices) -> None:
    chat = services.chat
    session_id = chat.start("tax", "widget").session_id
    twice = [chat.prepare("tax", QUESTION, "widget", session_id=session_id, idempotency_key="same")] * 2
    original, retry = replies(chat.handle(twice))

    assert not original.replayed and retry.replayed
    assert [m.id for m in retry.messages] == [m.id for m in original.messages]
    assert [m.direction for m in stored(services, session_id)] == ["in", "out"]
    # and again later, from storage
    (later,) = replies(chat.handle(twice[:1]))
    assert later.replayed and [m.id for m in later.messages] == [m.id for m in original.messages]


def test_should_refuse_only_the_messages_over_the_limit_within_a_batch(services: ResidentServices) -> None:
    chat = chat_with(services, rate_limit_per_minute=2)
    session_id = chat.start("tax", "widget").session_id
    results = chat.handle([chat.prepare("tax", THANKS, "widget", session_id=session_id) for _ in range(3)])

    assert [type(r).__name__ for r in results] == ["Reply", "Reply", "AppError"]
    refused = results[2]
    assert isinstance(refused, AppError) and refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert len([m for m in stored(services, session_id) if m.direction == "in"]) == 2


def test_should_not_open_a_conversation_for_a_refused_message(services: ResidentServices) -> None:
    """Rasa REST names the resident, not a session: a message refused by the address's limit must
    not leave a conversation behind."""
    chat = chat_with(services, rate_limit_per_address_per_minute=1)
    batch = [
        chat.prepare("tax", THANKS, "rest", sender=sender, address="203.0.113.9")
        for sender in ("resident-first", "resident-refused")
    ]
    accepted, refused = chat.handle(batch)

    assert isinstance(accepted, Reply) and isinstance(refused, AppError) and refused.status == 429
    with services.db.session() as session:
        opened = session.scalars(
            select(Conversation.sender_hash).where(
                Conversation.sender_hash.in_(
                    [hash_sender("rest", "resident-first"), hash_sender("rest", "resident-refused")]
                )
            )
        ).all()
    assert opened == [hash_sender("rest", "resident-first")]


def test_should_answer_an_unknown_session_in_a_batch_without_failing_the_others(
    services: ResidentServices,
) -> None:
    chat = services.chat
    good = chat.start("tax", "widget").session_id
    results = chat.handle(
        [
            chat.prepare("tax", QUESTION, "widget", session_id="no-such-session"),
            chat.prepare("tax", QUESTION, "widget", session_id=good),
            chat.prepare_start("inquiry", "widget"),
        ]
    )

    assert isinstance(results[0], AppError) and results[0].code == "session_not_found"
    assert isinstance(results[1], Reply) and results[1].messages[0].response == "utter_auto_tax_due_date"
    assert isinstance(results[2], Reply) and results[2].messages[0].id == ""  # a welcome, not stored
    with services.db.session() as session:
        assert session.get(Conversation, results[2].session_id) is not None


def test_should_give_each_waiting_request_its_own_reply_and_every_one_the_failure() -> None:
    handled: list[int] = []

    def handle(items: Sequence[Incoming | NewConversation]) -> list[Reply | Exception]:
        handled.append(len(items))
        if any(item.bot_id == "broken" for item in items):
            raise RuntimeError("database down")
        return [Reply(item.bot_id, [], "idle") for item in items]

    def item(bot: str) -> NewConversation:
        return NewConversation(bot, "widget", "ja", False, None)  # type: ignore[arg-type]

    async def scenario() -> None:
        batcher = Batcher(handle, gather_ms=20)
        try:
            got = await asyncio.gather(*(batcher.submit(item(f"bot{n}")) for n in range(10)))
            assert [r.session_id for r in got] == [f"bot{n}" for n in range(10)]
            assert sum(handled) == 10 and len(handled) < 10  # they were handled together
            failed = await asyncio.gather(
                batcher.submit(item("broken")), batcher.submit(item("ok")), return_exceptions=True
            )
            assert all(isinstance(f, RuntimeError) for f in failed), failed  # one batch, one fate
        finally:
            batcher.stop()

    # a thread of its own: the browser tests leave an event loop running in the main thread
    failures: list[BaseException] = []
    runner = threading.Thread(target=lambda: _capture(failures, lambda: asyncio.run(scenario())))
    runner.start()
    runner.join(30)
    assert not runner.is_alive(), "the batcher never answered"
    if failures:
        raise failures[0]


def _capture(failures: list[BaseException], run: Callable[[], object]) -> None:
    try:
        run()
    except BaseException as exc:  # re-raised by the test in its own thread
        failures.append(exc)


def test_should_answer_over_http_through_the_batcher(client) -> None:
    session = client.post("/api/v1/bots/tax/sessions", json={}).json()["session_id"]
    body = {"session_id": session, "text": QUESTION}
    replies_ = [client.post("/api/v1/bots/tax/messages", json=body) for _ in range(2)]
    assert [r.status_code for r in replies_] == [200, 200]
    assert all(r.json()["messages"][0]["response"] == "utter_auto_tax_due_date" for r in replies_)
