"""Pack synonyms, applied to normalised text before any features are computed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .normalize import normalize


class SynonymMap:
    """Replace every variant (``車の税金``) with its canonical word (``自動車税``).

    Longest variants first, in one pass, so that a variant containing another wins and a
    replacement is never replaced again. A variant inside a canonical word is left alone:
    with 車税 → 自動車税, the text 自動車税 must not become 自動自動車税.
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
        canonicals = sorted(set(table.values()), key=len, reverse=True)
        self._canonical = re.compile("|".join(map(re.escape, canonicals))) if canonicals else None

    def __len__(self) -> int:
        return len(self._table)

    def apply(self, normalized_text: str) -> str:
        if self._pattern is None:
            return normalized_text
        assert self._canonical is not None
        protected = [m.span() for m in self._canonical.finditer(normalized_text)]

        def replace(match: re.Match[str]) -> str:
            start, end = match.span()
            if any(a <= start and end <= b and (a, b) != (start, end) for a, b in protected):
                return match.group(0)
            return self._table[match.group(0)]

        return self._pattern.sub(replace, normalized_text)
