"""The quality gate: a version's cross-validated quality next to the active version's.

A version that has never served residents (a draft) is measured before it is activated; when it
answers its own examples worse than the version live now, activation asks for confirmation. Each
figure is the bot's own examples classified by models that never saw them (3-fold here, to keep
an activation within seconds; ``madoguchi eval`` uses 5).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from core.pack_versions import Sources
from shared_nlu.nlu.evaluation import cross_validate
from shared_nlu.pack import PackSet, validate_packs

FOLDS = 3
WORSE_BY = 0.01  # one point of accuracy: less is the noise of re-drawing the folds after an edit
KEEP = 16

_lock = threading.Lock()
_reports: OrderedDict[str, dict[str, Any]] = OrderedDict()


def measure(sources: Sources, key: str, bot_id: str) -> dict[str, Any]:
    """``bot_id``'s figures with ``sources`` as the packs: examples, accuracy (best intent right),
    answered (right after the confidence thresholds, i.e. neither fallback nor a wrong answer), and
    the pairs of intents its examples are most confused with. Cached by ``key``."""
    with _lock:
        cached = _reports.get(key)
        if cached is not None:
            _reports.move_to_end(key)
            return cached
        packs, diags = validate_packs(sources)
        if not diags.ok or bot_id not in packs:
            report: dict[str, Any] = {"measured": False, "reason": "invalid"}
        else:
            try:
                result = cross_validate(PackSet(packs), folds=FOLDS)
            except (ValueError, AssertionError):
                # too few examples to cross-validate (e.g. a pack of imported FAQ entries only,
                # which are answered by retrieval and have one question each)
                report = {"measured": False, "reason": "too_few_examples"}
            else:
                report = _bot_report(result, bot_id)
        _reports[key] = report
        while len(_reports) > KEEP:
            _reports.popitem(last=False)
        return report


def _bot_report(result: Any, bot_id: str) -> dict[str, Any]:
    row = next((b for b in result.bots if b.bot == bot_id), None)
    if row is None:
        return {"measured": False, "reason": "too_few_examples"}
    prefix = f"{bot_id}/"
    confusions = [
        {"expected": a, "predicted": b, "count": n}
        for a, b, n in result.confusions
        if a.startswith(prefix) or b.startswith(prefix)
    ]
    weakest = sorted(
        (
            {"intent": intent, "examples": n, "answered": round(right / n, 4)}
            for intent, (n, right) in row.intents.items()
        ),
        key=lambda item: (item["answered"], item["intent"]),
    )
    return {
        "measured": True,
        "examples": row.examples,
        "accuracy": round(row.accuracy, 4),
        "answered": round(row.answered, 4),
        "confusions": confusions,
        "intents": weakest,  # every intent, the weakest first
        "near_misses": row.near_misses,
        "near_miss_abstention": round(row.near_misses_abstained / row.near_misses, 4)
        if row.near_misses
        else None,
        "out_of_scope_abstention": round(row.out_of_scope_abstention, 4)
        if row.out_of_scope_abstention is not None
        else None,
    }


def worse(draft: dict[str, Any], active: dict[str, Any] | None) -> list[str]:
    """Why ``draft`` is worse than ``active`` (Japanese, one line each); empty when it is not."""
    if not active or not active.get("measured") or not draft.get("measured"):
        return []
    reasons = []
    for key, label in (
        ("accuracy", "正答率"),
        ("answered", "正しく回答できる率"),
        ("near_miss_abstention", "対象外の例（near_misses）に答えない率"),
        ("out_of_scope_abstention", "対象外の質問に答えない率"),
    ):
        before, after = active.get(key), draft.get(key)
        if before is not None and after is not None and after < before - WORSE_BY:
            reasons.append(f"{label}が {before:.1%} から {after:.1%} に下がります。")
    return reasons
