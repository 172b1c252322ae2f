"""One bad request hurts only itself (issue 13), on SQLite and PostgreSQL.

A resident's message is handled in a batch with whatever else arrived meanwhile (one transaction),
so anything in one request that fails the batch fails the others too. These tests check the three
lines of defence: every request is checked completely before it joins a batch (4xx, never 5xx),
a refused request still counts against its rate limits, and a message that still fails inside a
batch is answered with its own error while the others are stored.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from chat_platform.chat_service import ChatService
from chat_platform.messages import Incoming, Refused, Reply
from chat_platform.resident_services import ResidentServices
from chat_platform.storage.turns import counter_key
from core.errors import AppError
from core.storage.models import AuditEntry, Message, Project, RateCounter
from madoguchi.app import create_app

QUESTION = "自動車税の納期限はいつですか"


def chat_with(services: ResidentServices, **settings: object) -> ChatService:
    return ChatService(services.db, services.runtime, dataclasses.replace(services.settings, **settings))


def services_with(services: ResidentServices, **settings: object) -> ResidentServices:
    """The same database and bots with other settings (e.g. lower limits), and a batcher of its own."""
    changed = dataclasses.replace(services.settings, **settings)
    return ResidentServices(changed, services.db, services.runtime)


def unchecked(services: ResidentServices, text: str, session_id: str) -> Incoming:
    """A message as the checks would pass it, with a text they would refuse: what a gap in the
    checks would let into a batch."""
    good = services.chat.prepare("tax", "確認", "widget", session_id=session_id)
    return dataclasses.replace(good, text=text)


def incoming_count(services: ResidentServices, session_id: str) -> int:
    with services.db.session() as session:
        return (
            session.scalar(
                select(func.count()).where(Message.conversation_id == session_id, Message.direction == "in")
            )
            or 0
        )


def an_address() -> str:
    # every test its own address: the counters of one minute are shared by every test of the run
    return f"198.51.100.{uuid.uuid4().hex[:8]}"


# ---- inside a batch ----------------------------------------------------------------------------------
def test_should_store_the_rest_of_a_batch_when_one_message_cannot_be_stored(
    services: ResidentServices,
) -> None:
    chat = services.chat
    first, bad, last = (chat.start("tax", "widget").session_id for _ in range(3))
    batch = [
        chat.prepare("tax", QUESTION, "widget", session_id=first),
        unchecked(services, "自動車税\ud800の納期限", bad),  # no database can store a lone surrogate
        chat.prepare("tax", QUESTION, "widget", session_id=last),
    ]
    results = chat.handle(batch)

    assert isinstance(results[0], Reply) and isinstance(results[2], Reply)
    assert results[0].messages[0].response == "utter_auto_tax_due_date"
    assert isinstance(results[1], AppError) and results[1].status == 422
    assert [incoming_count(services, s) for s in (first, bad, last)] == [1, 0, 1]


def test_should_answer_the_others_when_a_session_id_with_nul_gets_into_a_batch(
    services: ResidentServices,
) -> None:
    """Issue 13's first case, past the checks: PostgreSQL refuses NUL even in a query's parameter,
    which failed the lock of every conversation of the batch (503 for all). Now the batch is
    tried again message by message: the others are answered and stored."""
    chat = services.chat
    first, last = (chat.start("tax", "widget").session_id for _ in range(2))
    good = chat.prepare("tax", QUESTION, "widget", session_id=first)
    results = chat.handle([good, dataclasses.replace(good, session_id="x\x00"), replace_session(good, last)])

    assert isinstance(results[0], Reply) and isinstance(results[2], Reply)
    assert isinstance(results[1], AppError) and results[1].status in (404, 422)  # SQLite: just not found
    assert [incoming_count(services, s) for s in (first, last)] == [1, 1]


def replace_session(item: Incoming, session_id: str) -> Incoming:
    return dataclasses.replace(item, session_id=session_id)


def test_should_answer_a_message_whose_handling_raises_with_its_own_error(services: ResidentServices) -> None:
    chat = services.chat
    good = chat.start("tax", "widget").session_id
    resident = chat.prepare("tax", QUESTION, "rest", sender=f"resident-{uuid.uuid4().hex}")
    broken = dataclasses.replace(resident, bot_id="no-such-bot")  # opening its conversation raises
    results = chat.handle([chat.prepare("tax", QUESTION, "widget", session_id=good), broken])

    assert isinstance(results[0], Reply) and incoming_count(services, good) == 1
    assert isinstance(results[1], Exception) and not isinstance(results[1], Reply)


def test_should_count_refused_requests_and_any_key_against_the_limits(services: ResidentServices) -> None:
    chat = chat_with(services, rate_limit_per_address_per_minute=3)
    address = an_address() + "\x00\ud800" + "x" * 300  # what a forwarded-for header could hold
    error = AppError(400, "invalid_json", "JSON ではありません", "not JSON")
    refused = [Refused(error, "widget", address, session_id="s\x00\udfff") for _ in range(5)]
    results = chat.handle(refused)

    assert [getattr(r, "status", None) for r in results] == [400, 400, 400, 429, 429]


def test_should_make_every_counter_key_storable_and_keep_plain_ones_readable() -> None:
    assert counter_key("a:203.0.113.9") == "a:203.0.113.9"
    assert counter_key("s:0123abcd") == "s:0123abcd"
    odd = ["s:x\x00", "s:x\ud800", "a:" + "1" * 200, "a:" + "1" * 201, "a:東京", "\x00:x"]
    stored = [counter_key(key) for key in odd]
    assert len(set(stored)) == len(odd)  # none merged with another
    assert all(len(key) <= 128 and key.isascii() and key.isprintable() for key in stored)
    assert stored[0].startswith("s:#") and stored[-1].startswith("x:#")


# ---- over HTTP: every channel refuses bad input on its own, with 4xx ---------------------------------------
WIDGET, REST = "/api/v1/bots/tax/messages", "/bots/tax/webhooks/rest/webhook"


def bad_requests(session_id: str) -> list[tuple[str, str, bytes]]:
    """(method, path, raw body): what an attacker sends, on every resident route."""
    s = session_id
    return [
        ("POST", WIDGET, b'{"session_id": "x\\u0000", "text": "q"}'),
        ("POST", WIDGET, f'{{"session_id": "{s}", "text": "\\ud800"}}'.encode()),
        ("POST", WIDGET, f'{{"session_id": "{s}", "text": "a\\u0007b"}}'.encode()),
        ("POST", WIDGET, f'{{"session_id": "{s}", "text": "a\\u0000b"}}'.encode()),
        ("POST", WIDGET, f'{{"session_id": "{s}", "text": "q", "idempotency_key": "k\\u0000"}}'.encode()),
        ("POST", WIDGET, f'{{"session_id": "{s}", "text": "q", "idempotency_key": "{"k" * 65}"}}'.encode()),
        ("POST", WIDGET, json.dumps({"session_id": "x" * 5000, "text": "q"}).encode()),
        ("POST", WIDGET, json.dumps({"session_id": s, "text": "長" * 5000}).encode()),
        ("POST", WIDGET, b'{"session_id": "x", "text": '),
        ("POST", WIDGET, b"\xff\xfe\x00"),
        ("POST", WIDGET, b"[]"),
        ("POST", REST, b'{"sender": "a\\u0000", "message": "q"}'),
        ("POST", REST, b'{"sender": "a", "message": "\\udc00"}'),
        ("POST", REST, b'{"sender": "a", "message": "\\u001b[31m"}'),
        ("POST", REST, json.dumps({"sender": "x" * 1000, "message": "q"}).encode()),
        ("POST", REST, b"not json"),
        ("POST", "/model/parse", b'{"text": "\\ud800"}'),
        ("POST", "/bots/tax/model/parse", b'{"text": "a\\u0000"}'),
        ("POST", "/api/v1/bots/tax/sessions", b'{"language": "\\u0000"}'),
        ("POST", "/api/v1/bots/tax/sessions", b"{"),
        ("POST", "/api/v1/messages/x%00/rating", b'{"session_id": "x\\u0000", "helpful": true}'),
        ("POST", f"/api/v1/messages/{s}/rating", b'{"session_id": "\\ud800", "helpful": true}'),
        ("POST", "/api/v1/sessions/x%00/end", b""),
        ("POST", "/api/v1/sessions/%ED%A0%80/end", b""),
    ]


def test_should_refuse_bad_input_on_every_resident_route_with_4xx(client, caplog) -> None:
    session_id = client.post("/api/v1/bots/tax/sessions").json()["session_id"]
    caplog.set_level(logging.WARNING, logger="madoguchi")
    for method, path, body in bad_requests(session_id):
        response = client.request(method, path, content=body, headers={"Content-Type": "application/json"})
        assert 400 <= response.status_code < 500, (path, body[:60], response.status_code, response.text)
        assert response.json()["error"]["message"], (path, body[:60])
    # refused before they reached a batch: no batch failed, no database error, nothing unexpected
    assert [r.getMessage() for r in caplog.records if r.name == "madoguchi"] == []
    assert client.post(WIDGET, json={"session_id": session_id, "text": QUESTION}).status_code == 200


def test_should_refuse_nul_and_surrogates_in_admin_writes_before_storing(
    services: ResidentServices, client, tokens
) -> None:
    headers = {"Authorization": f"Bearer {tokens['strategy']}", "Content-Type": "application/json"}
    before = project_row(services, 1)
    for body in (
        b'{"retirement_message": "a\\u0000b"}',
        b'{"retirement_message": "a\\ud800"}',
        b'{"vendor_before": "\\u0007"}',
    ):
        response = client.patch("/admin/api/v1/projects/1", content=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_field"
    response = client.get("/admin/api/v1/reports/usage?bot=tax%00", headers=headers)
    assert response.status_code == 422, response.text
    assert project_row(services, 1) == before


def test_should_count_bad_requests_against_the_address_limit(services: ResidentServices) -> None:
    from fastapi.testclient import TestClient

    limited = services_with(services, rate_limit_per_address_per_minute=4)
    app = create_app(services=limited, watch=False)
    try:
        with TestClient(app, client=(an_address(), 50000)) as attacker:
            statuses = [
                attacker.post(WIDGET, content=b'{"session_id": "x\\u0000", "text": "q"}').status_code
                for _ in range(6)
            ]
    finally:
        limited.batcher.stop()
    assert statuses == [422, 422, 422, 422, 429, 429]


# ---- item 7: writes answer after they are stored ------------------------------------------------------------
def test_should_answer_an_error_when_the_commit_of_an_admin_write_fails(
    services: ResidentServices, client, tokens
) -> None:
    """The database refuses the update when the transaction is committed (a trigger): the answer
    must be an error, not the 200 of a response sent before the commit, and nothing is audited."""
    headers = {"Authorization": f"Bearer {tokens['strategy']}"}
    refused = "trigger refuses this at the commit"
    with services.db.engine.begin() as connection:
        if services.db.is_sqlite:
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_at_commit BEFORE UPDATE ON projects "
                f"WHEN NEW.retirement_message = '{refused}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.retirement_message = '{refused}' THEN "
                "RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$"
            )
            # deferred: it fires at COMMIT, after every statement of the endpoint succeeded
            connection.exec_driver_sql(
                "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER UPDATE ON projects "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()"
            )
    try:
        audited = audit_count(services)
        before = project_row(services, 2)
        response = client.patch(
            "/admin/api/v1/projects/2", json={"retirement_message": refused}, headers=headers
        )
        assert response.status_code == 409, response.text
        assert project_row(services, 2) == before and before["retirement_message"] != refused
        assert audit_count(services) == audited
    finally:
        with services.db.engine.begin() as connection:
            connection.exec_driver_sql(
                "DROP TRIGGER refuse_at_commit"
                if services.db.is_sqlite
                else "DROP TRIGGER refuse_at_commit ON projects"
            )
            if not services.db.is_sqlite:
                connection.exec_driver_sql("DROP FUNCTION refuse_at_commit()")


def test_rate_counter_rows_hold_only_storable_keys(services: ResidentServices) -> None:
    chat = chat_with(services)
    error = AppError(400, "invalid_json", "JSON ではありません", "not JSON")
    chat.handle([Refused(error, "widget", "a\x00b", session_id="\ud800")])
    with services.db.session() as session:
        keys = session.scalars(select(RateCounter.key)).all()
    assert keys and all(key.isascii() and key.isprintable() for key in keys)


def audit_count(services: ResidentServices) -> int:
    with services.db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def project_row(services: ResidentServices, project_id: int) -> dict[str, object]:
    with services.db.engine.connect() as connection:
        row = connection.execute(select(Project).where(Project.id == project_id)).mappings().one()
    return dict(row)


# ---- measurement: residents and an attacker at once ----------------------------------------------------------
TAX_CONVERSATION = ["自動車税の納期限はいつですか", "支払い方法を教えてください", "ありがとうございました"]
FORM_CANCELLED = [
    "クーリングオフできるか確認したい",
    '/inform{"transaction_type": "訪問販売"}',
    "やっぱりやめます",
]
FRONT_DOOR = ["問い合わせ先を知りたい", "電話番号は？", "ありがとう"]
ROUTED = ["自動車税の納期限はいつですか", "支払い方法を教えてください", "わかりました"]  # passed on to tax
# (bot, messages): four conversations, each held by four residents at once
CONVERSATIONS = [
    ("tax", TAX_CONVERSATION),
    ("consumer", FORM_CANCELLED),
    ("inquiry", FRONT_DOOR),
    ("inquiry", ROUTED),
]


def test_residents_are_answered_while_an_attacker_sends_bad_requests(
    services: ResidentServices, caplog
) -> None:
    """Residents hold normal conversations through the batcher (widget and Rasa REST, each from an
    address of its own) while one address sends NUL ids, lone surrogates, control characters,
    garbage JSON and oversized ids as fast as it can. No resident request may fail; the attacker
    gets 4xx only, and 429 once over its address's limit."""
    import asyncio

    import httpx

    caplog.set_level(logging.WARNING, logger="madoguchi")
    limited = services_with(services, rate_limit_per_address_per_minute=60, rate_limit_per_minute=1000)
    app = create_app(services=limited, watch=False)
    resident_statuses: list[tuple[str, int]] = []
    attacker_statuses: list[int] = []
    residents_done = asyncio.Event()

    def client_from(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60)

    async def widget_resident(bot: str, texts: list[str]) -> str:
        async with client_from(an_address()) as http:
            started = await http.post(f"/api/v1/bots/{bot}/sessions", json={})
            resident_statuses.append(("session", started.status_code))
            if started.status_code != 200:
                return ""
            session_id = started.json()["session_id"]
            for n, text in enumerate(texts * 2):
                body = {"session_id": session_id, "text": text, "idempotency_key": f"m{n}"}
                reply = await http.post(f"/api/v1/bots/{bot}/messages", json=body)
                resident_statuses.append((text, reply.status_code))
            return session_id

    async def rest_resident(n: int) -> None:
        async with client_from(an_address()) as http:
            sender = f"rest-{n}-{uuid.uuid4().hex}"
            for text in TAX_CONVERSATION * 2:
                reply = await http.post(REST, json={"sender": sender, "message": text})
                resident_statuses.append((text, reply.status_code))

    async def attacker(worker: int, session_id: str) -> None:
        requests = bad_requests(session_id)
        async with client_from(attacker_address) as http:
            n = worker
            while not residents_done.is_set() or n < 300:
                method, path, body = requests[n % len(requests)]
                response = await http.request(
                    method, path, content=body, headers={"Content-Type": "application/json"}
                )
                attacker_statuses.append(response.status_code)
                n += 4

    async def run() -> list[str]:
        async with app.router.lifespan_context(app):
            async with client_from(an_address()) as http:  # a conversation of the attacker's own
                victim = (await http.post("/api/v1/bots/tax/sessions", json={})).json()["session_id"]
            attack = [asyncio.create_task(attacker(worker, victim)) for worker in range(4)]
            await asyncio.sleep(0.05)  # the attack is under way when the residents arrive
            residents = [widget_resident(bot, texts) for bot, texts in CONVERSATIONS for _ in range(4)]
            sessions = await asyncio.gather(*residents, *(rest_resident(n) for n in range(4)))
            residents_done.set()
            await asyncio.gather(*attack)
            return [s for s in sessions if s]

    attacker_address = an_address()
    outcome: list[Any] = []

    def in_a_thread_of_its_own() -> None:  # the browser tests leave an event loop running in this thread
        try:
            outcome.append(asyncio.run(run()))
        except BaseException as exc:  # re-raised below, in the test's thread
            outcome.append(exc)

    try:
        runner = threading.Thread(target=in_a_thread_of_its_own, name="isolation-scenario")
        runner.start()
        runner.join()
    finally:
        limited.batcher.stop()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    sessions = outcome[0]

    failed = [(text, status) for text, status in resident_statuses if status != 200]
    assert failed == [] and len(resident_statuses) == 16 * 7 + 4 * 6
    assert all(incoming_count(services, s) == 6 for s in sessions)  # every resident message stored
    assert len(attacker_statuses) >= 300
    assert {status for status in attacker_statuses} <= {400, 404, 413, 422, 429}
    assert 429 in attacker_statuses  # its bad requests were counted
    # nothing the attacker sent reached a batch's write: no batch failed, no database error
    assert [r.getMessage() for r in caplog.records if r.name == "madoguchi"] == []


