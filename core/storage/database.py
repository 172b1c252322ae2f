"""Database connections: SQLite by default, PostgreSQL when ``MADOGUCHI_DATABASE_URL`` says so."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from .write_probe import WriteProbe


class Database:
    """An engine and a session factory. ``session()`` commits on success and rolls back on error."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self.engine = make_engine(url, pool_size)
        # rate-limit counters: statements that commit at once without waiting for the disk (see
        # TurnStore.count_requests); SQLite has one writer, so they share its engine
        self.counters = self.engine if self.is_sqlite else make_engine(url, pool_size, counters=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_probe = WriteProbe(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> bool:
        """True when a trivial query succeeds (for /readyz)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def writable(self) -> bool:
        """True when a write can be committed (for /readyz): a database that answers reads may
        still refuse writes (read-only, disk full). Checked at most every few seconds per worker
        (``WriteProbe``), so frequent probes do not load the database."""
        return self._write_probe.check()

    def dispose(self) -> None:
        self.engine.dispose()
        self.counters.dispose()


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite database file (``var/`` on a fresh checkout)."""
    if not url.startswith("sqlite"):
        return
    path = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
    # a URI filename (file:…?mode=ro&uri=true) names a file, not a folder "file:" under the cwd
    path = path.removeprefix("file:")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, pool_size: int = 10, counters: bool = False) -> Engine:
    if url.startswith("sqlite"):
        ensure_sqlite_folder(url)
        # hide_parameters: bound values (residents' text, token hashes) never reach a log line
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 15}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No overflow: connections opened beyond the pool were closed again as soon as they were returned,
    # so bursts opened and closed dozens of connections (each a PostgreSQL process) per minute.
    kwargs: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": 0,
        "pool_timeout": 5,
        "hide_parameters": True,
    }
    if url.startswith("postgresql"):
        # fail fast when the database is down instead of hanging residents' requests
        # named, so pg_stat_activity tells the service's connections (and its counters') apart.
        # Plans made for the parameters at hand: psycopg prepares a statement after five runs, and
        # PostgreSQL's plan for "id = ANY($1)" made while a fresh database's tables were small
        # stayed a sequential scan as they grew (a load run read 800,000 rows to lock 10).
        kwargs["connect_args"] = {
            "connect_timeout": 3,
            "application_name": "madoguchi",
            "options": "-c plan_cache_mode=force_custom_plan",
        }
        if counters:
            kwargs["connect_args"]["application_name"] = "madoguchi-counters"
            kwargs["connect_args"]["options"] += " -c synchronous_commit=off"
            kwargs["isolation_level"] = "AUTOCOMMIT"
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float = 1.0) -> None:
    """Test a pooled connection before use when it has been idle a while (the database may have
    restarted since): SQLAlchemy's pre-ping tests every checkout, a round trip per transaction
    that under load cost more than the transactions' own statements. A connection that breaks
    within a second of its last use fails its request with 503, and the pool starts afresh."""

    @event.listens_for(engine, "checkin")
    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("returned_at", 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool replaces the connection and tries again
            raise DisconnectionError() from exc


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
