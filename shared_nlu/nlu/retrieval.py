"""FAQ retrieval without a neural model: find the FAQ entries that answer a resident's question.

Each entry is a question (what the department wrote) and an optional answer (extra evidence). A text
becomes three token streams, each scored with BM25F over the two fields:

* words    - Sudachi SplitMode.C units cut into their mode-A parts, normalised forms, katakana folded
             to hiragana, function words dropped (引越し meets 引っ越し, ゴミ meets ごみ); in a query,
             verbs, adjectives and adverbs count half, since its nouns name the topic (ハチ, 巣) and the
             rest mostly frames the request (作る, 困る, 教える);
* synonyms - Sudachi synonym group ids as "#id" tokens (保育園 meets 保育所, ひっこし meets 引っ越し),
             and two-kanji abbreviations meeting the compounds they shorten (健診 / 健康診断, 国保 /
             国民健康保険);
* chars    - character 2-grams and the 1-grams other than kana (a lone kana is a particle or an
             ending, not a topic), which catch what the dictionary splits differently (ソダイゴミ).

Each stream's scores are z-scored over all entries, then summed with weights. On LocalGovFAQ (1,786
entries, 177 queries) this gives Hit@1/3/10 of about 50.3/72.9/85.9; see bench/localgovfaq.py and
docs/benchmarks.md.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sudachipy import Dictionary, SplitMode

from shared_nlu.text.normalize import katakana_to_hiragana


@dataclass(frozen=True)
class RetrievalConfig:
    """The recipe's constants, chosen on LocalGovFAQ's dev queries and checked on random half splits.

    Nearby values move Hit@k by a point or two, which is within the noise of 177 queries.
    """

    # A match in the question says more than one in the answer, which is longer and more general.
    question_weight: float = 2.0
    answer_weight: float = 1.0
    # Usual BM25 length normalisation; long answers should not win by mentioning everything.
    b: float = 0.75
    # Term-frequency saturation: a repeated content word is real evidence, so words saturate slowly;
    # repeated character n-grams and synonym ids are mostly incidental, so they saturate sooner.
    k1_words: float = 3.0
    k1_synonyms: float = 2.0
    k1_chars: float = 2.0
    # Words lead; synonyms and character n-grams are noisier, so they only break ties and fill gaps.
    synonym_weight: float = 0.35
    char_weight: float = 0.35
    # Parts of speech that carry no topic: particles, auxiliaries, punctuation, pronouns, conjunctions…
    drop_pos: frozenset[str] = frozenset(
        {"助詞", "助動詞", "補助記号", "空白", "記号", "代名詞", "連体詞", "接続詞", "感動詞"}
    )
    # In a resident's question the nouns name the topic (ハチ, 巣); verbs, adjectives and adverbs mostly
    # frame the request (困る, 作る, 教える), so a query's word counts this much when it is one of those.
    framing_weight: float = 0.5
    framing_pos: frozenset[str] = frozenset({"動詞", "形容詞", "形状詞", "副詞"})
    # Match a two-kanji abbreviation with the compound it shortens (健診 / 健康診断), in the synonyms stream.
    abbreviations: bool = True


# Sudachi refuses very long inputs, so text is fed one sentence (at most _MAX_CHUNK characters) at a time.
_SENTENCE_END = re.compile(r"(?<=[。．！？\n])")
_MAX_CHUNK = 2000
# Character n-grams are taken within runs of letters/digits: punctuation is no topic and no n-gram spans it.
_NON_WORD = re.compile(r"[\W_]+")
_KANA = re.compile(r"[\u3041-\u309f]")  # hiragana; katakana is folded to it first
_KANJI = re.compile(r"[\u4e00-\u9fff々]+")


def _fold(text: str) -> str:
    return katakana_to_hiragana(text.lower())


@dataclass(frozen=True)
class _Analysis:
    words: list[str]
    synonyms: list[str]
    chars: list[str]
    framing: dict[str, float]  # a query's framing words → their weight (below 1)

    @property
    def streams(self) -> tuple[list[str], list[str], list[str]]:
        return self.words, self.synonyms, self.chars


class _Analyzer:
    """Turns a text into its words, synonyms and chars token lists with one Sudachi tokenizer."""

    def __init__(self, config: RetrievalConfig) -> None:
        dictionary = Dictionary(dict="core")
        # Dictionary.create() is deprecated from SudachiPy 0.7 in favour of tokenizer(); 0.6 lacks the latter.
        make = getattr(dictionary, "tokenizer", None) or dictionary.create
        self._sudachi = make()
        self._config = config
        self._lock = threading.Lock()  # a Sudachi tokenizer must not be used by two threads at once

    def _dropped(self, pos: tuple[str, ...]) -> bool:
        return pos[0] in self._config.drop_pos

    def __call__(self, text: str, query: bool = False) -> _Analysis:
        """The token streams of ``text`` and, for a query, its framing words; ``query`` for a resident's
        question rather than an FAQ entry (abbreviation tokens point the other way, see below)."""
        text = unicodedata.normalize("NFKC", text)
        words: list[str] = []
        synonyms: list[str] = []
        framing: set[str] = set()
        topical: set[str] = set()
        with self._lock:
            for chunk in _chunks(text):
                for unit in self._sudachi.tokenize(chunk, SplitMode.C):
                    if self._dropped(unit.part_of_speech()):
                        continue
                    synonyms.extend(f"#{g}" for g in unit.synonym_group_ids())
                    parts = list(unit.split(SplitMode.A))
                    if len(parts) <= 1:
                        word = _fold(unit.normalized_form())
                        words.append(word)
                        frames = unit.part_of_speech()[0] in self._config.framing_pos
                        (framing if frames else topical).add(word)
                        if self._config.abbreviations:
                            synonyms.extend(_short_word_tokens(unit.surface(), query))
                        continue
                    kept = [p for p in parts if not self._dropped(p.part_of_speech())]
                    words.extend(_fold(p.normalized_form()) for p in kept)
                    topical.update(words[len(words) - len(kept) :])
                    if self._config.abbreviations:
                        synonyms.extend(_compound_tokens(unit.surface(), [p.surface() for p in kept], query))
                    if len(kept) > 1:  # the parts' own synonyms: 住民票 → 住民 and 票
                        synonyms.extend(f"#{g}" for p in kept for g in p.synonym_group_ids())
        chars: list[str] = []
        for run in _NON_WORD.split(_fold(text)):
            chars.extend(c for c in run if not _KANA.match(c))  # one kana is a particle or an ending
            chars.extend(run[i : i + 2] for i in range(len(run) - 1))
        weights = {word: self._config.framing_weight for word in framing - topical}
        return _Analysis(words, synonyms, chars, weights)


# Abbreviations: Japanese shortens a kanji compound to one kanji of each of two of its words
# (健康診断 → 健診, 国民健康保険 → 国保, 特定健康診査 → 健診), and residents and FAQ writers each use
# either form. A compound yields its candidate short forms as "abbreviation" tokens; a two-kanji
# word yields itself as a "short" token. The query side swaps the two tags, so a short word meets
# only compounds (and the reverse): the same short word on both sides is already a words match.
_SHORT, _ABBREVIATION = "~s:", "~a:"


def _short_word_tokens(surface: str, query: bool) -> list[str]:
    if len(surface) != 2 or not _KANJI.fullmatch(surface):
        return []
    return [(_ABBREVIATION if query else _SHORT) + surface]


def _compound_tokens(compound: str, parts: list[str], query: bool) -> list[str]:
    if len(parts) < 2 or not _KANJI.fullmatch(compound):
        return []
    tag = _SHORT if query else _ABBREVIATION
    return [tag + parts[i][0] + parts[j][0] for i in range(len(parts)) for j in range(i + 1, len(parts))]


def _chunks(text: str) -> Iterator[str]:
    for sentence in _SENTENCE_END.split(text):
        for start in range(0, len(sentence), _MAX_CHUNK):
            yield sentence[start : start + _MAX_CHUNK]


class _Bm25fStream:
    """BM25F weights of one token stream, stored as a sparse (vocabulary x entries) matrix."""

    def __init__(
        self, fields: Sequence[Sequence[list[str]]], field_weights: Sequence[float], k1: float, b: float
    ):
        self.vocabulary: dict[str, int] = {}
        coordinates = []
        for docs in fields:  # vocabulary ids in order of first appearance: deterministic
            rows = [i for i, doc in enumerate(docs) for _ in doc]
            cols = [self.vocabulary.setdefault(token, len(self.vocabulary)) for doc in docs for token in doc]
            coordinates.append((rows, cols))
        n, size = len(fields[0]), len(self.vocabulary)
        pseudo_tf = sp.csr_matrix((n, size))
        for (rows, cols), weight in zip(coordinates, field_weights, strict=True):
            tf = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, size))  # duplicates summed
            lengths = np.asarray(tf.sum(axis=1)).ravel()
            relative = lengths / max(lengths.mean() if n else 0.0, 1e-9)
            tf.data = weight * tf.data / np.repeat(1 - b + b * relative, np.diff(tf.indptr))
            pseudo_tf = pseudo_tf + tf
        present = pseudo_tf.copy()
        present.data[:] = 1.0
        document_frequency = np.asarray(present.sum(axis=0)).ravel()  # over question+answer together
        idf = np.log(1 + (n - document_frequency + 0.5) / (document_frequency + 0.5))
        pseudo_tf.data = pseudo_tf.data * (k1 + 1) / (pseudo_tf.data + k1)
        weights = sp.csr_matrix((pseudo_tf @ sp.diags(idf)).T)  # vocabulary x entries
        weights.sort_indices()
        self._indptr, self._entries, self._weights = weights.indptr, weights.indices, weights.data
        self.size = n

    def score(self, tokens: list[str], query_weights: dict[str, float] | None = None) -> np.ndarray:
        """BM25F of every entry: a binary query row (each term counts once) times the weight matrix.

        Done by hand (gather the query terms' rows, add them up per entry): scipy's own product costs
        more in per-call overhead than the arithmetic for a query of a few dozen terms.
        """
        known = sorted({(self.vocabulary[t], t) for t in tokens if t in self.vocabulary})
        ids = np.array([i for i, _ in known], dtype=np.int64)
        if ids.size == 0:
            return np.zeros(self.size)
        starts = self._indptr[ids]
        lengths = self._indptr[ids + 1] - starts
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        picked = np.arange(offsets.size) + offsets
        weights = self._weights[picked]
        if query_weights:
            weights = weights * np.repeat([query_weights.get(t, 1.0) for _, t in known], lengths)
        return np.bincount(self._entries[picked], weights=weights, minlength=self.size)


def _z(scores: np.ndarray) -> np.ndarray:
    """Standard scores over all entries, so streams on different scales can be added."""
    deviation = scores.std() if scores.size else 0.0
    return (scores - scores.mean()) / deviation if deviation > 0 else np.zeros_like(scores)


class FaqIndex:
    """Ranks FAQ entries for a query. Build once per FAQ list (a few seconds for ~2,000 entries)."""

    def __init__(
        self, questions: Sequence[str], answers: Sequence[str], config: RetrievalConfig | None = None
    ) -> None:
        if len(questions) != len(answers):
            raise ValueError(f"{len(questions)} questions but {len(answers)} answers")
        self.config = config or RetrievalConfig()
        self._analyze = _Analyzer(self.config)
        cfg = self.config
        fields = [[self._analyze(text) for text in texts] for texts in (questions, answers)]
        weights = (cfg.question_weight, cfg.answer_weight)
        self._streams = [
            _Bm25fStream([[doc.streams[s] for doc in docs] for docs in fields], weights, k1, cfg.b)
            for s, k1 in enumerate((cfg.k1_words, cfg.k1_synonyms, cfg.k1_chars))
        ]
        self._stream_weights = (1.0, cfg.synonym_weight, cfg.char_weight)

    def __len__(self) -> int:
        return self._streams[0].size

    def _raw(self, query: str) -> list[np.ndarray]:
        analysis = self._analyze(query, query=True)
        return [
            self._streams[0].score(analysis.words, analysis.framing),
            self._streams[1].score(analysis.synonyms),
            self._streams[2].score(analysis.chars),
        ]

    def scores(self, query: str) -> np.ndarray:
        """Fused score of every entry (higher is better); all zeros when no query term is known."""
        return self._fuse(self._raw(query))

    def _fuse(self, raw: list[np.ndarray]) -> np.ndarray:
        total = np.zeros(len(self))
        for weight, stream_scores in zip(self._stream_weights, raw, strict=True):
            total += weight * _z(stream_scores)
        return total

    def search(self, query: str, k: int = 10) -> list[tuple[int, float]]:
        """Up to ``k`` (entry index, fused score) pairs, best first; only entries sharing a query term.

        Ties go to the lower index, so results are reproducible.
        """
        raw = self._raw(query)
        matched = np.flatnonzero(np.logical_or.reduce([r > 0 for r in raw]))
        if k <= 0 or matched.size == 0:
            return []
        fused = self._fuse(raw)
        order = matched[np.argsort(-fused[matched], kind="stable")[:k]]
        return [(int(i), float(fused[i])) for i in order]
