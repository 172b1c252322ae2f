"""What a running worker holds: settings, database, trained bots, metrics, and which bots are retired.

The resident service adds its chat service and batcher (``chat_platform.resident_services``); the
admin plugs in through :class:`Hooks` (its project registry). ``madoguchi.app`` wires them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Self, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared_nlu.pack import PackSet

from .metrics import Metrics
from .pack_versions import Sources, active_fingerprint, active_sources, seed_from_disk, sync_from_disk
from .runtime import BotRuntime
from .settings import Settings
from .storage.database import Database

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


def _no_projects(session: Session, packs: PackSet) -> None:
    """Without a registry plugged in, bots are served without being recorded as projects."""


def _none_retired(session: Session) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Hooks:
    """What a service plugged into the core adds to it (the admin's registry, in ``madoguchi.app``)."""

    # at start, after the packs are loaded: record each bot (e.g. as a town-DX project)
    register_projects: Callable[[Session, PackSet], None] = _no_projects
    # bot id → the message residents see, for the bots that are retired (re-read by the pack watch)
    retired_bots: Callable[[Session], dict[str, str]] = _none_retired


class NoPacksError(RuntimeError):
    """Nothing to serve: no pack folders on disk and no versions in the database."""


@dataclass
class Services:
    settings: Settings
    db: Database
    runtime: BotRuntime
    hooks: Hooks = field(default_factory=Hooks)
    metrics: Metrics = field(default_factory=Metrics)
    retired: dict[str, str] = field(default_factory=dict)  # bot id → the message residents see
    _stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(cls, settings: Settings, hooks: Hooks | None = None) -> Self:
        """Connect, seed packs from bots/ on first start, and train (or load) the bots."""
        hooks = hooks or Hooks()
        db = Database(settings.database_url, settings.database_pool_size)
        runtime = BotRuntime(settings.model_dir, timedelta(minutes=settings.session_idle_minutes))
        sources, fingerprint = _first_writer_wins(db, lambda session: _seed(session, settings))
        if not sources:
            raise NoPacksError(
                f"no packs to serve: {settings.bots_dir} has no bot folders and the database has no pack versions. "
                "Run from the project folder or set MADOGUCHI_BOTS_DIR to the folder that holds the packs."
            )
        bots = runtime.load(sources, fingerprint)
        _first_writer_wins(db, lambda session: hooks.register_projects(session, bots.packs))
        services = cls(settings, db, runtime, hooks)
        services.refresh_retired()
        return services

    def refresh_retired(self) -> None:
        with self.db.session() as session:
            self.retired = self.hooks.retired_bots(session)

    def maintain(self, connection: Connection) -> None:
        """Periodic housekeeping in the pack watch's loop; services built on the core add theirs."""

    def watch_packs(self) -> threading.Thread:
        """Poll the active pack versions so a pack activated on one worker reaches every worker."""

        def loop() -> None:
            while not self._stop.wait(self.settings.reload_poll_seconds):
                try:
                    self.reload_if_changed()
                    with self.db.engine.begin() as connection:
                        self.maintain(connection)
                except Exception as exc:  # the database may be down for a moment; try again later
                    log.warning("pack watch failed: %s", exc.__class__.__name__)

        thread = threading.Thread(target=loop, name="madoguchi-pack-watch", daemon=True)
        thread.start()
        return thread

    def reload_if_changed(self, wait: bool = False) -> bool:
        """Start a reload when the active pack versions differ from what this worker serves."""
        self.refresh_retired()
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
        self.db.dispose()
