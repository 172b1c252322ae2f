"""Fill and validate a form's slot from a message: choices, dates, numbers, free text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from ..entities.dates import parse_date
from ..entities.model import EntityMatch
from ..entities.numbers import parse_japanese_number
from ..pack.model import SlotSpec
from ..text import normalize


@dataclass(frozen=True, slots=True)
class SlotValue:
    """Either ``value`` (valid, ready to store) or ``problem``: the engine text that explains what
    was wrong, with ``detail`` values for it. Both None means the message did not try to answer."""

    value: str | int | None = None
    problem: str | None = None
    detail: dict[str, str] | None = None


def extract_slot(
    slot: SlotSpec,
    text: str,
    entities: Sequence[EntityMatch],
    today: date,
    prepare: Callable[[str], str] = normalize,
    given: object = None,
) -> SlotValue:
    """``given`` is a value a button sent (``/inform{"slot": "value"}``); it is validated too."""
    raw = str(given) if given is not None else None
    if slot.kind == "choice":
        return _choice(slot, raw, text, entities, prepare)
    if slot.kind == "date":
        return _date(slot, raw, text, entities, today)
    if slot.kind == "number":
        return _number(slot, raw, text, entities)
    cleaned = (raw or text).strip()
    return SlotValue(cleaned) if cleaned else SlotValue(problem="utter_empty")


def _choice(
    slot: SlotSpec, raw: str | None, text: str, entities: Sequence[EntityMatch], prepare: Callable[[str], str]
) -> SlotValue:
    candidates = (
        [raw]
        if raw is not None
        else [str(e.value) for e in entities if e.entity == (slot.entity or slot.name)]
    )
    for candidate in candidates:
        if candidate in slot.choices:
            return SlotValue(candidate)
    prepared = prepare(raw if raw is not None else text)
    # the longest choice named in the message wins: 電話勧誘販売 contains 訪問販売? no, but be safe
    named = sorted((c for c in slot.choices if normalize(c) in prepared), key=len, reverse=True)
    if named:
        return SlotValue(named[0])
    return SlotValue(
        problem="utter_invalid_choice",
        detail={"value": (raw or text).strip()[:40], "choices": "、".join(slot.choices)},
    )


def _date(
    slot: SlotSpec, raw: str | None, text: str, entities: Sequence[EntityMatch], today: date
) -> SlotValue:
    found: date | None = None
    if raw is not None:
        try:
            found = date.fromisoformat(raw)
        except ValueError:
            found = parse_date(raw, today)
    else:
        dates = [e for e in entities if e.entity == "date"]
        found = date.fromisoformat(str(dates[0].value)) if dates else parse_date(text, today)
    if found is None:
        return SlotValue(problem="utter_invalid_date")
    if slot.past_only and found > today:
        return SlotValue(problem="utter_future_date", detail={"value": found.isoformat()})
    return SlotValue(found.isoformat())


def _number(slot: SlotSpec, raw: str | None, text: str, entities: Sequence[EntityMatch]) -> SlotValue:
    numbers = [e.value for e in entities if e.entity in ("number", "amount") and isinstance(e.value, int)]
    value = (
        parse_japanese_number(raw)
        if raw is not None
        else (numbers[0] if numbers else parse_japanese_number(text))
    )
    if value is None:
        return SlotValue(problem="utter_invalid_number")
    if (slot.minimum is not None and value < slot.minimum) or (
        slot.maximum is not None and value > slot.maximum
    ):
        return SlotValue(
            problem="utter_number_out_of_range",
            detail={"minimum": str(slot.minimum), "maximum": str(slot.maximum)},
        )
    return SlotValue(value)
