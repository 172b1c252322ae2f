"""Near misses: messages that look like an intent but that it does not cover.

Written per intent in ``nlu.yml`` as a block like ``examples``::

    - intent: vaccination
      examples: |
        - ワクチンの予約はどこで
      near_misses: |
        - おたふくかぜの予防接種はどこで

The engine trains them as out-of-scope negatives, so such a message gets the fallback instead of
the look-alike's answer. A near miss that is also an example (of any intent, in any pack)
contradicts it and is an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from .checks import example_key
from .diagnostics import Diagnostics
from .model import Pack
from .yaml_source import Position

NEAR_MISSES_KEY = "near_misses"
MAX_NEAR_MISS_CHARS = 300  # as for examples: a chat message, not a document


def near_miss_texts(
    lines: list[tuple[str, Position]], file: str, diags: Diagnostics
) -> list[tuple[str, int]]:
    """The near misses of one intent as (text, line); too long ones are reported and dropped."""
    kept = []
    for text, at in lines:
        if not text:
            continue
        if len(text) > MAX_NEAR_MISS_CHARS:
            diags.error(
                file,
                at,
                "near-miss-too-long",
                f"near_misses の文が {len(text)} 文字あり、長すぎます（上限 {MAX_NEAR_MISS_CHARS} 文字）。",
                "住民が1回に送る質問の長さに縮めてください。",
            )
            continue
        kept.append((text, at[0]))
    return kept


def check_near_miss_duplicates(packs: Iterable[Pack], diags: Diagnostics) -> None:
    """A near miss that is also an example says "answer this" and "do not answer this" at once."""
    packs = list(packs)
    examples: dict[str, tuple[str, str, int]] = {}
    for pack in packs:
        for intent in pack.intents.values():
            for example in intent.examples:
                examples.setdefault(example_key(example.text), (pack.id, intent.name, example.line))
    for pack in packs:
        for intent in pack.intents.values():
            for text, line in zip(intent.near_misses, intent.near_miss_lines, strict=False):
                owner = examples.get(example_key(text))
                if owner is None:
                    continue
                diags.error(
                    f"{pack.id}/nlu.yml",
                    (line, 1),
                    "near-miss-is-example",
                    f"near_misses の「{text}」が {owner[0]} の intent「{owner[1]}」の例文"
                    f"（{owner[0]}/nlu.yml {owner[2]} 行目）にもあります。",
                    "答えるべき質問なら near_misses から、答えない質問なら examples から削除してください。",
                )
