"""Shared fixtures: the real packs in bots/ trained once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_nlu.dialogue.engine import DialogueEngine
from shared_nlu.nlu import NluEngine
from shared_nlu.pack import PackSet, load_packs

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def real_packs() -> PackSet:
    return load_packs([ROOT / "bots"])


@pytest.fixture(scope="session")
def real_nlu(real_packs: PackSet) -> NluEngine:
    return NluEngine.train(real_packs)


@pytest.fixture(scope="session")
def real_dialogue(real_nlu: NluEngine) -> DialogueEngine:
    return DialogueEngine(real_nlu)
