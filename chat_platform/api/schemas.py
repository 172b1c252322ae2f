"""Request and response bodies of the resident API, as they appear in the OpenAPI schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ButtonOut(BaseModel):
    title: str
    payload: str


class MessageOut(BaseModel):
    id: str | None = Field(description="Pass this id to the rating endpoint.")
    text: str = Field(description="Plain text; render it as text, never as HTML.")
    buttons: list[ButtonOut]
    bot: str = Field(
        description="The bot that answered (another bot when the front door routed the question)."
    )
    bot_name: str
    response: str = Field(description="The response or engine text this message came from (utter_…).")
    rateable: bool = Field(description="True for answers the resident can rate as helpful or not.")


class BotOut(BaseModel):
    id: str
    name: dict[str, str]
    description: dict[str, str]
    department: str


class BotsOut(BaseModel):
    bots: list[BotOut]


class SessionIn(BaseModel):
    language: Literal["ja", "en"] = "ja"


class SessionOut(BaseModel):
    session_id: str
    bot: str
    messages: list[MessageOut]


class MessageIn(BaseModel):
    session_id: str = Field(min_length=1, max_length=64)
    text: str = Field(description="What the resident typed, or a button's payload such as /auto_tax_payment.")
    idempotency_key: str | None = Field(
        default=None,
        max_length=64,
        description="Send the same key when retrying the same message: it is stored once.",
    )


class ReplyOut(BaseModel):
    session_id: str
    messages: list[MessageOut]
    status: str = Field(description="idle, in_form, awaiting_clarification or handed_off")
    replayed: bool = Field(description="True when this is the stored answer to a retried message.")


class RatingIn(BaseModel):
    session_id: str = Field(min_length=1, max_length=64)
    helpful: bool


class OkOut(BaseModel):
    ok: bool = True


class RestIn(BaseModel):
    """Rasa's REST channel body."""

    sender: str = Field(min_length=1, max_length=128)
    message: str


class RestMessageOut(BaseModel):
    recipient_id: str
    text: str
    buttons: list[ButtonOut] | None = None


class ParseIn(BaseModel):
    text: str
