"""The session state machine: legal transitions, illegal ones raise, state round-trips as data."""

from __future__ import annotations

import pytest

from shared_nlu.dialogue.state import LEGAL_TRANSITIONS, DialogueState, IllegalTransition, Status


@pytest.mark.parametrize(
    ("start", "end"), [(a, b) for a, targets in LEGAL_TRANSITIONS.items() for b in targets]
)
def test_should_allow_each_legal_transition(start: Status, end: Status) -> None:
    state = DialogueState("s", "tax", status=start)
    assert state.transition(end).status is end


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (Status.IN_FORM, Status.AWAITING_CLARIFICATION),
        (Status.AWAITING_CLARIFICATION, Status.AWAITING_CLARIFICATION),
    ],
)
def test_should_refuse_an_illegal_transition(start: Status, end: Status) -> None:
    with pytest.raises(IllegalTransition, match="expected one of"):
        DialogueState("s", "tax", status=start).transition(end)


def test_should_round_trip_as_plain_data() -> None:
    state = DialogueState(
        "s", "inquiry", status=Status.IN_FORM, form="f", slots={"a": 1}, candidates=("tax/x",)
    )
    data = state.to_dict()
    assert data["status"] == "in_form"
    assert DialogueState.from_dict(data) == state
