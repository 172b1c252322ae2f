"""All built-in entities of a message at once, without overlaps."""

from __future__ import annotations

from datetime import date

from .contacts import find_emails, find_phone_numbers, find_postal_codes
from .dates import find_dates
from .model import EntityMatch, resolve_overlaps
from .numbers import find_amounts, find_numbers


def extract_builtin_entities(text: str, today: date) -> list[EntityMatch]:
    """Dates, amounts, phone numbers, postal codes, e-mail addresses and numbers in ``text``.

    Where matches overlap the more specific one wins: a date, an amount or a phone number beats
    the numbers inside it, and otherwise the longer match wins (see
    :func:`~shared_nlu.entities.model.resolve_overlaps`). Sorted by ``start``; relative dates are
    resolved against ``today``.
    """
    return resolve_overlaps(
        [
            *find_dates(text, today),
            *find_amounts(text),
            *find_phone_numbers(text),
            *find_postal_codes(text),
            *find_emails(text),
            *find_numbers(text),
        ]
    )
