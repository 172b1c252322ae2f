"""Pack synonyms, applied to normalised text before any features are computed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .normalize import normalize


class SynonymMap:
    """Replace every variant (``車の税金``) with its canonical word (``自動車税``).

    Longest variants first, in one pass, so that a variant containing another wins and a
    replacement is never replaced again.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        table: dict[str, str] = {}
        for variant, canonical in pairs:
            key = normalize(variant)
            if key and key != normalize(canonical):
                table.setdefault(key, normalize(canonical))
        self._table = table
        alternatives = sorted(table, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def __len__(self) -> int:
        return len(self._table)

    def apply(self, normalized_text: str) -> str:
        if self._pattern is None:
            return normalized_text
        return self._pattern.sub(lambda m: self._table[m.group(0)], normalized_text)
