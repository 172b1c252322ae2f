"""/readyz says ready only when the database takes writes (issue 13), on SQLite and PostgreSQL.

A database that answers ``SELECT 1`` can still refuse every write (opened read-only, a replica,
``default_transaction_read_only``, a full disk); a worker that reports ready then fails every
resident message. Readiness commits a heartbeat row, at most every few seconds per worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from chat_platform.resident_services import ResidentServices
from core.storage.database import Database
from core.storage.models import RateCounter
from core.storage.write_probe import WriteProbe
from madoguchi.app import create_app


@contextmanager
def read_only(database_url: str) -> Iterator[Database]:
    """The same database, as a worker sees it when it may no longer write: SQLite opened
    read-only (a read-only file or mount), PostgreSQL with ``default_transaction_read_only``."""
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[1]
        db = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
        try:
            yield db
        finally:
            db.dispose()
        return
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=test"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        db = Database(database_url)  # new connections start read-only
        try:
            yield db
        finally:
            db.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')


def test_should_be_ready_when_the_database_takes_writes(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["database"] == "ok" and response.json()["writes"] == "ok"


def test_should_not_be_ready_while_the_database_refuses_writes(
    services: ResidentServices, database_url: str
) -> None:
    with read_only(database_url) as db:
        assert db.ping()  # it still answers reads: the old readiness said ok
        assert not db.writable()
        worker = ResidentServices(services.settings, db, services.runtime, services.hooks)
        try:
            with TestClient(create_app(services=worker, watch=False)) as client:
                response = client.get("/readyz")
        finally:
            worker.batcher.stop()
    assert response.status_code == 503, response.text
    assert response.json()["database"] == "ok" and response.json()["writes"] == "refused"
    fresh = Database(database_url)  # writable again once the setting is gone
    try:
        assert fresh.writable()
    finally:
        fresh.dispose()


def test_should_write_the_heartbeat_at_most_once_per_interval(services: ResidentServices) -> None:
    probe = WriteProbe(services.db.engine, interval=60)
    before = heartbeats(services)
    assert all(probe.check() for _ in range(20))
    assert heartbeats(services) - before == 1  # twenty probes, one write
    eager = WriteProbe(services.db.engine, interval=0)
    assert eager.check() and eager.check()
    assert heartbeats(services) - before == 3


def heartbeats(services: ResidentServices) -> int:
    """Heartbeats written so far (every minute's row: a probe may cross into the next minute)."""
    with services.db.session() as session:
        count = session.scalar(
            select(func.sum(RateCounter.count)).where(RateCounter.key == "ready:heartbeat")
        )
    return int(count or 0)