def test_should_fail_the_batch_at_once_when_the_database_refuses_every_write(
    services: ResidentServices, database_url: str
) -> None:
    """A read-only database fails every message alike: the batch is answered 503 at once, not
    tried again message by message (which would multiply the load on a database in trouble)."""
    from sqlalchemy.exc import DBAPIError

    from tests.machinery.test_readiness import read_only

    with read_only(database_url) as db:
        chat = ChatService(db, services.runtime, services.settings)
        starts = [chat.prepare_start("tax", "widget") for _ in range(3)]
        with pytest.raises(DBAPIError):
            chat.handle(starts)


def test_should_check_a_json_body_sent_without_a_content_type(
    services: ResidentServices, client, tokens
) -> None:
    """FastAPI reads a body without a content type as JSON: the checks must read it too."""
    before = project_row(services, 1)
    response = client.patch(
        "/admin/api/v1/projects/1",
        content=b'{"vendor_before": "a\\u0000b"}',
        headers={"Authorization": f"Bearer {tokens['strategy']}"},
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_field", response.text
    assert project_row(services, 1) == before


@pytest.mark.parametrize("depth", [100, 900, 5000])
def test_should_answer_deeply_nested_json_with_4xx(client, tokens, depth: int) -> None:
    headers = {"Authorization": f"Bearer {tokens['strategy']}", "Content-Type": "application/json"}
    nested = b'{"a":' * depth + b'"x\\u0000"' + b"}" * depth
    for path in ("/admin/api/v1/projects", "/api/v1/messages/x/rating", REST, "/model/parse"):
        response = client.post(path, content=nested, headers=headers)
        assert 400 <= response.status_code < 500, (path, depth, response.status_code)
