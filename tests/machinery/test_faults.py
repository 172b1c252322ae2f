"""Fault tests: the database dies, disappears, turns read-only or fills up; a pack upload breaks;
a worker is killed mid-request. Residents must get a fast 503 with Retry-After (never a 500 or a
traceback), nothing half-written may stay behind, the service must recover by itself, and no log
may hold what a resident typed.

PostgreSQL tests run on their own database ``madoguchi_faults_<pid>`` (created and dropped here, never
the shared ``test`` database), and are skipped when PostgreSQL is not running (failed under CI).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from chat_platform.resident_services import ResidentServices
from core.settings import Settings
from core.storage.database import Database
from core.storage.migrate import upgrade
from core.storage.models import Conversation, Message
from madoguchi.app import create_app
from madoguchi.app import start_services as start_platform_services
from tests.conftest import TEST_PACKS, wait_for_reloads

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
# one database per test process: these tests terminate every connection to it and drop it, which
# would break another run of them on the same server (two checkouts tested at once)
FAULTS_DB = f"madoguchi_faults_{os.getpid()}"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{FAULTS_DB}"
TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    f"WHERE datname = '{FAULTS_DB}' AND pid <> pg_backend_pid()"
)
PHONE = "090-4827-1356"  # must never reach a log
QUESTION = "自動車税の納期限を教えてください"
# the first line of the test pack's due-date answer (tests/packs/tax/responses.yml), and an edit of it
DUE_DATE_LINE = "自動車税（テスト）の納期限は5月31日です。"
CHANGED_LINE = "自動車税（テスト）の納期限は5月31日（月末）です。"
MESSAGES = "/api/v1/bots/tax/messages"
SESSIONS = "/api/v1/bots/tax/sessions"


# ---- fixtures and helpers ------------------------------------------------------------------------
def admin_sql(*statements: str) -> list[Any]:
    """Run statements on the server's maintenance database (autocommit); the first column of each."""
    import psycopg

    results = []
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as connection:
        for statement in statements:
            cursor = connection.execute(statement)
            results.append(cursor.fetchone()[0] if cursor.description else None)
    return results


def terminate_backends() -> int:
    """Kill every connection to the faults database but our own; how many were killed."""
    return int(admin_sql(TERMINATE)[0])


def postgres_available() -> bool:
    try:
        admin_sql("SELECT 1")
        return True
    except Exception:
        return False


def drop_faults_database() -> None:
    exists = admin_sql(f"SELECT count(*) FROM pg_database WHERE datname = '{FAULTS_DB}'")[0]
    if exists:
        admin_sql(
            f"ALTER DATABASE {FAULTS_DB} ALLOW_CONNECTIONS true", f"DROP DATABASE {FAULTS_DB} WITH (FORCE)"
        )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated ``madoguchi_faults_<pid>`` database for one test; dropped afterwards."""
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable; CI must test against it")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    drop_faults_database()
    admin_sql(f"CREATE DATABASE {FAULTS_DB}")
    try:
        upgrade(PG_URL)
        yield PG_URL
    finally:
        drop_faults_database()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trained models cached by digest: only the first service of the module trains."""
    return tmp_path_factory.mktemp("fault-models")


def settings_for(url: str, model_dir: Path, **overrides: object) -> Settings:
    return Settings.from_mapping(
        {
            "database_url": url,
            "bots_dir": TEST_PACKS,
            "model_dir": model_dir,
            "rate_limit_per_minute": 10_000,
            "rate_limit_per_address_per_minute": 100_000,
            "rate_limit_sessions_per_address_per_minute": 100_000,
            "rate_limit_parse_per_address_per_minute": 100_000,
            **overrides,
        }
    )


