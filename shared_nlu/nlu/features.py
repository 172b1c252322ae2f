"""Turn normalised text into sparse features: Sudachi word n-grams plus character n-grams.

Words carry meaning (自動車税, 期限); character n-grams survive typos, unknown words and
hiragana-only spellings that Sudachi splits oddly. Both are TF-IDF weighted with sublinear term
frequency and L2-normalised, then stacked side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from ..text.normalize import katakana_to_hiragana


@dataclass(frozen=True)
class FeatureConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (1, 4)
    char_weight: float = 1.0  # relative weight of the character block against the word block
    min_df: int = 1


def _identity(tokens: Any) -> Any:
    return tokens


class Featurizer:
    """Fitted vocabularies and IDF weights; ``transform`` is pure and safe to call concurrently."""

    def __init__(self, config: FeatureConfig, words: Callable[[str], Sequence[str]]) -> None:
        self.config = config
        self._words = words
        self._word = TfidfVectorizer(
            analyzer=_identity, ngram_range=(1, 1), sublinear_tf=True, min_df=config.min_df, dtype=np.float32
        )
        self._char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=config.char_ngrams,
            sublinear_tf=True,
            min_df=config.min_df,
            dtype=np.float32,
        )
        self.fitted = False

    def _word_ngrams(self, text: str) -> list[str]:
        tokens = list(self._words(text))
        low, high = self.config.word_ngrams
        grams: list[str] = []
        for n in range(low, high + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        words = self._word.fit_transform([self._word_ngrams(t) for t in texts])
        chars = self._char.fit_transform([katakana_to_hiragana(t) for t in texts])
        self.fitted = True
        return self._stack(words, chars)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if not self.fitted:
            raise RuntimeError("Featurizer.transform called before fit_transform")
        words = self._word.transform([self._word_ngrams(t) for t in texts])
        chars = self._char.transform([katakana_to_hiragana(t) for t in texts])
        return self._stack(words, chars)

    def _stack(self, words: sp.spmatrix, chars: sp.spmatrix) -> sp.csr_matrix:
        return sp.hstack([words, chars * self.config.char_weight], format="csr", dtype=np.float32)

    @property
    def size(self) -> int:
        return len(self._word.vocabulary_) + len(self._char.vocabulary_)

    # Persistence: vocabularies as JSON-able dicts and IDF weights as arrays, never pickles.
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "word_vocabulary": {k: int(v) for k, v in self._word.vocabulary_.items()},
            "char_vocabulary": {k: int(v) for k, v in self._char.vocabulary_.items()},
        }
        return meta, {"word_idf": self._word.idf_, "char_idf": self._char.idf_}

    def restore(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        for vectorizer, name in ((self._word, "word"), (self._char, "char")):
            vectorizer.vocabulary_ = meta[f"{name}_vocabulary"]
            vectorizer.idf_ = arrays[f"{name}_idf"]
        self.fitted = True
