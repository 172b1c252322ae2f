"""The Python actions: listed once by name, each keeps the contract the pack validator checks, and
the validator takes the actions it knows as a parameter."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from shared_nlu.actions.model import ActionContext
from shared_nlu.actions.registry import ACTIONS, CHOICE_READERS
from shared_nlu.constants import (
    ACTION_CONTRACTS,
    ACTION_PREFIX,
    COOLING_OFF_RESPONSES,
    COOLING_OFF_RESULT_ACTION,
    ActionContract,
)
from shared_nlu.pack import read_pack_folder, validate_packs
from tests.packs_inline import TAX, write_packs

TODAY = date(2026, 11, 28)


def test_should_run_every_action_the_validator_knows_and_no_other() -> None:
    assert set(ACTIONS) == set(ACTION_CONTRACTS)
    assert all(name.startswith(ACTION_PREFIX) for name in ACTIONS)
    assert set(CHOICE_READERS) == {"transaction_type"}


@pytest.mark.parametrize(
    ("transaction_type", "received_days_ago", "status"),
    [
        ("訪問販売", 2, "running"),
        ("訪問販売", 7, "last_day"),
        ("訪問販売", 8, "expired"),
        ("通信販売", 2, "not_applicable"),
    ],
)
def test_should_send_and_fill_only_what_the_cooling_off_contract_says(
    transaction_type: str, received_days_ago: int, status: str
) -> None:
    received = TODAY - timedelta(days=received_days_ago)
    slots = {"transaction_type": transaction_type, "received_date": received.isoformat()}
    outcome = ACTIONS[COOLING_OFF_RESULT_ACTION](ActionContext("consumer", slots, "ja", TODAY))
    contract = ACTION_CONTRACTS[COOLING_OFF_RESULT_ACTION]
    assert outcome.response == COOLING_OFF_RESPONSES[status] and outcome.response in contract.responses
    assert set(outcome.values) == contract.provides


def _rules_calling(action: str) -> dict[str, str]:
    rules = (
        f'version: "3.1"\nrules:\n- rule: r\n  steps:\n  - intent: auto_tax_payment\n  - action: {action}\n'
    )
    return {"rules.yml": rules}


def _validate(root: Path, actions: dict[str, ActionContract] | None = None):
    sources = {p.name: read_pack_folder(p) for p in sorted(root.iterdir())}
    return validate_packs(sources, TODAY) if actions is None else validate_packs(sources, TODAY, actions)


def test_should_validate_against_the_actions_it_is_given(tmp_path: Path) -> None:
    root = write_packs(tmp_path, tax=_rules_calling("action_payment_places"))
    _, by_default = _validate(root)
    assert [d.code for d in by_default.errors] == ["unknown-action"]
    places = ActionContract(responses=frozenset({"utter_payment_places"}), provides=frozenset({"place"}))
    _, given = _validate(root, {"action_payment_places": places})
    missing = [(d.code, d.message) for d in given.errors]
    assert missing == [
        (
            "missing-response",
            "action「action_payment_places」が使う応答「utter_payment_places」がありません。",
        )
    ]
    responses = TAX["responses.yml"] + "  utter_payment_places:\n    - text: '{place} で払えます。'\n"
    (tmp_path / "tax" / "responses.yml").write_text(responses, encoding="utf-8")
    _, complete = _validate(root, {"action_payment_places": places})
    assert complete.ok, complete.errors
