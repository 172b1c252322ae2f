"""Entities defined by packs: regexes, lookup tables, values annotated in examples, synonyms.

Matching runs on a same-length normalised copy of the message (width and case folded character by
character), so spans point into the text the resident typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..pack.model import Pack
from ..text.width import fold_width
from .model import EntityMatch


def _fold(text: str) -> str:
    # case and presentation forms (ｶﾀｶﾅ, Ａ) do not make a different word
    return fold_width(text, compatibility=True)


class PackEntityExtractor:
    """Finds every pack-defined entity; a surface form maps to its canonical value (Rasa's
    EntitySynonymMapper), e.g. マルチ → 連鎖販売取引."""

    def __init__(self, packs: Iterable[Pack]) -> None:
        self._regexes: list[tuple[str, re.Pattern[str]]] = []
        surfaces: dict[str, tuple[str, str]] = {}  # folded surface → (entity, value)
        synonyms: dict[str, str] = {}
        for pack in packs:
            for synonym in pack.synonyms:
                for variant in synonym.variants:
                    synonyms.setdefault(_fold(variant), synonym.value)
            for name, patterns in pack.regexes.items():
                self._regexes.extend((name, re.compile(p)) for p in patterns)
            for name, elements in pack.lookups.items():
                for element in elements:
                    surfaces.setdefault(_fold(element), (name, element))
            for intent in pack.intents.values():
                for example in intent.examples:
                    for span in example.entities:
                        surface = _fold(example.text[span.start : span.end])
                        surfaces.setdefault(surface, (span.entity, span.value))
        self._synonyms = synonyms
        self._surfaces = surfaces
        ordered = sorted((s for s in surfaces if len(s) >= 2), key=len, reverse=True)
        self._lookup = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def extract(self, text: str) -> list[EntityMatch]:
        folded = _fold(text)
        found: list[EntityMatch] = []
        if self._lookup is not None:
            for match in self._lookup.finditer(folded):
                entity, value = self._surfaces[match.group(0)]
                value = self._synonyms.get(_fold(value), value)
                found.append(
                    EntityMatch(
                        entity, value, match.start(), match.end(), text[match.start() : match.end()], "lookup"
                    )
                )
        for name, pattern in self._regexes:
            for match in pattern.finditer(folded):
                if match.end() > match.start():
                    found.append(
                        EntityMatch(
                            name,
                            match.group(0),
                            match.start(),
                            match.end(),
                            text[match.start() : match.end()],
                            "regex",
                        )
                    )
        return found
