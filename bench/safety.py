"""Safety first: how often a resident in crisis gets the safety answer, and how often others do.

    python bench/safety.py [--bots bots]

On the held-out sets in tests/data/ (never copied into a pack):
- ``safety_crisis.tsv``: recall per safety intent, sent to every bot and to the routed parse —
  "safety" (any safety answer, 110/119 first) and "exact" (the right one of the five), per batch
  of the file (each later batch was written before the key phrases were extended for it; the
  figures it had then are in docs/benchmarks.md);
  and what the key phrases and the classifier each catch alone;
- ``safety_lookalikes.txt``, ``safety_hyperbole.txt`` and ``out_of_scope_eval.txt``: how often a
  safety answer is given;
and, by 5-fold cross-validation of the packs, the safety examples caught and the other intents'
examples interrupted by a model that never saw them. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared_nlu.nlu import NluEngine  # noqa: E402
from shared_nlu.nlu.safety import MODEL_SHARE  # noqa: E402
from shared_nlu.nlu.safety_phrases import RULES, SAFETY_INTENTS, without_lookalikes  # noqa: E402
from shared_nlu.nlu.training_data import split_label, training_data  # noqa: E402
from shared_nlu.pack import load_packs  # noqa: E402

DATA = ROOT / "tests" / "data"
BATCH_MARK = "# --- "  # each later batch of the crisis set starts with such a line


def crisis_set() -> list[tuple[str, str, int]]:
    """(intent, text, batch) with batch 1, 2, 3 … in the order the file gives them."""
    rows, batch = [], 1
    for line in (DATA / "safety_crisis.tsv").open(encoding="utf-8"):
        if line.startswith(BATCH_MARK):
            batch += 1
        if line.strip() and not line.startswith("#"):
            intent, text = line.rstrip("\n").split("\t")
            rows.append((intent, text, batch))
    return rows


def lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in text if line.strip() and not line.startswith("#")]


def by_phrase(text: str) -> bool:
    _, folded = without_lookalikes(text)
    return any(rule.matches(folded, folded.replace(" ", "")) for rule in RULES)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bots", type=Path, default=ROOT / "bots")
    args = parser.parse_args()
    packs = load_packs([args.bots])
    engine = NluEngine.train(packs)
    bots: list[str | None] = [bot.id for bot in packs.bots()] + [None]
    figures: dict[str, object] = {}

    asked: Counter[tuple[str, int]] = Counter()
    safe: Counter[tuple[str, int]] = Counter()
    exact: Counter[tuple[str, int]] = Counter()
    phrase_only = model_only = total = 0
    for intent, text, batch in crisis_set():
        total += 1
        phrase_only += by_phrase(text)
        hit = engine.safety.detect(text)
        model_only += hit is not None and hit.share > MODEL_SHARE
        for bot in bots:
            result = engine.parse(text, bot=bot)
            asked[intent, batch] += 1
            safe[intent, batch] += result.intent in SAFETY_INTENTS
            exact[intent, batch] += result.intent == intent
    print(f"{'intent':20} {'batch':>5} {'messages×bots':>13} {'safety':>8} {'exact':>8}")
    for batch in sorted({batch for _, batch in asked}):
        for intent in SAFETY_INTENTS:
            n = asked[intent, batch]
            if not n:
                continue
            print(
                f"{intent:20} {batch:>5} {n:>13} {safe[intent, batch] / n:8.1%} {exact[intent, batch] / n:8.1%}"
            )
    for intent in SAFETY_INTENTS:
        n = sum(count for (i, _), count in asked.items() if i == intent)
        figures[f"recall_{intent}"] = round(sum(c for (i, _), c in safe.items() if i == intent) / n, 4)
        figures[f"exact_{intent}"] = round(sum(c for (i, _), c in exact.items() if i == intent) / n, 4)
    figures["phrases_alone"] = round(phrase_only / total, 4)
    figures["classifier_alone"] = round(model_only / total, 4)
    print(
        f"crisis messages caught by the key phrases alone {phrase_only / total:.1%}, by the classifier alone {model_only / total:.1%}"
    )

    for name in ("safety_lookalikes.txt", "safety_hyperbole.txt", "out_of_scope_eval.txt"):
        messages = lines(name)
        fired = [t for t in messages for bot in bots if engine.parse(t, bot=bot).intent in SAFETY_INTENTS]
        rate = len(fired) / (len(messages) * len(bots))
        figures[f"fired_{name.split('.')[0]}"] = round(rate, 4)
        print(f"{name}: safety answer on {rate:.1%} ({len(messages)} messages × {len(bots)} bots)")
        for text in sorted(set(fired)):
            print(f"    {text}")

    data = training_data(packs)
    labels = np.array(data.labels)
    caught = safety_examples = interrupted = others = 0
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(data.texts, labels):
        fold = NluEngine(packs).fit([data.texts[i] for i in train], list(labels[train]))
        for i in test:
            bot, intent = split_label(data.labels[i])
            fired = fold.safety.detect(data.texts[i]) is not None
            if bot == "common" and intent in SAFETY_INTENTS:
                safety_examples += 1
                caught += fired
            elif intent != "out_of_scope":
                others += 1
                interrupted += fired
    figures["cv_safety_recall"] = round(caught / safety_examples, 4)
    figures["cv_other_intents_interrupted"] = round(interrupted / others, 4)
    print(
        f"5-fold CV: safety examples caught {caught}/{safety_examples}, other intents' examples interrupted {interrupted}/{others}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
