"""Held-out resident conversations with the cooling-off check (tests/data/cooling_off_conversations.yml)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from shared_nlu.clock import JAPAN
from shared_nlu.dialogue.engine import DialogueEngine, Turn

DATA = Path(__file__).parent / "data" / "cooling_off_conversations.yml"
RESULT_RESPONSES = {
    "running": "utter_cooling_off_running",
    "last_day": "utter_cooling_off_last_day",
    "expired": "utter_cooling_off_expired",
    "mail_order": "utter_cooling_off_mail_order",
    "no_date": "utter_cooling_off_no_date",
    "ask_type": "utter_ask_transaction_type",
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH = re.compile(r"^[\x00-\x7f]+$")


@dataclass
class Outcome:
    messages: list[str]
    expect: dict[str, Any]
    problem: str | None

    @property
    def right(self) -> bool:
        return self.problem is None


def load() -> tuple[datetime, list[dict[str, Any]]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    now = datetime.combine(data["today"], time(11, 0), JAPAN)
    return now, data["conversations"]


def judge(turn: Turn, expect: dict[str, Any], english: bool) -> str | None:
    """None when the last turn did what ``expect`` says, else what went wrong."""
    wanted = RESULT_RESPONSES[expect["result"]]
    said = [m.response for m in turn.messages]
    if wanted not in said:
        return f"expected {wanted}, got {said}"
    answer = next(m for m in turn.messages if m.response == wanted)
    if expect["result"] == "ask_type":
        offered = {json.loads(b.payload.split("inform", 1)[1])["transaction_type"] for b in answer.buttons}
        return None if offered == set(expect["choices"]) else f"buttons {sorted(offered)}"
    if english and JAPANESE.search(answer.text):
        return f"answer not in English: {answer.text[:80]}"
    if "type" in expect:
        kept = turn.state.recent_slots
        if kept.get("transaction_type") != expect["type"]:
            return f"type {kept.get('transaction_type')} instead of {expect['type']}"
        if "received" in expect and kept.get("received_date") != expect["received"].isoformat():
            return f"received {kept.get('received_date')} instead of {expect['received']}"
    return None


def play(engine: DialogueEngine, now: datetime, index: int, conversation: dict[str, Any]) -> Outcome:
    state = engine.new_session(f"heldout:{index}", "consumer")
    turn = None
    for text in conversation["say"]:
        turn = engine.handle(state, text, now)
        state = turn.state
    assert turn is not None
    english = all(ENGLISH.match(text) for text in conversation["say"])
    return Outcome(conversation["say"], conversation["expect"], judge(turn, conversation["expect"], english))


def play_all(engine: DialogueEngine) -> list[Outcome]:
    now, conversations = load()
    return [play(engine, now, i, c) for i, c in enumerate(conversations)]


def test_should_handle_at_least_95_percent_of_held_out_resident_conversations(real_dialogue):
    # Given conversations residents have with the cooling-off check, written apart from the pack
    _, conversations = load()
    assert len(conversations) >= 45 and sum(len(c["say"]) for c in conversations) >= 110
    assert all(isinstance(c["expect"].get("received", date.min), date) for c in conversations)
    # When each is played from a new session
    outcomes = play_all(real_dialogue)
    # Then at least 95 % end with the right result, type and date (and in English when asked in English)
    wrong = [(o.messages, o.problem) for o in outcomes if not o.right]
    assert len(wrong) <= 0.05 * len(outcomes), wrong
