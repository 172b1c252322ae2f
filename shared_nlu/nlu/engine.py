"""The NLU engine: one model over every pack, so a message can be routed to the right bot.

``NluEngine.train(packs)`` fits it; ``parse(text, bot=…)`` answers as one bot (its own intents,
``common``, and the bots it routes to), ``parse(text)`` answers across all bots.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..entities.builtin import extract_builtin_entities
from ..entities.model import EntityMatch
from ..entities.pack_entities import PackEntityExtractor
from ..pack.loader import PackSet
from ..pack.model import COMMON_BOT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT
from ..text import SynonymMap, default_tokenizer, detect_language, normalize
from ..text.dialect import standardize_kansai
from .classifier import ClassifierConfig, IntentClassifier
from .features import FeatureConfig, Featurizer
from .result import ParseResult, RankedIntent
from .training_data import allowed_bots, label_of, split_label, training_data

RANKING_SIZE = 10
OUT_OF_SCOPE_LABEL = label_of(COMMON_BOT, OUT_OF_SCOPE_INTENT)
FORM_ANSWER_INTENT = "inform"  # Rasa's conventional name for "here is the value you asked for"


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
        self.entities = PackEntityExtractor(packs.packs.values())
        self.train_seconds = 0.0
        self._label_bots: np.ndarray = np.array([], dtype=object)
        self._masks: dict[tuple[frozenset[str] | None, str | None], np.ndarray] = {}

    @classmethod
    def train(cls, packs: PackSet, config: EngineConfig | None = None) -> NluEngine:
        data = training_data(packs)
        return cls(packs, config).fit(data.texts, data.labels)

    def fit(self, texts: list[str], labels: list[str]) -> NluEngine:
        """Fit on these examples (all of the packs' examples, or a cross-validation fold)."""
        started = time.perf_counter()
        features = self.featurizer.fit_transform([self.prepare(t) for t in texts])
        self.classifier.fit(features, labels)
        self._index_labels()
        self.train_seconds = time.perf_counter() - started
        return self

    def _index_labels(self) -> None:
        self._label_bots = np.array([split_label(label)[0] for label in self.classifier.labels], dtype=object)
        self._masks = {}

    def prepare(self, text: str) -> str:
        """The text the model sees: normalised, Kansai endings standardised, pack synonyms applied."""
        return self.synonyms.apply(standardize_kansai(normalize(text)))

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return self.classifier.probabilities(self.featurizer.transform([self.prepare(t) for t in texts]))

    def parse(self, text: str, bot: str | None = None, today: date | None = None) -> ParseResult:
        """Classify one message. ``bot`` restricts answers to what that bot may say.

        Raises ``KeyError`` for an unknown bot id.
        """
        if bot is not None and bot not in self.packs.packs:
            raise KeyError(f"unknown bot {bot!r}; known bots: {', '.join(sorted(self.packs.packs))}")
        language = detect_language(text)
        entities = self.extract_entities(text, today or date.today())
        if not normalize(text):
            return ParseResult(
                text, FALLBACK_INTENT, 1.0, None, language, (), entities, fallback_reason="out_of_scope"
            )
        index, value = self.featurizer.sparse_row(self.prepare(text))
        probabilities = self.classifier.row_probabilities(index, value)
        return self.decide(text, probabilities, bot, language, entities)

    def decide(
        self,
        text: str,
        probabilities: np.ndarray,
        bot: str | None,
        language: str = "ja",
        entities: tuple[EntityMatch, ...] = (),
    ) -> ParseResult:
        """Turn one row of label probabilities into a result as ``bot`` would answer.

        Answering as one bot, confidences are renormalised over what that bot may say (and out of
        scope), so an intent is not made to look unsure by a look-alike in an unrelated bot. When
        the best label of all belongs to a bot this one cannot answer for, the result is a
        fallback with reason ``other_bot`` and ``extra["other_bot"]`` naming that bot.
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
            scoped = scoped / total
        oos_confidence = float(scoped[oos_index]) if oos_index is not None else 0.0
        ranking = tuple(
            RankedIntent(split_label(labels[i])[1], split_label(labels[i])[0], float(scoped[i]))
            for i in np.argsort(-scoped, kind="stable")[: RANKING_SIZE + 1]
            if i != oos_index and scoped[i] > 0
        )[:RANKING_SIZE]
        if not ranking:
            return ParseResult(
                text, FALLBACK_INTENT, 1.0, None, language, (), entities, fallback_reason="out_of_scope"
            )
        best = ranking[0]
        if allowed is not None:
            outside = int(np.argmax(np.where(mask, -1.0, probabilities)))
            if (
                not mask[outside]
                and outside != oos_index
                and probabilities[outside] > probabilities[labels.index(label_of(best.bot, best.name))]
                and (oos_index is None or probabilities[outside] > probabilities[oos_index])
            ):
                other = split_label(labels[outside])[0]
                return ParseResult(text, FALLBACK_INTENT, float(probabilities[outside]), None, language, ranking, entities,
                                   fallback_reason="other_bot", extra={"other_bot": other})  # fmt: skip
        thresholds = self.packs.packs[bot or best.bot].bot.thresholds
        ambiguous = len(ranking) > 1 and best.confidence - ranking[1].confidence < thresholds.ambiguity
        if oos_confidence > best.confidence:
            return ParseResult(
                text,
                FALLBACK_INTENT,
                oos_confidence,
                None,
                language,
                ranking,
                entities,
                fallback_reason="out_of_scope",
            )
        if best.confidence < thresholds.fallback:
            return ParseResult(
                text,
                FALLBACK_INTENT,
                thresholds.fallback,
                None,
                language,
                ranking,
                entities,
                ambiguous,
                "low_confidence",
            )
        return ParseResult(text, best.name, best.confidence, best.bot, language, ranking, entities, ambiguous)

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
                    and (intent != FORM_ANSWER_INTENT or label_bot == bot)
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
