"""Fill and validate a form's slot from a message: choices, dates, numbers, free text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from ..actions.model import ChoiceReader
from ..constants import (
    AMBIGUOUS_CHOICE_RESPONSE,
    EMPTY_ANSWER_RESPONSE,
    FUTURE_DATE_RESPONSE,
    INVALID_CHOICE_RESPONSE,
    INVALID_DATE_RESPONSE,
    INVALID_NUMBER_RESPONSE,
    NUMBER_OUT_OF_RANGE_RESPONSE,
)
from ..entities.dates import parse_date, parse_past_date
from ..entities.model import EntityMatch
from ..entities.numbers import parse_japanese_number
from ..pack.model import SlotSpec
from ..text import normalize
from .texts import UNKNOWN_WORDS


@dataclass(frozen=True, slots=True)
class SlotValue:
    """Either ``value`` (valid, ready to store) or ``problem``: the engine text that explains what
    was wrong, with ``detail`` values for it. Both None means the message did not try to answer.
    ``candidates`` are the choices a message fits when it fits several (asked with buttons);
    ``unknown`` is True when the resident says they do not know (「覚えてない」)."""

    value: str | int | None = None
    problem: str | None = None
    detail: dict[str, str] | None = None
    candidates: tuple[str, ...] = ()
    unknown: bool = False

    @property
    def found(self) -> bool:
        """The message said something for this slot: a value, or choices to pick from."""
        return self.value is not None or bool(self.candidates)


def says_unknown(text: str) -> bool:
    """「覚えてない」「わからない」 "I don't remember": the resident cannot give the value."""
    folded = normalize(text)
    return len(folded) <= 40 and any(word in folded for word in UNKNOWN_WORDS)


def extract_slot(
    slot: SlotSpec,
    text: str,
    entities: Sequence[EntityMatch],
    today: date,
    prepare: Callable[[str], str] = normalize,
    given: object = None,
    reader: ChoiceReader | None = None,
    asked: bool = True,
) -> SlotValue:
    """``given`` is a value a button sent (``/inform{"slot": "value"}``); it is validated too.
    ``reader`` reads a choice from everyday words (``actions.registry.CHOICE_READERS``). ``asked``
    is False when the slot is read from a message that answers something else: then a date must be
    a date in itself (「20日」 or 「月曜」 alone is a day only as the answer to "which day?")."""
    raw = str(given) if given is not None else None
    if slot.kind == "choice":
        found = _choice(slot, raw, text, entities, prepare, reader)
    elif slot.kind == "date":
        found = _date(slot, raw, text, entities, today, asked)
    elif slot.kind == "number":
        found = _number(slot, raw, text, entities)
    else:
        cleaned = (raw or text).strip()
        found = SlotValue(cleaned) if cleaned else SlotValue(problem=EMPTY_ANSWER_RESPONSE)
    if not found.found and raw is None and slot.if_unknown and says_unknown(text):
        return SlotValue(unknown=True)
    return found


def _choice(
    slot: SlotSpec,
    raw: str | None,
    text: str,
    entities: Sequence[EntityMatch],
    prepare: Callable[[str], str],
    reader: ChoiceReader | None = None,
) -> SlotValue:
    if raw is None and reader is not None:
        reading = reader(text)
        if reading.value in slot.choices:
            return SlotValue(reading.value)
        fitting = tuple(c for c in reading.candidates if c in slot.choices)
        if len(fitting) > 1:
            return SlotValue(
                problem=AMBIGUOUS_CHOICE_RESPONSE, detail={"value": reading.cue}, candidates=fitting
            )
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
        problem=INVALID_CHOICE_RESPONSE,
        detail={"value": (raw or text).strip()[:40], "choices": "、".join(slot.choices)},
    )


def _date(
    slot: SlotSpec,
    raw: str | None,
    text: str,
    entities: Sequence[EntityMatch],
    today: date,
    asked: bool = True,
) -> SlotValue:
    found: date | None = None
    if raw is not None:
        try:
            found = date.fromisoformat(raw)
        except ValueError:
            found = parse_date(raw, today)
    else:
        dates = [e for e in entities if e.entity == "date"]
        read = (
            parse_past_date if slot.past_only and asked else parse_date
        )  # 「水曜にもらった」: a past Wednesday
        found = date.fromisoformat(str(dates[0].value)) if dates else read(text, today)
    if found is None:
        return SlotValue(problem=INVALID_DATE_RESPONSE)
    if slot.past_only and found > today:
        return SlotValue(problem=FUTURE_DATE_RESPONSE, detail={"value": found.isoformat()})
    return SlotValue(found.isoformat())


def _number(slot: SlotSpec, raw: str | None, text: str, entities: Sequence[EntityMatch]) -> SlotValue:
    numbers = [e.value for e in entities if e.entity in ("number", "amount") and isinstance(e.value, int)]
    value = (
        parse_japanese_number(raw)
        if raw is not None
        else (numbers[0] if numbers else parse_japanese_number(text))
    )
    if value is None:
        return SlotValue(problem=INVALID_NUMBER_RESPONSE)
    if (slot.minimum is not None and value < slot.minimum) or (
        slot.maximum is not None and value > slot.maximum
    ):
        return SlotValue(
            problem=NUMBER_OUT_OF_RANGE_RESPONSE,
            detail={"minimum": str(slot.minimum), "maximum": str(slot.maximum)},
        )
    return SlotValue(value)
