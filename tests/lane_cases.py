"""The held-out lane cases of tests/data/lane_cases.yml as pack sources (shared by two test modules)."""

from __future__ import annotations

from typing import Any

import yaml

from tests.conftest import ROOT

CASES: dict[str, Any] = yaml.safe_load((ROOT / "tests/data/lane_cases.yml").read_text(encoding="utf-8"))
NEW_INTENT = "lane_case_new_intent"


def with_new_intent(nlu: str, responses: str, examples: list[str], answer: str) -> tuple[str, str]:
    """nlu.yml and responses.yml text with one more intent (and its answer) at the end."""
    nlu = nlu.rstrip("\n") + f"\n\n- intent: {NEW_INTENT}\n  examples: |\n"
    nlu += "".join(f"    - {example}\n" for example in examples)
    responses = responses.rstrip("\n") + (
        f"\n\n  utter_{NEW_INTENT}:\n    checked_on: 2026-11-28\n    ja:\n      - text: {answer}\n"
    )
    return nlu, responses


def case_sources(
    sources: dict[str, dict[str, bytes]], bot: str, examples: list[str]
) -> dict[str, dict[str, bytes]]:
    files = sources[bot]
    nlu, responses = with_new_intent(
        files["nlu.yml"].decode(),
        files["responses.yml"].decode(),
        examples,
        "担当窓口にお問い合わせください。",
    )
    return {**sources, bot: {**files, "nlu.yml": nlu.encode(), "responses.yml": responses.encode()}}
