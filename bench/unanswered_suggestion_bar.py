"""Where to put the unanswered report's suggestion bar (admin/reports/suggestion.py), from data.

    python bench/unanswered_suggestion_bar.py [--bots bots] [--folds 5]

An unanswered report holds messages that fell back (and answers rated unhelpful). Two populations
of fallbacks are built from what the project has:

* out of scope: every line of tests/data/out_of_scope_eval.txt asked in every bot (no intent fits:
  any suggestion is wrong);
* in scope: the packs' own examples that fall back under k-fold cross-validation (the right intent
  is known: a suggestion is right or wrong).

For each bar, with and without the rule "no suggestion when the engine judged the message out of
scope", it prints how many of each get a suggestion, and a gain that weighs both populations
equally: right in-scope suggestions minus wrong ones of both, each as a rate of its population.
The last line is JSON: {"bars": [...], "best_bar": …} for the rule as shipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from admin.reports.suggestion import SUGGESTIBLE_REASONS  # noqa: E402
from shared_nlu.constants import OUT_OF_SCOPE_INTENT  # noqa: E402
from shared_nlu.nlu import NluEngine  # noqa: E402
from shared_nlu.nlu.evaluation import read_out_of_scope  # noqa: E402
from shared_nlu.nlu.training_data import split_label, training_data  # noqa: E402
from shared_nlu.pack import COMMON_BOT, load_packs  # noqa: E402

BARS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
PLATEAU = 0.005  # gains closer than this are the same, given a few hundred fallbacks
Fallback = tuple[float, bool, str | None]  # top confidence, top is the right intent, fallback reason


def in_scope_fallbacks(packs, folds: int, seed: int) -> list[Fallback]:
    data = training_data(packs)
    labels = np.array(data.labels)
    oof: np.ndarray | None = None
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(data.texts, labels):
        engine = NluEngine(packs).fit([data.texts[i] for i in train], list(labels[train]))
        rows = engine.probabilities([data.texts[i] for i in test])
        oof = np.zeros((len(data), rows.shape[1])) if oof is None else oof
        oof[test] = rows
    assert oof is not None
    full = NluEngine.train(packs)
    found = []
    for text, label, row in zip(data.texts, data.labels, oof, strict=True):
        bot, intent = split_label(label)
        if bot == COMMON_BOT or intent == OUT_OF_SCOPE_INTENT:
            continue
        result = full.decide(text, row, bot)
        if result.is_fallback and result.ranking:
            top = result.ranking[0]
            found.append((top.confidence, (top.bot, top.name) == (bot, intent), result.fallback_reason))
    return found


def out_of_scope_fallbacks(packs, texts: list[str]) -> list[Fallback]:
    engine = NluEngine.train(packs)
    found = []
    for bot in sorted(b for b in packs.packs if b != COMMON_BOT):
        for text in texts:
            result = engine.parse(text, bot=bot)
            if result.is_fallback:
                top = result.ranking[0].confidence if result.ranking else 0.0
                found.append((top, False, result.fallback_reason))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bots", type=Path, default=ROOT / "bots")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3, help="cross-validation repeats (other shuffles)")
    args = parser.parse_args()
    packs = load_packs([args.bots])
    inside = [item for seed in range(args.seeds) for item in in_scope_fallbacks(packs, args.folds, seed)]
    outside = out_of_scope_fallbacks(packs, read_out_of_scope(str(ROOT / "tests/data/out_of_scope_eval.txt")))
    print(f"fallbacks: {len(outside)} out of scope, {len(inside)} in scope (cross-validated)")
    print(
        f"{'rule':<14}{'bar':>6}{'oos suggested':>16}{'in: right':>11}{'in: wrong':>11}{'precision':>11}{'gain':>8}"
    )
    results = []
    for rule in ("bar only", "bar + reason"):
        for bar in BARS:

            def suggested(item: Fallback, rule: str = rule, bar: float = bar) -> bool:
                return item[0] >= bar and (rule == "bar only" or item[2] in SUGGESTIBLE_REASONS)

            wrong_outside = sum(suggested(i) for i in outside)
            right = sum(suggested(i) and i[1] for i in inside)
            wrong_inside = sum(suggested(i) and not i[1] for i in inside)
            # each population weighs the same, whatever its size: per population, as rates
            right_rate, wrong_rate = (
                right / len(inside),
                wrong_inside / len(inside) + wrong_outside / len(outside),
            )
            precision = right_rate / (right_rate + wrong_rate) if right_rate + wrong_rate else 0.0
            gain = right_rate - wrong_rate  # right suggestions minus wrong ones
            print(
                f"{rule:<14}{bar:>6.2f}{wrong_outside:>10} / {len(outside):<4}{right:>6} / {len(inside):<4}"
                f"{wrong_inside:>6}{precision:>11.3f}{gain:>8.3f}"
            )
            if rule == "bar + reason":
                results.append(
                    {
                        "bar": bar,
                        "oos_suggested": wrong_outside,
                        "right": right,
                        "wrong": wrong_inside,
                        "precision": round(precision, 4),
                        "gain": round(gain, 4),
                    }
                )
    # the gain is flat near its best: of the bars within PLATEAU of it, the lowest keeps most right ones
    best = max(r["gain"] for r in results)
    chosen = min(r["bar"] for r in results if r["gain"] >= best - PLATEAU)
    print(
        json.dumps(
            {"out_of_scope": len(outside), "in_scope": len(inside), "bars": results, "chosen_bar": chosen},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
