"""How long the lane check adds to a pack upload, per shipped bot.

    python bench/lane_check.py [--repeat 3]

For each bot: the shipped packs serve; the bot uploads its pack with one more intent (four
examples of a new topic). Times, best of ``--repeat``: validating every pack, training the
candidate model (the upload's one extra cost: the reload that follows reuses the model from the
cache), and scoring (claims + displaced). Then the worst case for scoring: the largest pack
arriving as a new bot, every example of it new. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared_nlu.nlu.engine import NluEngine  # noqa: E402
from shared_nlu.nlu.lanes import lane_collisions  # noqa: E402
from shared_nlu.pack import PackSet, read_pack_folder, validate_packs  # noqa: E402

NEW_TOPIC = [
    "府庁の見学ツアーはありますか",
    "府庁舎の見学を申し込みたい",
    "大阪府庁の本館を見学できる？",
    "府庁ツアーの予約方法",
]


def with_intent(files: dict[str, bytes]) -> dict[str, bytes]:
    nlu = files["nlu.yml"].decode().rstrip("\n") + "\n\n- intent: bench_new_topic\n  examples: |\n"
    nlu += "".join(f"    - {text}\n" for text in NEW_TOPIC)
    responses = files["responses.yml"].decode().rstrip("\n")
    responses += "\n\n  utter_bench_new_topic:\n    checked_on: 2026-11-28\n    ja:\n      - text: 見学は受付でご案内します。\n"
    return {**files, "nlu.yml": nlu.encode(), "responses.yml": responses.encode()}


def best(repeat: int, work):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sources = {folder.name: read_pack_folder(folder) for folder in sorted((ROOT / "bots").iterdir())}
    packs, _ = validate_packs(sources)
    served = NluEngine.train(PackSet(packs))
    rows = []
    for bot in sorted(b for b in packs if b != "common"):
        changed = {**sources, bot: with_intent(sources[bot])}
        validate_s, (candidate_packs, _) = best(args.repeat, lambda: validate_packs(changed))  # noqa: B023
        train_s, candidate = best(args.repeat, lambda: NluEngine.train(PackSet(candidate_packs)))  # noqa: B023
        score_s, collisions = best(args.repeat, lambda: lane_collisions([bot], served, candidate))  # noqa: B023
        examples = sum(len(i.examples) for i in packs[bot].intents.values())
        rows.append(
            {
                "bot": bot,
                "examples": examples,
                "validate_s": validate_s,
                "train_s": train_s,
                "score_s": score_s,
                "collisions": len(collisions),
            }
        )
    largest = max(rows, key=lambda r: r["examples"])["bot"]
    without = NluEngine.train(PackSet({b: p for b, p in packs.items() if b != largest}))
    new_bot_s, collisions = best(args.repeat, lambda: lane_collisions([largest], without, served))
    print(f"{'bot':<15}{'examples':>9}{'validate':>10}{'train':>8}{'score':>8}{'total':>8}")
    for r in rows:
        total = r["validate_s"] + r["train_s"] + r["score_s"]
        print(
            f"{r['bot']:<15}{r['examples']:>9}{r['validate_s']:>9.2f}s{r['train_s']:>7.2f}s{r['score_s']:>7.2f}s{total:>7.2f}s"
        )
    print(
        f"scoring {largest} as a new bot (every example new): {new_bot_s:.2f}s, {len(collisions)} collisions"
    )
    print(json.dumps({"bots": rows, "largest": largest, "new_bot_score_s": new_bot_s}))


if __name__ == "__main__":
    main()
