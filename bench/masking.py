"""Masking speed: CPU time per message of ``mask_personal_data`` over the labelled masking set.

    python bench/masking.py [--set tests/data/masking_set.jsonl] [--repeat 5]

Every message is masked once first (Sudachi's caches warm, as in a running worker), then the best of
``--repeat`` rounds is kept per message. Prints the median, p95 and max in microseconds, and one
JSON line for scripts. Speed is measured here, not by a timed test: shared machines make those flaky.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chat_platform.privacy.masking import mask_personal_data  # noqa: E402

TYPICAL = "住所は大阪市中央区大手前2丁目1-22、電話は090-1234-5678、誕生日は3月2日やねん"


def per_message_us(texts: list[str], repeat: int) -> list[float]:
    for text in texts:
        mask_personal_data(text)
    figures = []
    for text in texts:
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time_ns()
            for _ in range(20):
                mask_personal_data(text)
            best = min(best, (time.process_time_ns() - start) / 20)
        figures.append(best / 1000)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "tests" / "data" / "masking_set.jsonl")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = [
        json.loads(line)["text"] for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    figures = sorted(per_message_us(texts, args.repeat))
    typical = per_message_us([TYPICAL], args.repeat)[0]
    result = {
        "messages": len(figures),
        "median_us": round(statistics.median(figures), 1),
        "p95_us": round(figures[int(0.95 * (len(figures) - 1))], 1),
        "max_us": round(figures[-1], 1),
        "typical_message_us": round(typical, 1),
    }
    print(
        f"{result['messages']} messages: median {result['median_us']} µs, p95 {result['p95_us']} µs, "
        f"max {result['max_us']} µs CPU per message; the typical 3-item message {result['typical_message_us']} µs"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
