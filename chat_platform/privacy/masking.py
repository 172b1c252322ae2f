"""Masking of the personal data residents type, applied before a message is stored or logged.

The NLU still sees the original text; storage and logs see only ``mask_personal_data(text).text``,
and each stored message keeps the kinds that were masked (``messages.masked_kinds``).
Detection runs on folded copies of the message (see ``fold``) that keep every character's place,
so a span found in a copy is the same span in the original. One module per kind of data:
``numbers`` (phone, card, My Number, bank account, passport, driver's licence, health-insurance
card), ``emails``, ``dates`` (dates of birth), ``addresses``, ``names`` (Sudachi's 人名 tokens) and
``health`` (health details, only next to something that identifies the person).

What is not masked, on purpose: amounts, counts, years, times and the dates of events; short codes
(188, 110, #7119); the public numbers the bots themselves give (``public_numbers``); a postal code,
a city or a ward alone; health words in a message that identifies nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from .addresses import find_addresses
from .dates import find_dates
from .emails import find_emails
from .fold import views
from .health import find_health
from .names import find_names
from .numbers import find_numbers

PLACEHOLDERS = {
    "email": "［メール］",
    "card": "［カード番号］",
    "my_number": "［マイナンバー］",
    "passport": "［旅券番号］",
    "driver_license": "［免許証番号］",
    "health_insurance": "［保険証番号］",
    "bank_account": "［口座番号］",
    "phone": "［電話番号］",
    "birth_date": "［生年月日］",
    "address": "［郵便番号・住所］",
    "name": "［氏名］",
    "health": "［健康情報］",
}
# When two candidates overlap, the kind listed first in PLACEHOLDERS wins: an e-mail address may
# contain a phone number, and a 16-digit card number must not become a My Number plus change.
_PRIORITY = {kind: rank for rank, kind in enumerate(PLACEHOLDERS)}
_PLACEHOLDER_TEXTS = tuple(PLACEHOLDERS.values())
# Kinds that point at a person: next to one of them, a health word or an old full date is theirs.
_IDENTIFYING = frozenset(PLACEHOLDERS) - {"health", "birth_date"}
# An unmarked full date this many years back is a date of birth in a message that names someone.
OLD_DATE_YEARS = 16
_MAX_PASSES = 4


@dataclass(frozen=True)
class MaskResult:
    """The masked text and the kinds of personal data found, in order of first appearance."""

    text: str
    kinds: tuple[str, ...]


Span = tuple[int, int, str]


def _candidates(text: str) -> list[Span]:
    v = views(text, _PLACEHOLDER_TEXTS)
    found: list[Span] = find_emails(v.base) + find_numbers(v.base, v.numeric)
    found += find_addresses(v.base) + find_names(v.base)
    identified = any(kind in _IDENTIFYING for _, _, kind in found) or (
        "［" in text and _has_placeholder(text)
    )
    dates = find_dates(v.base, everywhere=identified)
    found += [(d.start, d.end, "birth_date") for d in dates if d.birth]
    if identified:
        old = [d for d in dates if not d.birth and d.year is not None]
        if old:
            this_year = dt.date.today().year
            found += [(d.start, d.end, "birth_date") for d in old if d.year <= this_year - OLD_DATE_YEARS]  # type: ignore[operator]
        found += find_health(v.base)
    return found


def _has_placeholder(text: str) -> bool:
    return any(placeholder in text for placeholder in _PLACEHOLDER_TEXTS)


def _spans_once(text: str) -> list[Span]:
    taken: list[Span] = []
    # Higher-priority kinds first, then the earliest and longest candidate.
    for start, end, kind in sorted(_candidates(text), key=lambda c: (_PRIORITY[c[2]], c[0], c[0] - c[1])):
        if start < end and all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, kind))
    return sorted(taken)


def _replace(text: str, spans: list[Span]) -> str:
    parts, position = [], 0
    for start, end, kind in spans:
        parts += [text[position:start], PLACEHOLDERS[kind]]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _passes(text: str) -> list[tuple[str, list[Span]]]:
    """Each pass's text and what it found in it. Masking repeats until a pass finds nothing, so
    the result is stable: masking it again changes nothing (a placeholder shifts the text and can
    bring a number near a label)."""
    passes = []
    for _ in range(_MAX_PASSES):
        spans = _spans_once(text)
        if not spans:
            break
        passes.append((text, spans))
        text = _replace(text, spans)
    return passes


def mask_personal_data(text: str) -> MaskResult:
    """``text`` with each piece of personal data replaced by its placeholder (see PLACEHOLDERS)."""
    kinds: list[str] = []
    for before, spans in _passes(text):
        text = _replace(before, spans)
        kinds += [kind for kind in dict.fromkeys(kind for _, _, kind in spans) if kind not in kinds]
    return MaskResult(text, tuple(kinds))


def personal_data_spans(text: str) -> list[Span]:
    """Where the personal data is in ``text`` (start, end, kind), as ``mask_personal_data`` masks
    it: a later pass's span that contains a placeholder covers what the placeholder replaced.
    For measuring the masking (tests/test_masking_set.py), not needed to mask."""
    found: list[Span] = []
    # position in the current text → (start, end) in the original, one entry per character
    origin = [(i, i + 1) for i in range(len(text))]
    for before, spans in _passes(text):
        new_origin: list[tuple[int, int]] = []
        position = 0
        for start, end, kind in spans:
            new_origin += origin[position:start]
            covered = (origin[start][0], origin[end - 1][1])
            found = [f for f in found if not (covered[0] <= f[0] and f[1] <= covered[1])]
            found.append((*covered, kind))
            new_origin += [covered] * len(PLACEHOLDERS[kind])
            position = end
        new_origin += origin[position : len(before)]
        origin = new_origin
    return sorted(found)


@lru_cache(maxsize=4096)
def mask_answer(text: str) -> MaskResult:
    """``mask_personal_data`` for the bots' own answers, which repeat (a few hundred texts, long
    ones): each is masked once per process. Residents' texts are never cached."""
    return mask_personal_data(text)


def mask_for_log(text: str) -> str:
    """The masked text, cut to 200 characters for a log line."""
    return mask_personal_data(text).text[:200]
