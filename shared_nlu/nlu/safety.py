"""Safety first: a message from a resident who may be in danger is answered with the national
numbers before any domain answer, in every bot.

A resident in crisis may type into any widget, in any words, often inside a story about
something else (「税金払えなくてもう死にたい」). Showing them a tax answer is the worst outcome
this product can have, so the check is built for recall, and either of two independent signals
is enough:

1. key phrases (``safety_phrases.RULES``): the indirect ways people say these things;
2. a classifier of its own (features and a linear SVM like the domain model's) that tells the
   five safety intents from everything else in every pack, read with a recall-biased
   question: not "is a safety intent the best label?" but "how much of the probability lies on
   the safety intents together?" (``MODEL_SHARE``, chosen on cross-validated pack examples).

The domain model is trained without the safety examples (its features too: emergency words such as
熱・救急車 would otherwise lose weight in the COVID bot), so the safety intents never take answers
from a domain intent there, and the domain answer a crisis message would have had stays known.

When both find something, the phrases decide *that* it is a crisis and the classifier decides
which one (the most probable among the intents the phrases found). The check runs on the message
with the look-alike spans removed (「110番の日」「救急車の有料化」「死ぬほど忙しい」).

The domain answer the message would otherwise have had is kept in ``extra["domain"]`` so the
dialogue can offer it after the safety answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..constants import COMMON_BOT
from ..text import default_tokenizer
from .classifier import IntentClassifier
from .features import Featurizer
from .result import ParseResult, RankedIntent
from .safety_phrases import RULES, SAFETY_INTENTS, without_lookalikes
from .training_data import TrainingData, label_of

if TYPE_CHECKING:
    from .engine import NluEngine

# Share of the safety classifier's probability on the safety intents together (the rest is on
# "everything else") above which the classifier alone raises a safety intent. Low on purpose:
# "everything else" has ten times more examples, and a missed crisis costs far more than a
# false alarm. Chosen on 5-fold cross-validation of the packs: with the key phrases every safety
# example fires, and 0.6 % of the other intents' examples do (docs/benchmarks.md, "Safety first").
MODEL_SHARE = 0.03
# The classifier alone below this share yields to a domain answer at least SURE_DOMAIN confident
# and covered (see SafetyCheck._outweighed); above it, or with a key phrase, safety comes first.
FAINT_SHARE = 0.10
SURE_DOMAIN = 0.8
PHRASE_CONFIDENCE = 1.0  # a key phrase is a rule, like a button: it is certain that it matched
# Each safety example counts this many times when the safety classifier is fitted: "everything
# else" has ten times more examples than the five intents together, and an unweighted SVM leans
# towards it. On cross-validation, 4 (with MODEL_SHARE) catches 3 points more safety examples by
# the classifier alone for 0.14 points more false alarms on other intents' examples.
SAFETY_WEIGHT = 4
OTHER_LABEL = "__other__"  # the safety classifier's label for every example of every other intent


@dataclass(frozen=True)
class SafetyHit:
    """``source`` is ``phrase`` or ``model``; ``share`` is the classifier's probability that the
    message is one of the safety intents (summed over them)."""

    intent: str
    source: str
    share: float


class SafetyCheck:
    """The check one engine runs before its domain answer (``NluEngine.parse``)."""

    def __init__(self, engine: NluEngine) -> None:
        self._engine = engine
        self.featurizer = Featurizer(engine.config.features, default_tokenizer().words)
        self.classifier = IntentClassifier(engine.config.classifier)
        self._columns: tuple[list[str], list[int], list[str]] | None = None

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> list[int]:
        """Fit the safety classifier on every example (``bot/intent`` labels); return the rows of
        the examples that are not safety intents, which the domain model learns from."""
        intents = {label_of(COMMON_BOT, i): i for i in SAFETY_INTENTS if self._defined(i)}
        safety_labels = [intents.get(label, OTHER_LABEL) for label in labels]
        self._columns = None
        if len(set(safety_labels)) > 1:
            features = self.featurizer.fit_transform([self._engine.prepare(t) for t in texts])
            weights = [1 if label == OTHER_LABEL else SAFETY_WEIGHT for label in safety_labels]
            rows = [row for row, weight in enumerate(weights) for _ in range(weight)]
            self.classifier.fit(features[rows], [safety_labels[row] for row in rows])
        else:  # no safety intents in these packs (or nothing else): nothing to tell apart
            self.classifier = IntentClassifier(self._engine.config.classifier)
        return [row for row, label in enumerate(labels) if label not in intents]

    def _defined(self, intent: str) -> bool:
        common = self._engine.packs.packs.get(COMMON_BOT)
        return common is not None and intent in common.intents

    def first(self, result: ParseResult) -> ParseResult:
        """``result`` as it is, or the safety intent that must be answered instead of it."""
        hit = self.detect(result.text)
        if hit is None or self._outweighed(hit, result):
            return result
        confidence = PHRASE_CONFIDENCE if hit.source == "phrase" else hit.share
        ranking = (
            RankedIntent(hit.intent, COMMON_BOT, confidence),
            *(r for r in result.ranking if r.name != hit.intent),
        )[: max(len(result.ranking), 1)]  # as long as the ranking it replaces
        extra: dict[str, object] = {"safety": hit.source}  # a fallback's own notes no longer apply
        if not result.is_fallback and result.bot not in (None, COMMON_BOT):
            extra["domain"] = {"bot": result.bot, "intent": result.intent}
        return ParseResult(
            text=result.text,
            intent=hit.intent,
            confidence=confidence,
            bot=COMMON_BOT,
            language=result.language,
            ranking=ranking,
            entities=result.entities,
            extra=extra,
        )

    @staticmethod
    def _outweighed(hit: SafetyHit, result: ParseResult) -> bool:
        """Faint evidence of the classifier alone (no key phrase) does not override a domain
        answer that is itself sure and covered: "Someone invited me to a pyramid scheme" is the
        consumer bot's question at 0.91 with 4.5 % on crime_danger. Any key phrase, or more than
        :data:`FAINT_SHARE` on the safety intents, still comes first."""
        return (
            hit.source == "model"
            and hit.share < FAINT_SHARE
            and not result.is_fallback
            and result.bot not in (None, COMMON_BOT)
            and result.confidence >= SURE_DOMAIN
        )

    def detect(self, text: str) -> SafetyHit | None:
        """The safety intent ``text`` needs answered first, or None. Only intents the common pack
        defines are returned (a pack set without them has no safety answers to give)."""
        _, columns, intents = self._safety_columns()
        if not intents:
            return None
        plain, spaced = without_lookalikes(text)
        joined = spaced.replace(" ", "")
        probabilities = self._probabilities(plain, columns)
        share = float(probabilities.sum())
        by_phrase = {rule.intent for rule in RULES if rule.intent in intents and rule.matches(spaced, joined)}
        if by_phrase:
            best = max(by_phrase, key=lambda intent: probabilities[intents.index(intent)])
            return SafetyHit(best, "phrase", share)
        if share > MODEL_SHARE and plain.strip():  # nothing left after the look-alikes: nothing to read
            return SafetyHit(intents[int(np.argmax(probabilities))], "model", share)
        return None

    def _probabilities(self, text: str, columns: list[int]) -> np.ndarray:
        """The safety classifier's probability of each safety intent (the rest is "other")."""
        index, value = self.featurizer.sparse_row(self._engine.prepare(text))
        return self.classifier.row_probabilities(index, value)[columns]

    def _safety_columns(self) -> tuple[list[str], list[int], list[str]]:
        """(labels, their columns, intent names) of the safety intents the fitted classifier
        knows; recomputed when it is refitted or loaded (a new label list)."""
        labels = self.classifier.labels
        if self._columns is None or self._columns[0] is not labels:
            present = [i for i in SAFETY_INTENTS if i in labels and self._defined(i)]
            self._columns = (labels, [labels.index(i) for i in present], present)
        return self._columns


def domain_examples(data: TrainingData) -> TrainingData:
    """``data`` without the safety intents' examples: what the domain model is trained and
    cross-validated on (the safety check is measured on its own, ``tests/test_safety.py``)."""
    safety = {label_of(COMMON_BOT, intent) for intent in SAFETY_INTENTS}
    keep = [i for i, label in enumerate(data.labels) if label not in safety]
    return TrainingData([data.texts[i] for i in keep], [data.labels[i] for i in keep])


def is_safety(result: ParseResult) -> bool:
    """True when ``result`` is one of the safety intents, which every bot answers first."""
    return result.bot == COMMON_BOT and result.intent in SAFETY_INTENTS
