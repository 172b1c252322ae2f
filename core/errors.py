"""One error type for everything a client can get wrong; one handler turns it into JSON.

Every message says what to do, in Japanese and English, and never contains a stack trace.
"""

from __future__ import annotations


class AppError(Exception):
    def __init__(
        self, status: int, code: str, ja: str, en: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(en)
        self.status = status
        self.code = code
        self.ja = ja
        self.en = en
        self.headers = headers or {}

    def body(self, language: str = "ja") -> dict[str, object]:
        return {
            "error": {
                "code": self.code,
                "message": self.en if language == "en" else self.ja,
                "message_en": self.en,
            }
        }


def with_error_fields(body: dict[str, object], **fields: object) -> dict[str, object]:
    """``body`` (an ``AppError.body``) with more fields in its ``error`` object: the diagnostics,
    collisions or quality figures a client needs to fix the request."""
    error = body["error"]
    assert isinstance(error, dict)
    return {**body, "error": {**error, **fields}}


def unknown_bot(bot_id: str, known: list[str]) -> AppError:
    return AppError(
        404,
        "unknown_bot",
        f"ボット「{bot_id[:64]}」はありません。使えるボット: {', '.join(known)}",
        f"There is no bot {bot_id[:64]!r}. Available bots: {', '.join(known)}",
    )


def session_not_found() -> AppError:
    return AppError(
        404,
        "session_not_found",
        "会話が見つからないか、時間切れで終了しました。新しい会話を始めてください。",
        "The conversation was not found or has expired. Please start a new one.",
    )


def bad_message(code: str, ja: str, en: str, status: int = 422) -> AppError:
    return AppError(status, code, ja, en)


def rate_limited(retry_after: int) -> AppError:
    return AppError(
        429,
        "rate_limited",
        f"送信が多すぎます。{retry_after}秒ほど待ってからもう一度お試しください。",
        f"Too many messages. Please wait about {retry_after} seconds and try again.",
        {"Retry-After": str(retry_after)},
    )


def too_many_starts(retry_after: int) -> AppError:
    """Conversations started from one address over ``rate_limit_sessions_per_address_per_minute``."""
    return AppError(
        429,
        "rate_limited",
        f"会話の開始が多すぎます。{retry_after}秒ほど待ってからもう一度お試しください。",
        f"Too many conversations started. Please wait about {retry_after} seconds and try again.",
        {"Retry-After": str(retry_after)},
    )


def unavailable() -> AppError:
    return AppError(
        503,
        "unavailable",
        "ただいま混み合っているか、保守中です。しばらくしてからもう一度お試しください。",
        "The service is temporarily unavailable. Please try again shortly.",
        {"Retry-After": "5"},
    )


def conflict() -> AppError:
    """A unique constraint refused a write: two requests stored the same thing at the same moment
    (the checks before the write passed for both), or it was there already."""
    return AppError(
        409,
        "conflict",
        "同じものがすでにあるか、同時に別の操作で変更されました。画面を再読み込みしてから、もう一度お試しください。",
        "This already exists, or was changed by another request at the same moment. Reload and try again.",
    )


def unstorable() -> AppError:
    """A request that passed the checks but holds something the database cannot store."""
    return AppError(
        422,
        "unstorable_text",
        "送られた内容に保存できない文字があります。文字だけを送ってください。",
        "The request holds characters that cannot be stored (such as NUL or a lone surrogate). Send plain text.",
    )
