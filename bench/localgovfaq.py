"""LocalGovFAQ benchmark (Japanese municipal FAQ retrieval) through the product's own path: the FAQ
list becomes a bot as a department's faq.yml import does, and each query is parsed by NluEngine.

    python bench/localgovfaq.py [--corpus FILE] [--queries FILE] [--qrels FILE]

Each FAQ entry's question is indexed with its answer as extra evidence. The metric is the one in
../shared/data/README.md: Hit@k over the queries that have at least one grade-2 (right answer) FAQ.
The last line printed is one JSON object with the figures, for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.packs_from_data import BENCH_BOT, faq_pack_set  # noqa: E402
from shared_nlu.nlu import NluEngine  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "localgovfaq"
KS = (1, 3, 10)
# Published Hit@1/3/10 on the same JSON data (see ../shared/data/README.md).
PUBLISHED = {
    "character TF-IDF": (23.9, 37.8, 57.6),
    "character BM25": (24.5, 37.1, 55.0),
    "multilingual-e5-small": (43.6, 61.3, 78.7),
}
TARGET_HIT1, TARGET_HIT10 = 50.0, 85.0


def split_entry(text: str) -> tuple[str, str]:
    """'Question: …\\nAnswer: …' → (question, answer); the answer may be missing."""
    question, _, answer = text.partition("\nAnswer:")
    return question.removeprefix("Question:").strip(), answer.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus.json")
    parser.add_argument("--queries", type=Path, default=DATA / "queries.dev.json")
    parser.add_argument("--qrels", type=Path, default=DATA / "qrels.dev.json")
    args = parser.parse_args(argv)

    corpus: dict[str, str] = json.loads(args.corpus.read_text(encoding="utf-8"))
    queries: dict[str, str] = json.loads(args.queries.read_text(encoding="utf-8"))
    qrels: dict[str, dict[str, int]] = json.loads(args.qrels.read_text(encoding="utf-8"))

    ids = list(corpus)
    entries = [(str(n), *split_entry(corpus[i])) for n, i in enumerate(ids)]
    started = time.perf_counter()
    engine = NluEngine.train(faq_pack_set(entries))
    engine.parse("index", bot=BENCH_BOT)  # builds the FAQ index, which is part of loading the bot
    index_seconds = time.perf_counter() - started
    position = {f"faq_{n}": i for n, i in enumerate(ids)}

    judged = [q for q in queries if any(grade == 2 for grade in qrels.get(q, {}).values())]
    if not judged:
        parser.error("no query has a grade-2 FAQ in the qrels")
    engine.parse(queries[judged[0]], bot=BENCH_BOT)  # warm-up, so the first timing is not an outlier
    hits = np.zeros(len(KS))
    latencies = []
    for qid in judged:
        started = time.perf_counter()
        ranked = engine.parse(queries[qid], bot=BENCH_BOT).ranking
        latencies.append(1000 * (time.perf_counter() - started))
        right = {doc for doc, grade in qrels[qid].items() if grade == 2}
        found = [position[r.name] for r in ranked]
        hits += [any(doc in right for doc in found[:k]) for k in KS]
    ours = [round(float(100 * h / len(judged)), 1) for h in hits]
    p50, p99 = (round(float(np.percentile(latencies, p)), 2) for p in (50, 99))

    print(f"LocalGovFAQ: {len(ids)} FAQ entries, {len(judged)} queries with a right answer")
    print(f"{'system':<28}{'Hit@1':>7}{'Hit@3':>7}{'Hit@10':>8}")
    for name, row in [*PUBLISHED.items(), ("Madoguchi (no neural network)", tuple(ours))]:
        print(f"{name:<28}{row[0]:>7.1f}{row[1]:>7.1f}{row[2]:>8.1f}")
    met = ours[0] >= TARGET_HIT1 and ours[2] >= TARGET_HIT10
    verdict = "target met" if met else "target not met"
    print(f"targets Hit@1 >= {TARGET_HIT1:.0f} and Hit@10 >= {TARGET_HIT10:.0f}: {verdict}")
    print(f"index {index_seconds:.2f} s; query latency p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    summary = {
        "hit@1": ours[0],
        "hit@3": ours[1],
        "hit@10": ours[2],
        "queries": len(judged),
        "index_seconds": round(index_seconds, 2),
        "query_p50_ms": p50,
        "query_p99_ms": p99,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
