"""Checks on what a client sends, before anything is queued, stored or parsed.

Everything a request carries (message text, session ids, sender ids, idempotency keys, path and
query parameters, JSON fields) is checked here completely, so a request that cannot be handled is
refused on its own with a 4xx saying what to fix, before it joins a batch of other residents'
messages (``chat_platform.batcher``). Refused: NUL and the other control characters (a message
may hold line breaks and tabs), lone surrogates (half of a UTF-16 pair, from a broken ``\\ud800``
JSON escape: no database or tokenizer can take them), and lengths over the limit.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from fastapi import Request

from .errors import AppError, bad_message

# Unicode's control characters (category Cc) are exactly U+0000–001F and U+007F–009F
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # line breaks and tabs allowed
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # a str holds a pair as one character: these are lone


def problem(value: str, multiline: bool = False) -> str | None:
    """What makes ``value`` unusable ("NUL", "a control character", "a lone surrogate"), or None."""
    control = (_CONTROL_IN_TEXT if multiline else _CONTROL).search(value)
    if control is not None:
        return "NUL" if control.group() == "\x00" else "a control character"
    if _SURROGATE.search(value) is not None:
        return "a lone surrogate"
    return None


def clean_message(text: object, max_chars: int) -> str:
    """Return the message to process, or raise :class:`AppError` saying what to fix."""
    if not isinstance(text, str):
        raise bad_message(
            "invalid_message", "message には文字列を送ってください。", "“message” must be a string."
        )
    found = problem(text, multiline=True)
    if found == "a lone surrogate":
        raise bad_message(
            "invalid_characters",
            "メッセージに文字として読めない部分があります。文字だけを送ってください。",
            "The message contains a lone surrogate (a broken \\ud800-style escape). Please send plain text.",
            400,
        )
    if found is not None:
        raise bad_message(
            "control_characters",
            "メッセージに制御文字が含まれています。文字だけを送ってください。",
            "The message contains control characters. Please send plain text.",
            400,
        )
    stripped = text.strip()
    if not stripped:
        raise bad_message(
            "empty_message",
            "メッセージが空です。ご質問を入力してください。",
            "The message is empty. Please type your question.",
            400,
        )
    if len(stripped) > max_chars:
        raise bad_message(
            "message_too_long",
            f"メッセージが長すぎます（{len(stripped)}文字）。{max_chars}文字以内で送ってください。",
            f"The message is too long ({len(stripped)} characters). Please keep it under {max_chars}.",
            413,
        )
    return stripped


def clean_id(value: object, name: str, max_chars: int) -> str:
    """An identifier the client sends (session id, sender id, idempotency key): a non-empty
    string of at most ``max_chars`` characters without control characters or lone surrogates."""
    if not isinstance(value, str) or not value:
        raise invalid_field(name, "文字列（空でないもの）を送ってください", "must be a non-empty string")
    if len(value) > max_chars:
        raise invalid_field(
            name, f"{max_chars}文字以内にしてください", f"must be at most {max_chars} characters"
        )
    found = problem(value)
    if found is not None:
        raise unusable_characters(name, found)
    return value


_JA = {"NUL": "NUL 文字", "a control character": "制御文字", "a lone surrogate": "文字として読めない部分"}


def invalid_field(name: str, ja: str, en: str) -> AppError:
    return AppError(422, "invalid_field", f"{name[:80]}: {ja}。", f"{name[:80]} {en}.")


def unusable_characters(name: str, found: str) -> AppError:
    return invalid_field(
        name,
        f"{_JA[found]}が含まれています。文字だけを送ってください",
        f"contains {found}. Send plain text only",
    )


# ---- every string of a request at once (a dependency of the routers that take free input) -----------
def strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (dict keys too), with where it is (``items.0.name``). A loop,
    not recursion: JSON nested as deep as the parser allows must not overflow the stack here."""
    pending = [(where, value)]
    while pending:
        place, item = pending.pop()
        if isinstance(item, str):
            yield place or "body", item
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                name = f"{place}.{key}" if place else str(key)
                yield name, str(key)
                pending.append((name, inner))
        elif isinstance(item, list):
            pending.extend(
                (f"{place}.{index}" if place else str(index), inner) for index, inner in enumerate(item)
            )


def unusable_text_refuser(*skipped: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency refusing a request whose path or query parameters or JSON body hold NUL,
    another control character (line breaks and tabs are allowed in the body) or a lone surrogate:
    422 naming the field. Such text cannot be stored (PostgreSQL refuses NUL; no database takes a
    lone surrogate) and would otherwise fail at the commit, after the checks that could answer it
    clearly. ``skipped``: top-level body fields checked by the endpoint itself (pack files, which
    the pack validator reports with their file and line)."""

    async def refuse_unusable_text(request: Request) -> None:
        found = [(f"path {k}", v, False) for k, v in request.path_params.items() if isinstance(v, str)]
        found += [(f"query {k}", v, False) for k, v in request.query_params.multi_items()]
        found += [(f"query {k}", k, False) for k in request.query_params]
        if _read_as_json(request.headers.get("content-type", "")):
            try:
                body = await request.json()  # Starlette keeps the body: FastAPI reads it again
            except ValueError:
                body = None  # not JSON: FastAPI answers that (400) when it reads the body
            if isinstance(body, dict) and skipped:
                body = {key: value for key, value in body.items() if key not in skipped}
            found += [(where, value, True) for where, value in strings(body)]
        for where, value, multiline in found:
            reason = problem(value, multiline)
            if reason is not None:
                raise unusable_characters(where, reason)

    return refuse_unusable_text


refuse_unusable_text = unusable_text_refuser()


def _read_as_json(content_type: str) -> bool:
    """Whether FastAPI reads the body as JSON: no content type at all, or ``…/json``, ``…+json``."""
    subtype = content_type.split(";", 1)[0].strip().lower().rpartition("/")[2]
    return not content_type or subtype == "json" or subtype.endswith("+json")


__all__ = [
    "AppError",
    "clean_id",
    "clean_message",
    "problem",
    "refuse_unusable_text",
    "unusable_text_refuser",
]
