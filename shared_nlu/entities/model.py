"""One entity found in a message, and the rule that decides between matches that overlap."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# Entities that say more than "this is a number". When a generic number overlaps one of them, the
# specific entity wins whatever the lengths: 「11月20日」 is a date, not the numbers 11 and 20.
GENERIC_ENTITIES = frozenset({"number"})


@dataclass(frozen=True, slots=True)
class EntityMatch:
    """An entity in a message.

    ``start`` and ``end`` are character offsets into the original message (``end`` exclusive), so
    ``message[start:end] == text``. ``value`` is the normalised value: an ``int`` for numbers and
    amounts in yen, a string such as ``"2026-11-20"`` or ``"0669108001"`` otherwise.

    Raises ``ValueError`` when the span is empty or negative.
    """

    entity: str
    value: str | int
    start: int
    end: int
    text: str
    extractor: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"an entity span needs 0 <= start < end, got {self.start}..{self.end}")

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: EntityMatch) -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, str | int]:
        """The entity as Rasa writes it in a parse result (Rasa has no ``text`` key)."""
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "extractor": self.extractor,
        }


def resolve_overlaps(matches: Iterable[EntityMatch]) -> list[EntityMatch]:
    """Keep matches that do not overlap, sorted by ``start``.

    Specific entities beat generic numbers; among the rest the longer match wins, then the earlier
    one. A match that loses is dropped whole, never trimmed.
    """
    ranked = sorted(matches, key=lambda m: (m.entity in GENERIC_ENTITIES, -m.length, m.start))
    return keep_non_overlapping(ranked, lambda m: (m.start, m.end))


def keep_non_overlapping(ranked: Iterable[T], span: Callable[[T], tuple[int, int]]) -> list[T]:
    """The items of ``ranked`` (best first) that overlap no better item, sorted by span start.

    ``span`` gives an item's ``(start, end)``, end exclusive. Kept spans are found by bisection
    rather than by comparing with each of them, so a pasted document with thousands of numbers
    stays fast.
    """
    starts: list[int] = []  # of the kept items, which never overlap, so their ends are sorted too
    ends: list[int] = []
    kept: list[T] = []
    for item in ranked:
        start, end = span(item)
        at = bisect_right(starts, start)
        if (at > 0 and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
            continue
        starts.insert(at, start)
        ends.insert(at, end)
        kept.insert(at, item)
    return kept
