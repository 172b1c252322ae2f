"""Cross-validated quality of the packs: what ``madoguchi train`` and ``madoguchi eval`` report.

Every figure comes from k-fold cross-validation over the packs' own examples (each example is
classified by a model that never saw it), so it estimates how residents' new phrasings will fare.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import StratifiedKFold

from ..constants import COMMON_BOT, FALLBACK_INTENT, INFORM_INTENT, OUT_OF_SCOPE_INTENT
from ..pack.loader import PackSet
from .engine import EngineConfig, NluEngine
from .heldout import HeldOutReport, HeldOutSets, evaluate_held_out
from .safety import domain_examples
from .training_data import NOT_COVERED_LABEL, label_of, split_label, training_data


@dataclass
class BotQuality:
    """``accuracy``: share of this bot's examples whose best intent (among what the bot may
    answer) is right. ``answered``: share answered with the right intent after thresholds, i.e.
    not sent to fallback or to a wrong intent."""

    bot: str
    examples: int
    accuracy: float
    answered: float
    train_seconds: float = 0.0
    # intent → [examples, answered right]: where a pack is weak, for the activation quality gate
    intents: dict[str, list[int]] = field(default_factory=dict)
    near_misses: int = 0  # the pack's near misses (each classified by a model that never saw it) …
    near_misses_abstained: int = 0  # … of which the bot's own widget answered with its fallback
    # the common pack's out-of-scope examples asked in this bot's widget (cross-validated): the
    # share answered with the fallback
    out_of_scope_abstention: float | None = None


@dataclass
class QualityReport:
    folds: int
    bots: list[BotQuality]
    routing_accuracy: float  # pooled examples of every bot, routed across all bots: right bot and intent
    routing_bot_accuracy: float  # … right bot only
    out_of_scope_recall: float | None  # share of held-out out-of-scope messages sent to nlu_fallback
    out_of_scope_count: int
    in_scope_fallback_rate: float  # share of in-scope examples wrongly sent to nlu_fallback
    calibration_error: float  # expected calibration error of the top confidence (0 = perfect)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)  # (true, predicted, count)
    train_seconds: float = 0.0
    held_out: HeldOutReport | None = None  # the resident sets in tests/data/coverage, if given

    def to_dict(self) -> dict[str, object]:
        return {
            "folds": self.folds,
            "bots": [vars(b) for b in self.bots],
            "routing_accuracy": self.routing_accuracy,
            "routing_bot_accuracy": self.routing_bot_accuracy,
            "out_of_scope_recall": self.out_of_scope_recall,
            "out_of_scope_count": self.out_of_scope_count,
            "in_scope_fallback_rate": self.in_scope_fallback_rate,
            "calibration_error": self.calibration_error,
            "confusions": [{"expected": a, "predicted": b, "count": n} for a, b, n in self.confusions],
            "train_seconds": self.train_seconds,
            "held_out": self.held_out.to_dict() if self.held_out is not None else None,
        }


def cross_validate(
    packs: PackSet,
    out_of_scope: list[str] | None = None,
    folds: int = 5,
    config: EngineConfig | None = None,
    held_out: HeldOutSets | None = None,
) -> QualityReport:
    """Cross-validated quality of ``packs``; with ``held_out``, also how the model trained on
    every example fares on those resident sets (see ``heldout``)."""
    data = domain_examples(training_data(packs))  # the safety intents have a model of their own
    labels = np.array(data.labels)
    counts = Counter(data.labels)
    folds = max(2, min(folds, min(counts.values())))
    oof = np.zeros((len(data), 0))
    label_order: list[str] = []
    deciders: list[NluEngine] = [NluEngine(packs, config)] * len(data)  # each example's fold model
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_index, test_index in splitter.split(data.texts, labels):
        engine = NluEngine(packs, config).fit([data.texts[i] for i in train_index], list(labels[train_index]))
        probabilities = engine.probabilities([data.texts[i] for i in test_index])
        for i in test_index:
            deciders[i] = engine  # its coverage never saw the example either
        if not label_order:
            label_order = engine.classifier.labels
            oof = np.zeros((len(data), len(label_order)))
        oof[test_index] = probabilities
    full = NluEngine.train(packs, config)
    assert full.classifier.labels == label_order, "every fold must see every label"
    report = _report(packs, full, data.texts, data.labels, oof, out_of_scope or [], folds, deciders)
    if held_out is not None:
        bots = [bot for bot in sorted(packs.packs) if bot != COMMON_BOT]
        report.held_out = evaluate_held_out(lambda text, bot: full.parse(text, bot=bot), held_out, bots)
    return report


def _report(
    packs: PackSet,
    engine: NluEngine,
    texts: list[str],
    labels: list[str],
    oof: np.ndarray,
    oos: list[str],
    folds: int,
    deciders: list[NluEngine] | None = None,
) -> QualityReport:
    per_bot: dict[str, list[tuple[bool, bool]]] = {}
    per_intent: dict[tuple[str, str], list[int]] = {}
    near_misses: Counter[tuple[str, bool]] = Counter()  # (bot, abstained)
    oos_rows: list[tuple[int, str, np.ndarray]] = []
    routed_right = routed_bot_right = fell_back = in_scope = 0
    confusions: Counter[tuple[str, str]] = Counter()
    confidences, correct = [], []
    for number, (text, label, row) in enumerate(zip(texts, labels, oof, strict=True)):
        bot, intent = split_label(label)
        decider = deciders[number] if deciders is not None else engine
        if intent == NOT_COVERED_LABEL and bot != COMMON_BOT:
            near_misses[bot, decider.decide(text, row, bot).intent == FALLBACK_INTENT] += 1
        if intent == OUT_OF_SCOPE_INTENT:
            oos_rows.append((number, text, row))
        if intent in (OUT_OF_SCOPE_INTENT, NOT_COVERED_LABEL):
            continue
        own = decider.decide(text, row, bot if bot != COMMON_BOT else None)
        best = own.ranking[0] if own.ranking else None
        argmax_right = best is not None and (best.bot, best.name) == (bot, intent)
        per_bot.setdefault(bot, []).append((argmax_right, (own.bot, own.intent) == (bot, intent)))
        counts = per_intent.setdefault((bot, intent), [0, 0])
        counts[0] += 1
        counts[1] += (own.bot, own.intent) == (bot, intent)
        if intent == INFORM_INTENT:
            continue  # a form answer is never routed: it only means something inside its own form
        routed = decider.decide(text, row, None)
        in_scope += 1
        routed_right += (routed.bot, routed.intent) == (bot, intent)
        routed_bot_right += routed.bot == bot
        fell_back += routed.intent == FALLBACK_INTENT
        top = routed.ranking[0] if routed.ranking else None
        if top is not None:
            confidences.append(top.confidence)
            correct.append((top.bot, top.name) == (bot, intent))
            if (top.bot, top.name) != (bot, intent):
                confusions[(label, label_of(top.bot, top.name))] += 1
    oos_hits = 0
    if oos:
        for row, text in zip(engine.probabilities(oos), oos, strict=True):
            oos_hits += engine.decide(text, row, None).intent == FALLBACK_INTENT

    def abstention(bot: str) -> float | None:
        if bot == COMMON_BOT or not oos_rows:
            return None
        fell = sum(
            (deciders[n] if deciders is not None else engine).decide(t, r, bot).intent == FALLBACK_INTENT
            for n, t, r in oos_rows
        )
        return fell / len(oos_rows)

    bots = [
        BotQuality(
            bot,
            len(rows),
            sum(a for a, _ in rows) / len(rows),
            sum(b for _, b in rows) / len(rows),
            intents={
                intent: counts for (owner, intent), counts in sorted(per_intent.items()) if owner == bot
            },
            near_misses=near_misses[bot, True] + near_misses[bot, False],
            near_misses_abstained=near_misses[bot, True],
            out_of_scope_abstention=abstention(bot),
        )
        for bot, rows in sorted(per_bot.items())
    ]
    return QualityReport(
        folds=folds,
        bots=bots,
        routing_accuracy=routed_right / max(in_scope, 1),
        routing_bot_accuracy=routed_bot_right / max(in_scope, 1),
        out_of_scope_recall=oos_hits / len(oos) if oos else None,
        out_of_scope_count=len(oos),
        in_scope_fallback_rate=fell_back / max(in_scope, 1),
        calibration_error=expected_calibration_error(np.array(confidences), np.array(correct)),
        confusions=[(a, b, n) for (a, b), n in confusions.most_common(10)],
        train_seconds=engine.train_seconds,
    )


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Average gap between confidence and accuracy over equal-width confidence bins, weighted by
    how many predictions fall in each: 0.05 means "80 % confident" is right about 75–85 % of the time."""
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(error)


def read_out_of_scope(path: str) -> list[str]:
    """One message per line; blank lines and lines starting with # are skipped."""
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]
