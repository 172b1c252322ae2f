"""The trained bots a worker serves, swapped atomically when packs change.

Training takes about a second; a reload trains in a background thread and replaces the
``current`` reference in one assignment, so a request sees either the old bots or the new ones,
never a half-loaded mix. A pack that fails validation is refused and the old bots keep serving.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from shared_nlu.dialogue.engine import DialogueEngine
from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.persistence import ModelMismatchError, load_engine, save_engine
from shared_nlu.pack import PackError, PackSet, validate_packs

from .pack_versions import Sources

log = logging.getLogger("madoguchi.runtime")


@dataclass(frozen=True)
class Bots:
    """One consistent generation of packs and the engines trained from them."""

    packs: PackSet
    nlu: NluEngine
    dialogue: DialogueEngine
    fingerprint: str
    loaded_at: float

    def bot_ids(self) -> list[str]:
        """The bots residents can open (retired ones too: they answer with where to go now)."""
        return [pack.id for pack in self.packs.bots()]


class BotRuntime:
    def __init__(
        self, model_dir: Path | None = None, idle_timeout: timedelta = timedelta(minutes=30)
    ) -> None:
        self.model_dir = model_dir
        self.idle_timeout = idle_timeout
        self._current: Bots | None = None
        self._lock = threading.Lock()  # one reload at a time
        self.last_error: str | None = None
        self._failed: str | None = None  # fingerprint of packs whose training failed

    @property
    def current(self) -> Bots:
        bots = self._current
        if bots is None:
            raise RuntimeError("no bots loaded yet")
        return bots

    @property
    def ready(self) -> bool:
        return self._current is not None

    def build(self, sources: Sources, fingerprint: str) -> Bots:
        """Validate and train; raises :class:`PackError` with every problem if a pack is invalid."""
        packs, diagnostics = validate_packs(sources)
        if not diagnostics.ok:
            raise PackError(diagnostics.sorted())
        pack_set = PackSet(packs, tuple(diagnostics.warnings))
        nlu = self._trained(pack_set)
        return Bots(pack_set, nlu, DialogueEngine(nlu, self.idle_timeout), fingerprint, time.time())

    def train(self, packs: PackSet) -> NluEngine:
        """A model for ``packs``, from the model cache or trained and cached (e.g. a candidate
        version's, trained by a check before it is stored: the reload that follows reuses it)."""
        return self._trained(packs)

    def _trained(self, packs: PackSet) -> NluEngine:
        if self.model_dir is None:
            return NluEngine.train(packs)
        folder = self.model_dir / packs.digest[:16]
        if (folder / "metadata.json").is_file():
            try:
                return load_engine(folder, packs)
            except (ModelMismatchError, OSError, ValueError, KeyError) as exc:
                log.warning("cached model unusable, retraining: %s", exc)
        engine = NluEngine.train(packs)
        tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}.{threading.get_ident()}")
        try:
            save_engine(engine, tmp)
            tmp.rename(folder)  # atomic: another worker never sees a half-written model
        except OSError as exc:  # a read-only or full disk must not stop the bots from serving
            log.warning("could not cache the trained model: %s", exc)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # left over only when another worker won the race
        return engine

    def load(self, sources: Sources, fingerprint: str) -> Bots:
        """Build and swap in; on error the current bots stay and the error is raised."""
        with self._lock:
            try:
                bots = self.build(sources, fingerprint)
            except PackError as exc:
                self.last_error = str(exc)
                raise
            self._current = bots
            self.last_error = None
            gc.freeze()  # millions of long-lived objects: keep full collections from walking them (see app.py)
            log.info("bots loaded: %s (%.2f s training)", fingerprint, bots.nlu.train_seconds)
            return bots

    def serving_active(self, fingerprint: str) -> None:
        """Say that ``fingerprint`` (the active pack versions) is what should be served.

        When it is what this worker serves, a failed reload of some other generation no longer
        matters: e.g. a version whose training failed was rolled back to the version still serving.
        Its error is cleared so /readyz stops reporting it. Waits for a reload in progress, which
        could otherwise record its failure just after.
        """
        with self._lock:
            if self._current is not None and self._current.fingerprint == fingerprint:
                self._forget_failure()

    def _forget_failure(self) -> None:
        # only a failed training is forgotten; an error with no failed generation (bots/ refused on
        # reload by the HUP signal) is about files on disk, which this says nothing about
        if self._failed is not None:
            self.last_error, self._failed = None, None

    def reload_in_background(self, read: Callable[[], tuple[Sources, str]]) -> threading.Thread:
        """Train the packs ``read()`` returns and swap them in, in a background thread.

        ``read`` runs under the reload lock, so reloads started in quick succession cannot finish
        out of order and leave an older generation serving. A generation that failed is not
        retried until the packs change again (the watcher would otherwise retrain it every poll).
        """

        def work() -> None:
            with self._lock:
                fingerprint: str | None = None
                try:
                    sources, fingerprint = read()
                    if self._current is not None and fingerprint in (self._current.fingerprint, self._failed):
                        if fingerprint == self._current.fingerprint:
                            self._forget_failure()
                        return
                    bots = self.build(sources, fingerprint)
                except Exception as exc:  # keep serving the old bots; the error is visible on /readyz
                    self.last_error = str(exc)
                    self._failed = fingerprint
                    log.error("reload refused, the previous packs keep serving: %s", exc.__class__.__name__)
                    return
                self._current, self.last_error, self._failed = bots, None, None
                log.info("bots reloaded: %s (%.2f s training)", fingerprint, bots.nlu.train_seconds)

        thread = threading.Thread(target=work, name="madoguchi-reload", daemon=True)
        thread.start()
        return thread
