"""Per-address limits on requests that are not resident messages (``/model/parse``).

Counted on the same database-shared counters as messages (``TurnStore.count_requests``), so every
worker sees one count per address and minute. Resident messages and conversation starts are
counted with their batch instead (``TurnHandler._limit``).
"""

from __future__ import annotations

import time

from core import errors

from .storage.turns import TurnStore


def count_request(store: TurnStore, kind: str, address: str | None, limit: int) -> None:
    """Count one ``kind`` request from ``address``; raises 429 when it is over ``limit`` this minute."""
    if not address:
        return
    key = f"{kind}:{address}"[:128]
    now = time.time()
    with store.connect() as connection:
        total = store.count_requests(connection, {key: 1}, now)[key]
    if total > limit:
        raise errors.rate_limited(max(1, 60 - int(now % 60)))
