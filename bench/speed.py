"""Speed and size of the engine: training every pack, parse latency, memory of a serving process.

    python bench/speed.py [--bots bots] [--messages N]

Training is timed in this process. The trained model is saved, and a fresh process loads it the
way a service worker does and times ``parse`` message by message; its resident memory (peak RSS)
is what one worker serving every bot needs.

Prints a table, then one JSON object on the last line:
{"train_seconds": …, "parse_p50_ms": …, "parse_p99_ms": …, "rss_mb": …}
Targets (issue: shared NLU engine): training ≤ 5 s, parse p50 ≤ 1 ms and p99 ≤ 5 ms, RSS ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared_nlu.nlu import NluEngine  # noqa: E402
from shared_nlu.nlu.persistence import load_engine, save_engine  # noqa: E402
from shared_nlu.nlu.training_data import training_data  # noqa: E402
from shared_nlu.pack import load_packs  # noqa: E402

TARGETS = {"train_seconds": 5.0, "parse_p50_ms": 1.0, "parse_p99_ms": 5.0, "rss_mb": 300.0}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bots", type=Path, default=ROOT / "bots")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # internal: the serving process
    args = parser.parse_args()
    if args.serve:
        serve(args.bots, args.serve, args.messages)
        return

    packs = load_packs([args.bots])
    started = time.perf_counter()
    engine = NluEngine.train(packs)
    train_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        save_engine(engine, Path(folder) / "model")
        command = [
            sys.executable,
            __file__,
            "--bots",
            str(args.bots),
            "--messages",
            str(args.messages),
            "--serve",
            str(Path(folder) / "model"),
        ]
        served = json.loads(
            subprocess.run(command, check=True, capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[-1]
        )
    result = {"train_seconds": round(train_seconds, 3), **served}
    print(
        f"packs: {len(packs.packs)}, labels: {len(engine.classifier.labels)}, features: {engine.featurizer.size}"
    )
    for key, value in result.items():
        verdict = "ok" if value <= TARGETS[key] else "target not met"
        print(f"{key:15} {value:>10}   target ≤ {TARGETS[key]:<6} {verdict}")
    print(json.dumps(result))


def peak_rss_kb() -> int:
    """Peak resident memory of this process (VmHWM). Not ru_maxrss: Linux carries that across exec
    from the parent that spawned us, which would report the trainer's memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def serve(bots: Path, model: Path, messages: int) -> None:
    packs = load_packs([bots])
    engine = load_engine(model, packs)
    # Residents' messages are new text: vary the examples so the tokenizer cache cannot help.
    texts = training_data(packs).texts
    rng = random.Random(0)
    endings = ["", "ですか", "？", "なんやけど", " please", "教えてください"]
    queries = [f"{rng.choice(texts)}{rng.choice(endings)}{i}" for i in range(messages)]
    for text in queries[:200]:  # warm-up
        engine.parse(text)
    timings = []
    for text in queries:
        begin = time.perf_counter()
        engine.parse(text)
        timings.append((time.perf_counter() - begin) * 1000)
    timings.sort()
    served = {
        "parse_p50_ms": round(statistics.median(timings), 3),
        "parse_p99_ms": round(timings[int(len(timings) * 0.99) - 1], 3),
        "rss_mb": round(peak_rss_kb() / 1024, 1),
    }
    print(json.dumps(served))


if __name__ == "__main__":
    main()
