"""Turn normalised text into sparse features: Sudachi word n-grams plus character n-grams.

Words carry meaning (自動車税, 期限); character n-grams survive typos, unknown words and
hiragana-only spellings that Sudachi splits oddly. Both are TF-IDF weighted with sublinear term
frequency and L2-normalised, then stacked side by side.

Fitting uses scikit-learn's ``TfidfVectorizer`` with our own analyzers; one message at parse time
is featurised by dictionary look-ups with the same analyzers and the fitted vocabularies and IDF
weights, which gives the same numbers in a few microseconds instead of scikit-learn's ~5 ms of
input validation per call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..text.normalize import katakana_to_hiragana


@dataclass(frozen=True)
class FeatureConfig:
    word_ngrams: tuple[int, int] = (1, 1)
    char_ngrams: tuple[int, int] = (1, 3)
    char_weight: float = 1.0  # relative weight of the character block against the word block
    min_df: int = 1


class Featurizer:
    """Fitted vocabularies and IDF weights; ``transform`` and ``sparse_row`` are pure and thread-safe."""

    def __init__(self, config: FeatureConfig, words: Callable[[str], Sequence[str]]) -> None:
        self.config = config
        self._words = words
        self.word_vocabulary: dict[str, int] = {}
        self.char_vocabulary: dict[str, int] = {}
        self.word_idf = np.zeros(0, dtype=np.float32)
        self.char_idf = np.zeros(0, dtype=np.float32)

    @property
    def fitted(self) -> bool:
        return bool(self.word_vocabulary or self.char_vocabulary)

    @property
    def size(self) -> int:
        return len(self.word_vocabulary) + len(self.char_vocabulary)

    # ---- analyzers: the same for fitting and for parsing -----------------------------------------
    def word_ngrams(self, text: str) -> list[str]:
        tokens = list(self._words(text))
        low, high = self.config.word_ngrams
        grams: list[str] = []
        for n in range(low, high + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def char_ngrams(self, text: str) -> list[str]:
        """Character n-grams inside each space-separated chunk, padded with a space on both sides
        (like scikit-learn's ``char_wb``), over hiragana-folded text."""
        low, high = self.config.char_ngrams
        grams: list[str] = []
        for chunk in katakana_to_hiragana(text).split():
            padded = f" {chunk} "
            for n in range(low, high + 1):
                grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
        return grams

    # ---- fitting -------------------------------------------------------------------------------
    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        # imported here: a worker that loads a saved model never needs scikit-learn (~100 MB less)
        from sklearn.feature_extraction.text import TfidfVectorizer

        blocks = []
        for analyzer, name in ((self.word_ngrams, "word"), (self.char_ngrams, "char")):
            vectorizer = TfidfVectorizer(
                analyzer=analyzer,
                sublinear_tf=True,
                smooth_idf=True,
                norm="l2",
                min_df=self.config.min_df,
                dtype=np.float32,
            )
            blocks.append(vectorizer.fit_transform(texts))
            vocabulary = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
            setattr(self, f"{name}_vocabulary", vocabulary)
            setattr(self, f"{name}_idf", vectorizer.idf_.astype(np.float32))
        words, chars = blocks
        return sp.hstack([words, chars * self.config.char_weight], format="csr", dtype=np.float32)

    # ---- featurising new text ----------------------------------------------------------------------
    def sparse_row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Feature indices and values of one text (the non-zero entries of its row)."""
        if not self.fitted:
            raise RuntimeError("Featurizer used before fit_transform(): train the engine first")
        word_index, word_value = _tfidf(self.word_ngrams(text), self.word_vocabulary, self.word_idf, 0, 1.0)
        char_index, char_value = _tfidf(
            self.char_ngrams(text),
            self.char_vocabulary,
            self.char_idf,
            len(self.word_vocabulary),
            self.config.char_weight,
        )
        return np.concatenate([word_index, char_index]), np.concatenate([word_value, char_value])

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        rows = [self.sparse_row(text) for text in texts]
        indptr = np.cumsum([0] + [len(index) for index, _ in rows])
        indices = np.concatenate([index for index, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        data = np.concatenate([value for _, value in rows]) if rows else np.zeros(0, dtype=np.float32)
        return sp.csr_matrix((data, indices, indptr), shape=(len(texts), self.size), dtype=np.float32)

    # ---- persistence: vocabularies as JSON and IDF weights as arrays, never pickles ----------------
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return (
            {"word_vocabulary": self.word_vocabulary, "char_vocabulary": self.char_vocabulary},
            {"word_idf": self.word_idf, "char_idf": self.char_idf},
        )

    def restore(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.word_vocabulary = {str(k): int(v) for k, v in meta["word_vocabulary"].items()}
        self.char_vocabulary = {str(k): int(v) for k, v in meta["char_vocabulary"].items()}
        self.word_idf = np.asarray(arrays["word_idf"], dtype=np.float32)
        self.char_idf = np.asarray(arrays["char_idf"], dtype=np.float32)


def _tfidf(
    grams: list[str], vocabulary: dict[str, int], idf: np.ndarray, offset: int, weight: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sublinear TF × IDF, L2-normalised, as ``TfidfVectorizer(sublinear_tf=True, norm="l2")``.

    Every message pays this twice, so the look-up is ``map`` over ``dict.get`` and the counting
    ``Counter`` (both in C); logarithms and norm are numpy's."""
    counts = Counter([index for index in map(vocabulary.get, grams) if index is not None])
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    size = len(counts)
    index = np.fromiter(counts, dtype=np.int64, count=size)
    value = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=size))) * idf[index]
    value *= weight / float(np.sqrt(np.dot(value, value)))
    order = np.argsort(index)
    return index[order] + offset, value[order].astype(np.float32)
