"""The NLU engine: one model over every pack, so a message can be routed to the right bot.

``NluEngine.train(packs)`` fits it; ``parse(text, bot=…)`` answers as one bot (its own intents,
``common``, and the bots it routes to), ``parse(text)`` answers across all bots.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from ..clock import today_in_japan
from ..constants import COMMON_BOT, FALLBACK_INTENT, INFORM_INTENT, OUT_OF_SCOPE_INTENT, answer_response
from ..entities.builtin import extract_builtin_entities
from ..entities.model import EntityMatch
from ..entities.pack_entities import PackEntityExtractor
from ..pack.loader import PackSet
from ..text import SynonymMap, default_tokenizer, detect_language, normalize
from ..text.content_words import default_content_words
from ..text.dialect import standardize_kansai
from ..text.sentences import asking_sentence
from .classifier import ClassifierConfig, IntentClassifier
from .coverage import CoverageModel, answer_texts
from .edge import EdgeDecision
from .features import FeatureConfig, Featurizer
from .result import FallbackReason, ParseResult, RankedIntent
from .retrieval import FaqIndex
from .safety import SafetyCheck
from .training_data import (
    FAQ_LABEL,
    NOT_COVERED_LABEL,
    allowed_bots,
    label_of,
    split_label,
    training_data,
)

RANKING_SIZE = 10
OUT_OF_SCOPE_LABEL = label_of(COMMON_BOT, OUT_OF_SCOPE_INTENT)
FAQ_SOFTMAX_TEMPERATURE = 0.5  # fused retrieval scores are z-scores; 0.5 keeps a clear winner clear


@dataclass(frozen=True)
class EngineConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)


class NluEngine:
    def __init__(self, packs: PackSet, config: EngineConfig | None = None) -> None:
        self.packs = packs
        self.config = config or EngineConfig()
        tokenizer = default_tokenizer()
        self.synonyms = SynonymMap(
            (variant, synonym.value)
            for pack in packs.packs.values()
            for synonym in pack.synonyms
            for variant in synonym.variants
        )
        self.featurizer = Featurizer(self.config.features, tokenizer.words)
        self.classifier = IntentClassifier(self.config.classifier)
        # a message is prepared several times per parse (classifier, asking sentence, coverage)
        self.prepare = lru_cache(maxsize=16384)(self.prepare)  # type: ignore[method-assign]
        self.coverage = CoverageModel(default_content_words())
        self.edge = EdgeDecision(self)
        self._not_covered: np.ndarray = np.zeros(0, dtype=np.int64)
        self._label_bots: np.ndarray = np.array([], dtype=object)  # the bot of each label, in order
        self.entities = PackEntityExtractor(packs.packs.values())
        self.train_seconds = 0.0
        self._masks: dict[tuple[frozenset[str] | None, str | None], np.ndarray] = {}
        self._faq: dict[str, tuple[FaqIndex, list[str]]] = {}
        self._faq_lock = threading.Lock()
        self.safety = SafetyCheck(self)  # a resident in danger is answered before any domain answer

    @classmethod
    def train(cls, packs: PackSet, config: EngineConfig | None = None) -> NluEngine:
        data = training_data(packs)
        return cls(packs, config).fit(data.texts, data.labels)

    def fit(self, texts: list[str], labels: list[str]) -> NluEngine:
        """Fit on these examples (all of the packs' examples, or a cross-validation fold)."""
        started = time.perf_counter()
        domain = self.safety.fit(texts, labels)  # the safety intents: a model of their own (safety.py)
        texts, labels = [texts[i] for i in domain], [labels[i] for i in domain]
        prepared = [self.prepare(t) for t in texts]
        features = self.featurizer.fit_transform(prepared)
        self.classifier.fit(features, labels)
        self.fit_coverage(prepared, labels)
        self._index_labels()
        self.train_seconds = time.perf_counter() - started
        return self

    def fit_coverage(
        self, prepared: list[str], labels: list[str], usual: dict[str, float] | None = None
    ) -> None:
        """What each label has seen: its examples (these texts) and its answers (the packs')."""
        self.coverage.fit(prepared, labels, answer_texts(self.packs, self.prepare), usual)

    def _index_labels(self) -> None:
        self._label_bots = np.array([split_label(label)[0] for label in self.classifier.labels], dtype=object)
        self._label_bots.flags.writeable = False  # shared through label_bots: no caller may change it
        self._not_covered = np.array(
            [
                i
                for i, label in enumerate(self.classifier.labels)
                if split_label(label)[1] == NOT_COVERED_LABEL
            ],
            dtype=np.int64,
        )
        self._masks = {}

    @property
    def label_bots(self) -> np.ndarray:
        """The bot of each classifier label, in label order (``classifier.labels``); read-only."""
        return self._label_bots

    def prepare(self, text: str) -> str:
        """The text the model sees: normalised, Kansai endings standardised, pack synonyms applied."""
        return self.synonyms.apply(standardize_kansai(normalize(text)))

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row per text; a long message's row weighs its asking sentence (see ``row``)."""
        return (
            np.vstack([self.row(t) for t in texts]) if texts else np.zeros((0, len(self.classifier.labels)))
        )

    def row(self, text: str) -> np.ndarray:
        """Label probabilities of one message. A message of several sentences is mostly its
        asking sentence: the story before it is context, not the question."""
        index, value = self.featurizer.sparse_row(self.prepare(text))
        probabilities = self.classifier.row_probabilities(index, value)
        question = asking_sentence(text)
        if question is not None:
            q_index, q_value = self.featurizer.sparse_row(self.prepare(question))
            probabilities = self.edge.blend(
                probabilities, self.classifier.row_probabilities(q_index, q_value), question, text
            )
        return probabilities

    def parse(self, text: str, bot: str | None = None, today: date | None = None) -> ParseResult:
        """Classify one message. ``bot`` restricts answers to what that bot may say.

        Relative dates resolve against ``today``, by default today in Japan (not the server's
        date: a server in UTC is a day behind from 00:00 to 09:00 JST).
        Raises ``KeyError`` for an unknown bot id.
        """
        if bot is not None and bot not in self.packs.packs:
            raise KeyError(f"unknown bot {bot!r}; known bots: {', '.join(sorted(self.packs.packs))}")
        language = detect_language(text)
        entities = self.extract_entities(text, today or today_in_japan())
        if not normalize(text):
            return ParseResult.out_of_scope(text, language, entities)
        return self.safety.first(self.decide(text, self.row(text), bot, language, entities))

    def decide(
        self,
        text: str,
        probabilities: np.ndarray,
        bot: str | None,
        language: str = "ja",
        entities: tuple[EntityMatch, ...] = (),
    ) -> ParseResult:
        """As ``bot`` would answer: its own intents first, and only what they cover; another bot
        only when that bot would itself answer confidently (see ``edge.EdgeDecision``)."""
        return self.edge.decide(text, self.edge.fold_not_covered(probabilities), bot, language, entities)

    def decide_scoped(
        self,
        text: str,
        probabilities: np.ndarray,
        bot: str | None,
        language: str = "ja",
        entities: tuple[EntityMatch, ...] = (),
    ) -> ParseResult:
        """Turn one row of label probabilities into a result as ``bot`` would answer, from its own
        intents only (``decide`` adds coverage and pointing to another bot).

        Answering as one bot, confidences are renormalised over what that bot may say (and out of
        scope), so an intent is not made to look unsure by a look-alike in an unrelated bot.
        """
        labels = self.classifier.labels
        allowed = allowed_bots(self.packs, bot)
        mask = self._allowed_mask(allowed, bot)
        oos_index = labels.index(OUT_OF_SCOPE_LABEL) if OUT_OF_SCOPE_LABEL in labels else None
        scoped = np.where(mask, probabilities, 0.0)
        if oos_index is not None:
            scoped[oos_index] = probabilities[oos_index]
        total = float(scoped.sum())
        if total > 0:
            scoped = self.edge.yield_conversation(text, scoped / total)
        oos_confidence = float(scoped[oos_index]) if oos_index is not None else 0.0
        ranking = self._ranking(text, scoped, oos_index)
        if not ranking:
            return ParseResult.out_of_scope(text, language, entities)
        best = ranking[0]
        thresholds = self.packs.packs[bot or best.bot].bot.thresholds
        ambiguous = len(ranking) > 1 and best.confidence - ranking[1].confidence < thresholds.ambiguity
        margin = (
            self.edge.scope_margin(text, best.name, self.edge.answering_thresholds(bot, best.bot))
            / self.classifier.config.temperature
        )
        in_scope = float(scoped.max()) if oos_index is None else float(np.delete(scoped, oos_index).max())
        if oos_confidence > 0 and (
            oos_confidence > best.confidence or math.log(in_scope / oos_confidence) < margin
        ):
            return ParseResult(
                text=text,
                intent=FALLBACK_INTENT,
                confidence=oos_confidence,
                bot=None,
                language=language,
                ranking=ranking,
                entities=entities,
                fallback_reason=FallbackReason.OUT_OF_SCOPE,
            )
        if best.confidence < thresholds.fallback:
            return ParseResult(
                text=text,
                intent=FALLBACK_INTENT,
                confidence=thresholds.fallback,
                bot=None,
                language=language,
                ranking=ranking,
                entities=entities,
                ambiguous=ambiguous,
                fallback_reason=FallbackReason.LOW_CONFIDENCE,
            )
        return ParseResult(
            text=text,
            intent=best.name,
            confidence=best.confidence,
            bot=best.bot,
            language=language,
            ranking=ranking,
            entities=entities,
            ambiguous=ambiguous,
        )

    def _ranking(self, text: str, scoped: np.ndarray, oos_index: int | None) -> tuple[RankedIntent, ...]:
        """The best intents, highest confidence first; a bot's FAQ label is expanded into its entries."""
        ranking: list[RankedIntent] = []
        for index in np.argsort(-scoped, kind="stable"):
            if len(ranking) >= RANKING_SIZE or scoped[index] <= 0:
                break
            if index == oos_index:
                continue
            label_bot, intent = split_label(self.classifier.labels[index])
            if intent == FAQ_LABEL:
                ranking.extend(self._faq_ranking(label_bot, text, float(scoped[index])))
            else:
                ranking.append(RankedIntent(intent, label_bot, float(scoped[index])))
        return tuple(sorted(ranking, key=lambda r: -r.confidence)[:RANKING_SIZE])

    def _faq_ranking(self, bot: str, text: str, probability: float) -> list[RankedIntent]:
        """Share ``probability`` (that the message is one of ``bot``'s FAQ entries) among the
        entries retrieval finds, by a softmax over their fused BM25 scores."""
        index, names = self._faq_index(bot)
        hits = index.search(text, k=RANKING_SIZE)
        if not hits:
            return []
        scores = np.array([score for _, score in hits]) / FAQ_SOFTMAX_TEMPERATURE
        weights = np.exp(scores - scores.max())
        weights /= weights.sum()
        return [
            RankedIntent(names[i], bot, probability * float(w))
            for (i, _), w in zip(hits, weights, strict=True)
        ]

    def _faq_index(self, bot: str) -> tuple[FaqIndex, list[str]]:
        """Built on first use (indexing takes a few seconds for a thousand entries), then kept."""
        with self._faq_lock:
            cached = self._faq.get(bot)
            if cached is None:
                pack = self.packs.packs[bot]
                names = sorted(pack.faq_intents)
                answers = [
                    pack.responses[answer_response(n)].variants["ja"][0].text
                    if answer_response(n) in pack.responses
                    else ""
                    for n in names
                ]
                cached = (FaqIndex([pack.intents[n].examples[0].text for n in names], answers), names)
                self._faq[bot] = cached
            return cached

    def _allowed_mask(self, allowed: set[str] | None, bot: str | None) -> np.ndarray:
        """Which labels ``bot`` may answer with (cached). A form answer such as 「訪問販売です」
        (intent ``inform``) means something only inside its own bot's form, so other bots and the
        routed parse never answer with it."""
        key = (frozenset(allowed) if allowed is not None else None, bot)
        cached = self._masks.get(key)
        if cached is None:
            cached = np.array(
                [
                    (allowed is None or label_bot in allowed)
                    and (intent != INFORM_INTENT or label_bot == bot)
                    for label_bot, intent in map(split_label, self.classifier.labels)
                ],
                dtype=bool,
            )
            self._masks[key] = cached
        return cached

    def extract_entities(self, text: str, today: date) -> tuple[EntityMatch, ...]:
        """Pack entities first; a built-in entity is kept where it overlaps none of them."""
        pack_found = self.entities.extract(text)
        builtin = [
            e for e in extract_builtin_entities(text, today) if not any(e.overlaps(p) for p in pack_found)
        ]
        return tuple(sorted([*pack_found, *builtin], key=lambda e: (e.start, -e.end)))