@pytest.fixture
def no_resident_text_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test sends the phone number; none of the log records may hold it (nor a traceback's text)."""
    caplog.set_level(logging.INFO)
    yield
    for record in caplog.records:
        assert PHONE not in record.getMessage(), record.getMessage()
    assert PHONE not in caplog.text


def app_client(services: ResidentServices) -> TestClient:
    # raise_server_exceptions=False: an unhandled error must show up as the 500 a resident would get
    return TestClient(create_app(services=services, watch=False), raise_server_exceptions=False)


def check_body(response: httpx.Response) -> None:
    """Whatever happened, the body is JSON a widget can show: never a traceback."""
    assert "Traceback" not in response.text and 'File "' not in response.text, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["message"], response.text


def check_unavailable(response: httpx.Response, seconds: float, limit: float) -> None:
    check_body(response)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "unavailable", response.text
    assert int(response.headers["Retry-After"]) > 0
    assert seconds < limit, f"a 503 took {seconds:.1f} s"


def new_session(client: TestClient | httpx.Client) -> str:
    response = client.post(SESSIONS, json={})
    assert response.status_code == 200, response.text
    return str(response.json()["session_id"])


def send(client: TestClient | httpx.Client, session_id: str, text: str, **extra: object) -> httpx.Response:
    response = client.post(MESSAGES, json={"session_id": session_id, "text": text, **extra})
    check_body(response)
    return response


def answer_text(response: httpx.Response) -> str:
    return "\n".join(m["text"] for m in response.json()["messages"])


def assert_nothing_half_written(db: Database) -> tuple[int, int]:
    """Every resident message has its answer, no answer lacks its question, and every conversation's
    message_count and seq numbers match its rows (no orphans, no gaps). Returns (conversations, in)."""
    with db.session() as session:
        messages = session.scalars(select(Message)).all()
        conversations = session.scalars(select(Conversation)).all()
    rows: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        rows[message.conversation_id].append(message)
    incoming = {m.id for m in messages if m.direction == "in"}
    answered = {m.reply_to for m in messages if m.direction == "out"}
    assert incoming - answered == set(), "resident messages stored without an answer"
    assert answered - incoming == set(), "answers stored without the resident message"
    for conversation in conversations:
        mine = rows.pop(conversation.id, [])
        assert conversation.message_count == len(mine), conversation.id
        assert sorted(m.seq for m in mine) == list(range(len(mine))), conversation.id
        assert conversation.turns == sum(m.direction == "in" for m in mine), conversation.id
    assert rows == {}, "messages of a conversation that does not exist"
    return len(conversations), len(incoming)


def stored_ids(db: Database) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(Message.id)))


def run_threads(targets: list[Callable[[], None]]) -> list[threading.Thread]:
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    return threads


