"""Whether the database takes writes, for readiness: a heartbeat row, committed now and then.

A database that answers ``SELECT 1`` may still refuse every write: opened read-only, a replica
after a failover, ``default_transaction_read_only``, a full disk. A worker that reports ready then
fails every resident message. The probe upserts one row of ``rate_counters`` (a key no limit
uses, in the current minute's window, so the usual pruning removes it) and commits, waiting for
the disk like a turn does. It runs at most once per ``interval`` seconds per worker, whatever the
number of probes; in between they get the last answer.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine, text

log = logging.getLogger("madoguchi")

_HEARTBEAT = text(
    "INSERT INTO rate_counters (key, window_start, count) VALUES ('ready:heartbeat', :window, 1) "
    "ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1"
)


class WriteProbe:
    def __init__(self, engine: Engine, interval: float = 5.0) -> None:
        self.engine = engine
        self.interval = interval
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._writable = False

    def check(self) -> bool:
        with self._lock:  # probes arriving together wait for one write instead of each making one
            now = time.monotonic()
            if now - self._checked_at >= self.interval:
                self._writable = self._write(now)
                self._checked_at = time.monotonic()
            return self._writable

    def _write(self, now: float) -> bool:
        try:
            with self.engine.begin() as connection:
                connection.execute(_HEARTBEAT, {"window": int(time.time() // 60)})
            return True
        except Exception as exc:  # the class only: the database's message may hold parameters
            log.warning("readiness: the database refuses writes (%s)", exc.__class__.__name__)
            return False
