"""Recall per kind and false masks of the masking on a labelled set (tests/data/masking_set.jsonl).

Used by tests/test_masking_set.py and, for the figures in docs/benchmarks.md, from the command line:
``python -m tests.masking_measure [file.jsonl]``.
A labelled value counts as masked when every character of it lies inside a masked span (of any
kind: a phone number masked as an account is still hidden; the kind shown is reported apart).
A message has a false mask when a masked span overlaps no labelled value. Rates are per message.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from chat_platform.privacy.masking import personal_data_spans

SET = Path(__file__).parent / "data" / "masking_set.jsonl"


@dataclass
class Figures:
    values: Counter[str] = field(default_factory=Counter)
    masked: Counter[str] = field(default_factory=Counter)
    right_kind: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    lookalikes: int = 0
    false_masks: int = 0
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    def recall(self, kind: str) -> float:
        return self.masked[kind] / self.values[kind]


def measure(path: Path = SET) -> Figures:
    figures = Figures()
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["text"]
        spans = personal_data_spans(text)
        covered = [False] * len(text)
        for start, end, _ in spans:
            covered[start:end] = [True] * (end - start)
        labelled: list[tuple[int, int]] = []
        position = 0
        for item in row["personal"]:
            start = text.index(item["value"], position)
            end = position = start + len(item["value"])
            labelled.append((start, end))
            kind = item["kind"]
            figures.values[kind] += 1
            if all(covered[start:end]):
                figures.masked[kind] += 1
                if any(s <= start and end <= e and k == kind for s, e, k in spans):
                    figures.right_kind[kind] += 1
            else:
                figures.misses.append(f"{kind}: {text} [{item['value']}]")
        figures.messages += 1
        figures.lookalikes += not row["personal"]
        stray = [(s, e, k) for s, e, k in spans if not any(s < b and a < e for a, b in labelled)]
        if stray:
            figures.false_masks += 1
            figures.false.append(f"{text} → " + ", ".join(f"{text[s:e]}({k})" for s, e, k in stray))
    return figures


def main() -> None:
    figures = measure(Path(sys.argv[1]) if len(sys.argv) > 1 else SET)
    print("| kind | values | recall | shown as that kind |")
    print("|---|---:|---:|---:|")
    for kind in sorted(figures.values):
        n = figures.values[kind]
        print(f"| {kind} | {n} | {figures.recall(kind):.1%} | {figures.right_kind[kind] / n:.1%} |")
    print(
        f"\nmessages {figures.messages} (look-alikes {figures.lookalikes}); "
        f"false masks {figures.false_masks} ({figures.false_masks / figures.messages:.2%})"
    )
    for line in figures.misses + figures.false:
        print("  ", line)


if __name__ == "__main__":
    main()