def join_all(threads: list[threading.Thread], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a client thread hung"


class Traffic:
    """Residents sending messages from threads until stopped; every outcome is kept."""

    def __init__(self, client: TestClient, text: str = f"自動車税の納期限は？ 電話 {PHONE}") -> None:
        self.client = client
        self.text = text
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes: list[tuple[str, int, float, httpx.Response]] = []  # (kind, status, seconds, response)
        self.errors: list[str] = []

    def resident(self) -> None:
        session_id: str | None = None
        deadline = time.monotonic() + 40
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                started = time.monotonic()
                if session_id is None:
                    response = self.client.post(SESSIONS, json={})
                    kind = "session"
                else:
                    response = self.client.post(MESSAGES, json={"session_id": session_id, "text": self.text})
                    kind = "message"
                seconds = time.monotonic() - started
                with self.lock:
                    self.outcomes.append((kind, response.status_code, seconds, response))
                if kind == "session" and response.status_code == 200:
                    session_id = response.json()["session_id"]
                if response.status_code != 200:
                    time.sleep(0.05)
            except Exception as exc:  # the test client itself failed: recorded, asserted empty
                self.errors.append(repr(exc))
                return

    def start(self, residents: int) -> list[threading.Thread]:
        return run_threads([self.resident] * residents)

    def count(self, status: int) -> int:
        with self.lock:
            return sum(1 for kind, code, _, _ in self.outcomes if kind == "message" and code == status)

    def wait_for(self, status: int, count: int, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while self.count(status) < count:
            assert time.monotonic() < deadline, f"fewer than {count} responses {status}: {self.summary()}"
            assert not self.errors, self.errors
            time.sleep(0.02)

    def summary(self) -> dict[tuple[str, int], int]:
        counted: dict[tuple[str, int], int] = defaultdict(int)
        for kind, status, _, _ in self.outcomes:
            counted[kind, status] += 1
        return dict(counted)


# ---- 1. PostgreSQL connections killed while residents chat ---------------------------------------
@pytest.mark.timeout(90)
def test_should_answer_or_fail_fast_and_recover_when_postgres_connections_are_killed(
    pg_url, model_dir, no_resident_text_in_logs
) -> None:
    services = start_platform_services(settings_for(pg_url, model_dir))
    try:
        with app_client(services) as client:
            traffic = Traffic(client)
            threads = traffic.start(residents=4)
            killed = 0
            try:
                traffic.wait_for(200, 10)
                for _ in range(4):
                    before = traffic.count(200)
                    killed += terminate_backends()
                    time.sleep(0.3)
                    traffic.wait_for(200, before + 5)  # recovers by itself, without a restart
            finally:
                traffic.stop.set()
                join_all(threads)
            assert not traffic.errors, traffic.errors
            assert killed > 0, "no connection of the service was killed: the test tested nothing"
            for kind, status, seconds, response in traffic.outcomes:
                assert status in (200, 503), (kind, status, response.text)
                check_body(response)
                if status == 503:
                    check_unavailable(response, seconds, limit=3.5)
            session_id = new_session(client)
            for _ in range(3):  # after the storm: every message is answered again
                assert send(client, session_id, QUESTION).status_code == 200
        answered = {
            m["id"]
            for kind, status, _, response in traffic.outcomes
            if kind == "message" and status == 200
            for m in response.json()["messages"]
        }
        assert answered <= stored_ids(services.db), "a 200 answer that was not stored"
        conversations, incoming = assert_nothing_half_written(services.db)
        assert incoming >= traffic.count(200) and conversations >= 4
    finally:
        services.stop()


# ---- 2. the database refuses every connection, then comes back -------------------------------------
@pytest.mark.timeout(60)
def test_should_fail_fast_while_postgres_refuses_connections_and_recover_without_restart(
    pg_url, model_dir, no_resident_text_in_logs
) -> None:
    services = start_platform_services(settings_for(pg_url, model_dir))
    try:
        with app_client(services) as client:
            session_id = new_session(client)
            assert send(client, session_id, f"自動車税 {PHONE}").status_code == 200
            admin_sql(f"ALTER DATABASE {FAULTS_DB} ALLOW_CONNECTIONS false")
            try:
                terminate_backends()
                for call in (
                    lambda: client.post(MESSAGES, json={"session_id": session_id, "text": f"電話 {PHONE}"}),
                    lambda: client.post(SESSIONS, json={}),
                    lambda: client.post(MESSAGES, json={"session_id": session_id, "text": QUESTION}),
                ):
                    started = time.monotonic()
                    response = call()
                    check_unavailable(response, time.monotonic() - started, limit=5)
                assert client.get("/healthz").status_code == 200  # the process is fine: do not restart it
                started = time.monotonic()
                ready = client.get("/readyz")
                assert ready.status_code == 503 and ready.json()["database"] == "unreachable"
                assert time.monotonic() - started < 5
            finally:
                admin_sql(f"ALTER DATABASE {FAULTS_DB} ALLOW_CONNECTIONS true")
            ready = client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["database"] == "ok", ready.text
            assert send(client, session_id, QUESTION).status_code == 200
            assert DUE_DATE_LINE in answer_text(send(client, new_session(client), QUESTION))
        assert_nothing_half_written(services.db)
    finally:
        services.stop()


@pytest.mark.timeout(60)
def test_should_give_up_within_the_connect_timeout_on_a_database_that_never_answers(
    tmp_path, model_dir, no_resident_text_in_logs
) -> None:
    """A host that accepts TCP but never speaks (a hung server, a half-open firewall): requests must
    not hang for the kernel's minutes-long timeouts but fail with 503 after ``connect_timeout``."""
    url = f"sqlite:///{tmp_path / 'up.db'}"
    upgrade(url)
    services = start_platform_services(settings_for(url, model_dir))
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # the kernel completes the handshake; nobody ever reads or answers
        hung = Database(f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/madoguchi")
        stuck = ResidentServices(services.settings, hung, services.runtime, services.hooks)
        try:
            with app_client(stuck) as client:
                started = time.monotonic()
                response = client.post(SESSIONS, json={})
                check_unavailable(response, time.monotonic() - started, limit=6)
                started = time.monotonic()
                assert client.get("/readyz").status_code == 503
                assert time.monotonic() - started < 6
                assert client.get("/healthz").status_code == 200
        finally:
            hung.dispose()
            services.stop()


# ---- 3. broken pack uploads while residents chat --------------------------------------------------
@pytest.mark.timeout(90)
def test_should_keep_answering_from_the_old_pack_when_an_upload_is_invalid_or_training_fails(
    pg_url, model_dir, monkeypatch, no_resident_text_in_logs
) -> None:
    from admin.auth import create_token
    from shared_nlu.nlu.engine import NluEngine

    services = start_platform_services(settings_for(pg_url, model_dir))
    with services.db.session() as session:
        headers = {"Authorization": f"Bearer {create_token(session, 'strategy', 'fault test')[0]}"}
    old_digest = services.runtime.current.packs.digest
    old_fingerprint = services.runtime.current.fingerprint
    fit = NluEngine.fit

    def failing_fit(self: NluEngine, texts: list[str], labels: list[str]) -> NluEngine:
        if self.packs.digest != old_digest:  # only the uploaded packs, only in this test process
            raise RuntimeError("training blew up")
        return fit(self, texts, labels)

    monkeypatch.setattr(NluEngine, "fit", failing_fit)
    nlu = (TEST_PACKS / "tax" / "nlu.yml").read_text(encoding="utf-8")
    responses = (TEST_PACKS / "tax" / "responses.yml").read_text(encoding="utf-8")
    assert "\n    - 自動車税 期限\n" in nlu and DUE_DATE_LINE in responses
    try:
        with app_client(services) as client:
            traffic = Traffic(client, QUESTION)
            threads = traffic.start(residents=3)
            try:
                traffic.wait_for(200, 5)
                invalid = client.post(
                    "/admin/api/v1/bots/tax/packs",
                    json={
                        "files": {
                            "nlu.yml": nlu.replace("\n    - 自動車税 期限\n", "\n   - 自動車税 期限\n", 1)
                        }
                    },
                    headers=headers,
                )
                check_body(invalid)
                assert invalid.status_code == 422, invalid.text
                error = invalid.json()["error"]
                assert error["code"] == "pack_invalid"
                assert [d["code"] for d in error["diagnostics"] if d["file"] == "tax/nlu.yml"] == [
                    "yaml-syntax"
                ]
                before = traffic.count(200)
                changed = {"responses.yml": responses.replace(DUE_DATE_LINE, CHANGED_LINE)}
                refused = client.post(
                    "/admin/api/v1/bots/tax/packs", json={"files": changed}, headers=headers
                )
                # the upload trains the version first (the lane check): it cannot, so nothing is stored
                assert refused.status_code == 422, refused.text
                assert refused.json()["error"]["code"] == "training_failed"
                assert client.get("/readyz").json()["packs"] == old_fingerprint
                # a version activated elsewhere (another worker, the reload signal) that this worker
                # cannot train: it keeps serving the old one and says so on /readyz
                with services.db.session() as session:
                    from admin.pack_publishing import active, insert_version

                    files = {**active(session, "tax").files, **changed}
                    insert_version(session, "tax", files, "another worker", "fault test", "")
                services.reload_if_changed()
                wait_for_reloads(timeout=30)
                ready = client.get("/readyz")
                assert ready.status_code == 200, ready.text
                assert "training blew up" in (ready.json()["last_reload_error"] or ""), ready.text
                assert ready.json()["packs"] == old_fingerprint
                traffic.wait_for(200, before + 5)  # answers kept coming after the failed reload
            finally:
                traffic.stop.set()
                join_all(threads)
            assert not traffic.errors, traffic.errors
            assert traffic.summary().keys() <= {("session", 200), ("message", 200)}, traffic.summary()
            for kind, _, _, response in traffic.outcomes:
                answered = answer_text(response) if kind == "message" else DUE_DATE_LINE
                assert DUE_DATE_LINE in answered and CHANGED_LINE not in answered, answered
            assert DUE_DATE_LINE in answer_text(send(client, new_session(client), QUESTION))
        assert services.runtime.current.fingerprint == old_fingerprint
    finally:
        services.stop()


# ---- 4. a worker killed mid-request; the client retries on a fresh worker ----------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A real ``madoguchi serve`` process on a free port."""

    def __init__(self, url: str, model_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
        env.update(
            MADOGUCHI_BOTS_DIR=str(TEST_PACKS),
            MADOGUCHI_MODEL_DIR=str(model_dir),
            MADOGUCHI_RATE_LIMIT_PER_MINUTE="10000",
            MADOGUCHI_RATE_LIMIT_PER_ADDRESS_PER_MINUTE="100000",
            MADOGUCHI_RATE_LIMIT_SESSIONS_PER_ADDRESS_PER_MINUTE="100000",
            MADOGUCHI_RATE_LIMIT_PARSE_PER_ADDRESS_PER_MINUTE="100000",
        )
        command = [
            str(Path(sys.executable).parent / "madoguchi"),
            "serve",
            "--port",
            str(self.port),
            "--database-url",
            url,
        ]
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command,
                cwd=log.parent,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(encoding="utf-8", errors="replace")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"madoguchi serve not ready within {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no rollback from the worker's side."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def lock_waits() -> int:
    return int(
        admin_sql(
            "SELECT count(*) FROM pg_stat_activity "
            f"WHERE datname = '{FAULTS_DB}' AND wait_event_type = 'Lock'"
        )[0]
    )


@pytest.mark.timeout(90)
def test_should_store_a_retried_message_once_when_the_worker_is_killed(
    pg_url, model_dir, tmp_path, no_resident_text_in_logs
) -> None:
    """k1: the worker answered and committed, but the client never saw the answer (then the worker
    died). k2: the worker is SIGKILLed in the middle of the message's transaction, holding the
    conversation's row lock. The client retries both keys on a fresh worker (started in this process
    to keep the test short: a new engine and new bots on the same database) and each message is
    stored exactly once; k1 comes back as the stored answer."""
    import psycopg

    server = Server(pg_url, model_dir, tmp_path / "server.log")
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.base, timeout=10) as client:
            session_id = new_session(client)
            lost = send(client, session_id, f"自動車税の期限 {PHONE}", idempotency_key="k1")
            assert lost.status_code == 200 and lost.json()["replayed"] is False, lost.text
            # k2: hold rate_counters so the worker blocks inside send(), after it locked the conversation
            blocker = psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={FAULTS_DB}")
            try:
                blocker.execute("LOCK TABLE rate_counters IN EXCLUSIVE MODE")
                failures: list[str] = []

                def doomed() -> None:
                    try:
                        client.post(
                            MESSAGES,
                            json={"session_id": session_id, "text": QUESTION, "idempotency_key": "k2"},
                        )
                        failures.append("the killed worker answered")
                    except httpx.HTTPError:
                        pass  # the connection died with the worker: the client never saw an answer

                (request,) = run_threads([doomed])
                deadline = time.monotonic() + 10
                while lock_waits() == 0:
                    assert time.monotonic() < deadline, "the worker never reached the blocked write"
                    time.sleep(0.02)
                server.kill()
            finally:
                blocker.rollback()  # the dead worker's transaction now wakes up, finds no client, rolls back
                blocker.close()
            join_all([request], timeout=15)
            assert failures == []
    finally:
        server.kill()
    log = server.log_text()
    assert PHONE not in log and "Traceback" not in log, log

    fresh = start_platform_services(settings_for(pg_url, model_dir))
    try:
        with app_client(fresh) as client:
            retried = send(client, session_id, f"自動車税の期限 {PHONE}", idempotency_key="k1")
            assert retried.status_code == 200 and retried.json()["replayed"] is True, retried.text
            assert retried.json()["messages"] == lost.json()["messages"]  # the stored answer, as first sent
            again = send(client, session_id, QUESTION, idempotency_key="k2")
            assert again.status_code == 200, again.text
            assert again.json()["replayed"] is False  # the killed transaction was rolled back: handled now
            assert DUE_DATE_LINE in answer_text(again)
            replay = send(client, session_id, QUESTION, idempotency_key="k2")
            assert replay.json()["replayed"] is True and replay.json()["messages"] == again.json()["messages"]
        with fresh.db.session() as session:
            keys = session.scalars(
                select(Message.idempotency_key).where(
                    Message.conversation_id == session_id, Message.direction == "in"
                )
            ).all()
        assert sorted(keys) == ["k1", "k2"]  # each message stored exactly once
        assert_nothing_half_written(fresh.db)
    finally:
        fresh.stop()


# ---- 4b. the same conversation twice at once (a double click, a retry racing the original) -----------
@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    url = f"sqlite:///{tmp_path / 'race.db'}"
    upgrade(url)
    return url


@pytest.mark.timeout(60)
def test_should_handle_two_messages_of_one_conversation_at_once_one_after_the_other(
    any_url, model_dir, no_resident_text_in_logs
) -> None:
    """The conversation is locked while a message is handled: two messages sent at once are stored
    in turn (no shared seq numbers, no lost turn), and a double-submitted key is answered by replay."""
    services = start_platform_services(settings_for(any_url, model_dir))
    try:
        with app_client(services) as client:
            session_id = new_session(client)
            results: list[tuple[int, bool | None]] = []

            def both(bodies: list[dict[str, str]]) -> None:
                barrier = threading.Barrier(len(bodies))

                def one(body: dict[str, str]) -> None:
                    barrier.wait(5)
                    response = send(client, session_id, **body)
                    results.append((response.status_code, response.json().get("replayed")))

                join_all(run_threads([lambda b=b: one(b) for b in bodies]))

            for round_ in range(4):
                both([{"text": QUESTION}, {"text": f"電話 {PHONE}"}])
                key = f"double-{round_}"
                both([{"text": QUESTION, "idempotency_key": key}] * 2)
            assert [status for status, _ in results] == [200] * len(results), results
            assert sum(replayed is True for _, replayed in results) == 4, results
        with services.db.session() as session:
            conversation = session.get(Conversation, session_id)
            assert conversation is not None and conversation.turns == 12
        assert_nothing_half_written(services.db)
    finally:
        services.stop()


# ---- 5. SQLite turned read-only, SQLite disk full ---------------------------------------------------
@pytest.fixture
def sqlite_services(tmp_path, model_dir) -> Iterator[ResidentServices]:
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    upgrade(url)
    services = start_platform_services(settings_for(url, model_dir))
    yield services
    services.stop()


@pytest.mark.timeout(60)
def test_should_give_503_while_sqlite_is_read_only_and_recover_when_writable(
    sqlite_services, tmp_path, monkeypatch, no_resident_text_in_logs
) -> None:
    """As root, chmod does not stop writes, so read-only is made two ways: ``PRAGMA query_only`` on
    every connection the pool hands out (switched off again: a filesystem remounted read-write), and
    a second engine opened with SQLite's ``mode=ro`` URI (a read-only file or volume)."""
    services = sqlite_services
    read_only = threading.Event()

    def on_checkout(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.execute(f"PRAGMA query_only={'ON' if read_only.is_set() else 'OFF'}")

    event.listen(services.db.engine, "checkout", on_checkout)
    with app_client(services) as client:
        session_id = new_session(client)
        assert send(client, session_id, QUESTION).status_code == 200
        read_only.set()
        for _ in range(3):  # no crash loop: the same worker answers 503 each time, and stays healthy
            started = time.monotonic()
            response = send(client, session_id, f"電話 {PHONE} に折り返してください")
            check_unavailable(response, time.monotonic() - started, limit=3)
            assert client.get("/healthz").status_code == 200
        read_only.clear()
        assert DUE_DATE_LINE in answer_text(send(client, session_id, QUESTION))

    monkeypatch.chdir(tmp_path)  # a URI path must not be taken for a directory to create here
    path = Path(services.settings.database_url.split("///", 1)[1])
    frozen = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    stuck = ResidentServices(services.settings, frozen, services.runtime, services.hooks)
    try:
        with app_client(stuck) as client:
            started = time.monotonic()
            response = send(client, session_id, f"電話 {PHONE}")
            check_unavailable(response, time.monotonic() - started, limit=3)
            assert client.get("/healthz").status_code == 200
    finally:
        frozen.dispose()
    assert not (tmp_path / "file:").exists(), "a directory named after the URI was created"
    with app_client(services) as client:  # the writable worker again
        assert send(client, session_id, QUESTION).status_code == 200
    assert_nothing_half_written(services.db)


@pytest.mark.timeout(60)
def test_should_give_503_when_the_sqlite_disk_is_full_and_recover_when_space_is_freed(
    sqlite_services, no_resident_text_in_logs
) -> None:
    # A real full disk needs a tiny filesystem (a loop device or tmpfs mount: root and mount rights
    # the CI sandbox does not give), and RLIMIT_FSIZE yields "disk I/O error" rather than SQLITE_FULL
    # and would hit the whole test process. So ENOSPC is emulated: an engine event raises SQLite's
    # own "database or disk is full" error on every INSERT, as SQLite does when a write cannot grow
    # the file; reads keep working, as on a full disk.
    services = sqlite_services
    full = threading.Event()

    def before_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if full.is_set() and statement.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(services.db.engine, "before_cursor_execute", before_execute)
    with app_client(services) as client:
        session_id = new_session(client)
        assert send(client, session_id, QUESTION).status_code == 200
        stored = stored_ids(services.db)
        full.set()
        for call in (
            lambda: client.post(MESSAGES, json={"session_id": session_id, "text": f"電話 {PHONE}"}),
            lambda: client.post(SESSIONS, json={}),
        ):
            started = time.monotonic()
            check_unavailable(call(), time.monotonic() - started, limit=3)
            assert client.get("/healthz").status_code == 200
        assert stored_ids(services.db) == stored  # nothing of the refused message was kept
        full.clear()
        assert DUE_DATE_LINE in answer_text(send(client, session_id, QUESTION))
        assert send(client, new_session(client), f"電話 {PHONE}").status_code == 200
    assert_nothing_half_written(services.db)
