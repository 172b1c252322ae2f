"""Checks on what a resident sends, before anything is stored."""

from __future__ import annotations

import unicodedata

from .errors import AppError, bad_message

_ALLOWED_CONTROLS = {"\n", "\t", "\r"}


def clean_message(text: object, max_chars: int) -> str:
    """Return the message to process, or raise :class:`AppError` saying what to fix."""
    if not isinstance(text, str):
        raise bad_message(
            "invalid_message", "message には文字列を送ってください。", "“message” must be a string."
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
        raise bad_message(
            "control_characters", "メッセージに制御文字が含まれています。文字だけを送ってください。",
            "The message contains control characters. Please send plain text.", 400,
        )  # fmt: skip
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
            "message_too_long", f"メッセージが長すぎます（{len(stripped)}文字）。{max_chars}文字以内で送ってください。",
            f"The message is too long ({len(stripped)} characters). Please keep it under {max_chars}.", 413,
        )  # fmt: skip
    return stripped


def check_bot(bot_id: str, known: list[str]) -> None:
    if bot_id not in known:
        from .errors import unknown_bot

        raise unknown_bot(bot_id, known)


__all__ = ["AppError", "check_bot", "clean_message"]
