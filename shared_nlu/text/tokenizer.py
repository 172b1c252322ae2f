"""Words via SudachiPy, reduced to Sudachi's normalised forms so spelling variants meet.

引っ越し/引越し meet as 引っ越し; 申し込み/申込み as 申し込み; クーリング・オフ/クーリングオフ as
クーリングオフ. Kansai dialect words Sudachi reads literally are mapped to standard Japanese.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sudachipy import dictionary, tokenizer

# Sudachi's normalised form → the word a standard-Japanese example would contain.
_DIALECT = {
    "何ぼ": "幾ら",  # Sudachi's normalised form of いくら
    "なんぼ": "幾ら",
    "あかん": "駄目",
    "ほんま": "本当",
    "めっちゃ": "とても",
    "しんどい": "辛い",
    "ちゃう": "違う",
    "おおきに": "ありがとう",
}
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SKIP_POS = {"補助記号", "空白"}


class Tokenizer:
    """Split text into normalised words; results are cached per text.

    Thread-safe: a Sudachi tokenizer refuses to be used by two threads at once ("Tokenizer is
    already in use"), and the service parses in a thread pool while reloads train in another
    thread, so each thread gets its own tokenizer over the one shared (memory-mapped) dictionary.
    """

    def __init__(self) -> None:
        self._dictionary = dictionary.Dictionary(dict="core")
        self._local = threading.local()
        self.words = lru_cache(maxsize=65536)(self._words)

    def sudachi(self) -> Any:
        """This thread's Sudachi tokenizer (mode C) over the one loaded dictionary; other analysers
        (content words, masking) use it too, so a process holds one dictionary (~70 MB)."""
        sudachi = getattr(self._local, "sudachi", None)
        if sudachi is None:
            sudachi = self._dictionary.tokenizer(mode=tokenizer.Tokenizer.SplitMode.C)
            self._local.sudachi = sudachi
        return sudachi

    def _words(self, text: str) -> tuple[str, ...]:
        result: list[str] = []
        for morpheme in self.sudachi().tokenize(text):
            if morpheme.part_of_speech()[0] in _SKIP_POS:
                continue
            surface = morpheme.surface()
            if _LATIN_WORD.fullmatch(surface):
                result.append(_english_stem(surface))
                continue
            form = morpheme.normalized_form()
            result.append(_DIALECT.get(form, _DIALECT.get(surface, form)))
        return tuple(result)

    def morphemes(self, text: str) -> list[Morpheme]:
        """Sudachi's morphemes with their part of speech and character offsets (not cached: the
        masking of personal data reads them once per message, for 人名 tokens)."""
        return [
            Morpheme(m.surface(), tuple(m.part_of_speech()), m.begin(), m.end(), m.is_oov())
            for m in self.sudachi().tokenize(text)
        ]


@dataclass(frozen=True)
class Morpheme:
    surface: str
    pos: tuple[str, ...]  # Sudachi's part of speech: ("名詞", "固有名詞", "人名", "姓", …)
    start: int
    end: int
    oov: bool  # not in the dictionary


_SUFFIXES = ("ing", "ed", "es", "s")


def _english_stem(word: str) -> str:
    """A crude stemmer: enough for "payments"/"payment" or "registered"/"register" to meet."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_default: Tokenizer | None = None


def default_tokenizer() -> Tokenizer:
    """One shared tokenizer per process: loading Sudachi's dictionary takes ~0.1 s and ~70 MB."""
    global _default
    if _default is None:
        _default = Tokenizer()
    return _default
