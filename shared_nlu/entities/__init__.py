"""Built-in entities: numbers, amounts in yen, dates, phone numbers, postal codes, e-mail addresses.

Everything here is pure Python and works on the original message, so spans (``start``/``end``)
can be shown or masked in that message; full-width characters are folded without moving them.
"""

from .builtin import extract_builtin_entities
from .contacts import find_emails, find_phone_numbers, find_postal_codes
from .dates import find_dates, parse_date
from .model import EntityMatch, resolve_overlaps
from .numbers import find_amounts, find_numbers, parse_japanese_number

__all__ = [
    "EntityMatch",
    "extract_builtin_entities",
    "find_amounts",
    "find_dates",
    "find_emails",
    "find_numbers",
    "find_phone_numbers",
    "find_postal_codes",
    "parse_date",
    "parse_japanese_number",
    "resolve_overlaps",
]
