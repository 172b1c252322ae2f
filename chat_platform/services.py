"""What a running worker holds: settings, database, trained bots, the chat service, metrics."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared_nlu.pack import PackSet

from .batcher import Batcher
from .conversations import ChatService
from .metrics import Metrics
from .packs_store import Sources, active_fingerprint, active_sources, seed_from_disk, sync_from_disk
from .runtime import BotRuntime
from .settings import Settings
from .storage.database import Database
from .storage.turns import prune_rate_counters

log = logging.getLogger("madoguchi")


T = TypeVar("T")


def _first_writer_wins(db: Database, work: Callable[[Session], T], attempts: int = 5) -> T:
    """Run first-start writes; when several workers start at once, the ones that lose the race hit a
    unique constraint, roll back, and find the winner's rows on the next attempt."""
    for attempt in range(attempts):
        try:
            with db.session() as session:
                return work(session)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


def _seed(session: Session, settings: Settings) -> tuple[Sources, str]:
    seed_from_disk(session, settings.bots_dir)
    return active_sources(session)


def _register(session: Session, packs: PackSet) -> None:
    """The registry: the FY2021 inventory and a town-DX project per bot."""
    from admin.registry import fiscal_year_of, import_inventory, register_bots

    import_inventory(session)
    register_bots(session, packs, fiscal_year_of(datetime.now(UTC).date()))


class NoPacksError(RuntimeError):
    """Nothing to serve: no pack folders on disk and no versions in the database."""


@dataclass
class Services:
    settings: Settings
    db: Database
    runtime: BotRuntime
    chat: ChatService
    metrics: Metrics = field(default_factory=Metrics)
    _stop: threading.Event = field(default_factory=threading.Event)
    batcher: Batcher = field(init=False)  # hands the chat service the messages that arrive together

    def __post_init__(self) -> None:
        self.batcher = Batcher(self.chat.handle)

    @classmethod
    def start(cls, settings: Settings) -> Services:
        """Connect, seed packs from bots/ on first start, and train (or load) the bots."""
        db = Database(settings.database_url, settings.database_pool_size)
        runtime = BotRuntime(settings.model_dir, timedelta(minutes=settings.session_idle_minutes))
        sources, fingerprint = _first_writer_wins(db, lambda session: _seed(session, settings))
        if not sources:
            raise NoPacksError(
                f"no packs to serve: {settings.bots_dir} has no bot folders and the database has no pack versions. "
                "Run from the project folder or set MADOGUCHI_BOTS_DIR to the folder that holds the packs."
            )
        bots = runtime.load(sources, fingerprint)
        _first_writer_wins(db, lambda session: _register(session, bots.packs))
        services = cls(settings, db, runtime, ChatService(db, runtime, settings))
        services.chat.refresh_retired()
        return services

    def watch_packs(self) -> threading.Thread:
        """Poll the active pack versions so a pack activated on one worker reaches every worker."""

        def loop() -> None:
            while not self._stop.wait(self.settings.reload_poll_seconds):
                try:
                    self.reload_if_changed()
                    with self.db.engine.begin() as connection:  # finished rate-limit windows are useless
                        prune_rate_counters(connection)
                except Exception as exc:  # the database may be down for a moment; try again later
                    log.warning("pack watch failed: %s", exc.__class__.__name__)

        thread = threading.Thread(target=loop, name="madoguchi-pack-watch", daemon=True)
        thread.start()
        return thread

    def reload_if_changed(self, wait: bool = False) -> bool:
        """Start a reload when the active pack versions differ from what this worker serves."""
        self.chat.refresh_retired()
        with self.db.session() as session:
            active = active_fingerprint(session)
        if active == self.runtime.current.fingerprint:
            # e.g. a version whose training failed was rolled back on another worker: its error is moot
            self.runtime.serving_active(active)
            return False

        def read() -> tuple[Sources, str]:
            with self.db.session() as session:
                return active_sources(session)

        thread = self.runtime.reload_in_background(read)
        if wait:
            thread.join()
        return True

    def reload_from_disk(self) -> list[str]:
        """The reload signal: store changed packs from bots/ as new versions, then reload.
        An invalid pack is refused (logged) and the current bots keep serving."""
        from shared_nlu.pack import PackError

        try:
            with self.db.session() as session:
                lanes = (self.runtime.current.nlu, self.runtime.train)  # no bot takes another's questions
                changed = sync_from_disk(session, self.settings.bots_dir, lanes=lanes)
        except PackError as exc:
            self.runtime.last_error = str(exc)
            log.error(
                "reload from bots/ refused: %d problem(s); the current packs keep serving",
                len(exc.diagnostics),
            )
            return []
        self.reload_if_changed()
        return changed

    def stop(self) -> None:
        self._stop.set()
        self.batcher.stop()
        self.db.dispose()
