"""Prometheus metrics in text format: messages per bot, fallbacks, and a latency histogram.

Counted per worker process; Prometheus sums the workers it scrapes. Kept by hand (a few dozen
lines) rather than pulling in a client library for three series.
"""

from __future__ import annotations

import threading
from collections import Counter

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: Counter[tuple[str, str]] = Counter()  # (bot, channel)
        self.fallbacks: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()  # error code
        self._buckets = [0] * len(BUCKETS)
        self._count = 0
        self._sum = 0.0

    def observe_message(self, bot: str, channel: str, seconds: float, fallback: bool) -> None:
        with self._lock:
            self.messages[(bot, channel)] += 1
            if fallback:
                self.fallbacks[bot] += 1
            self._count += 1
            self._sum += seconds
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self._buckets[index] += 1

    def observe_error(self, code: str) -> None:
        with self._lock:
            self.errors[code] += 1

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP madoguchi_messages_total Resident messages handled, by bot and channel.",
                "# TYPE madoguchi_messages_total counter",
                *(
                    f'madoguchi_messages_total{{bot="{b}",channel="{c}"}} {n}'
                    for (b, c), n in sorted(self.messages.items())
                ),
                "# HELP madoguchi_fallbacks_total Resident messages no intent answered (nlu_fallback).",
                "# TYPE madoguchi_fallbacks_total counter",
                *(f'madoguchi_fallbacks_total{{bot="{b}"}} {n}' for b, n in sorted(self.fallbacks.items())),
                "# HELP madoguchi_errors_total Requests refused, by error code.",
                "# TYPE madoguchi_errors_total counter",
                *(f'madoguchi_errors_total{{code="{c}"}} {n}' for c, n in sorted(self.errors.items())),
                "# HELP madoguchi_message_seconds Time to answer a resident message.",
                "# TYPE madoguchi_message_seconds histogram",
                *(
                    f'madoguchi_message_seconds_bucket{{le="{b}"}} {n}'
                    for b, n in zip(BUCKETS, self._buckets, strict=True)
                ),
                f'madoguchi_message_seconds_bucket{{le="+Inf"}} {self._count}',
                f"madoguchi_message_seconds_sum {self._sum:.6f}",
                f"madoguchi_message_seconds_count {self._count}",
            ]
        return "\n".join(lines) + "\n"
