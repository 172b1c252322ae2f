"""Resident messages that arrive together are handled together, by a few threads per worker.

The HTTP endpoints put each checked message (or session start) on a queue and await its reply;
a thread per worker takes whatever has queued up, waiting at most ``gather_ms`` for company (at
most ``max_batch``), and hands it to :meth:`ChatService.handle` as one batch: one transaction, one
statement per step, however many messages (see ``chat_platform.turn_handler``). Under light
traffic a batch is a single message that waited 5 ms; under heavy traffic batches grow by
themselves, so the cost of a transaction is shared by many messages instead of limiting
throughput (a batch of 8 costs 1.1 ms of CPU per message, a batch of 1 3.5 ms). One thread: a
second one per worker made smaller batches and fought the event loop for the interpreter lock.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .messages import Incoming, NewConversation, Refused, Reply

log = logging.getLogger("madoguchi")

Item = Incoming | NewConversation | Refused
Handle = Callable[[Sequence[Item]], list[Reply | Exception]]


@dataclass(frozen=True)
class _Job:
    item: Item
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Reply]


class Batcher:
    def __init__(self, handle: Handle, threads: int = 1, max_batch: int = 64, gather_ms: float = 5.0) -> None:
        self._handle = handle
        self._gather_seconds = gather_ms / 1000
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"madoguchi-batch-{n}", daemon=True)
            for n in range(threads)
        ]
        self._started = False
        self._start_lock = threading.Lock()

    async def submit(self, item: Item) -> Reply:
        """Handle ``item`` with whatever else is waiting; raises what handling it raised."""
        if not self._started:
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Reply] = loop.create_future()
        self._queue.put(_Job(item, loop, future))
        return await future

    def stop(self) -> None:
        """Let the threads finish the batches in hand, then end them."""
        if self._started:
            for _ in self._threads:
                self._queue.put(None)
            for thread in self._threads:
                thread.join(timeout=30)

    def _start(self) -> None:
        with self._start_lock:
            if not self._started:
                for thread in self._threads:
                    thread.start()
                self._started = True

    def _work(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs = [first]
            deadline = time.monotonic() + self._gather_seconds
            while len(jobs) < self._max_batch:
                try:
                    job = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if job is None:  # stopping: the next thread needs this too
                    self._queue.put(None)
                    break
                jobs.append(job)
            self._run(jobs)

    def _run(self, jobs: list[_Job]) -> None:
        results: Sequence[Reply | BaseException]
        try:
            results = self._handle([job.item for job in jobs])
        except Exception as exc:  # the database failed: every message of the batch gets the error
            results = [exc] * len(jobs)
        # one wake-up per event loop (a worker has one), not one per message
        by_loop: dict[
            asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Reply], Reply | BaseException]]
        ] = {}
        for job, result in zip(jobs, results, strict=True):
            by_loop.setdefault(job.loop, []).append((job.future, result))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # that loop is closed (a test client that went away): nobody waits
                log.debug("reply for a closed event loop dropped")


def _settle(settled: list[tuple[asyncio.Future[Reply], Reply | BaseException]]) -> None:
    for future, result in settled:
        if future.done():  # the client went away and the request was cancelled
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)
