"""Per-session and per-address limits, counted in the database so every worker shares them."""

from __future__ import annotations

import time

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .storage.models import RateCounter


def hit(session: Session, key: str, limit: int, now: float | None = None) -> int | None:
    """Count one request for ``key`` in the current minute; return seconds to wait if over ``limit``."""
    now = time.time() if now is None else now
    window = int(now // 60)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(RateCounter)
        .values(key=key[:128], window_start=window, count=1)
        .on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": RateCounter.count + 1})
        .returning(RateCounter.count)
    )
    count = session.execute(statement).scalar_one()
    if count > limit:
        return max(1, 60 - int(now % 60))
    return None


def prune(session: Session, now: float | None = None) -> int:
    """Delete counters of finished windows (called now and then; they are useless after a minute)."""
    window = int((time.time() if now is None else now) // 60)
    result = session.execute(delete(RateCounter).where(RateCounter.window_start < window - 1))
    return int(getattr(result, "rowcount", 0) or 0)
