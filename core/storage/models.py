"""The database schema, defined once and shared by the chat service and the admin side.

Message text is stored only after personal data has been masked (``chat_platform.privacy``).
Timestamps are UTC. Relationships refuse lazy loading so no query hides in attribute access.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Conversation(Base):
    """One resident's session with one bot on one channel."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    bot_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # widget | rest | line
    sender_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # hashed channel user id
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32), default="idle")
    language: Mapped[str] = mapped_column(String(8), default="ja")
    handed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    turns: Mapped[int] = mapped_column(Integer, default=0)  # resident messages
    message_count: Mapped[int] = mapped_column(Integer, default=0)  # both directions; orders messages
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    last_active_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Message(Base):
    """A message in either direction. Incoming ones carry the parse; outgoing ones the response."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "idempotency_key"),
        Index("ix_messages_bot_created", "bot_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # no index of its own: the unique (conversation_id, idempotency_key) index starts with it
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    seq: Mapped[int] = mapped_column(Integer)  # order within the conversation
    bot_id: Mapped[str] = mapped_column(String(64))  # the bot opened (in) or the bot that answered (out)
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)  # masked
    # the kinds of personal data masked in ``text``, comma-separated ("phone,name"); never the data
    masked_kinds: Mapped[str | None] = mapped_column(String(200))
    intent: Mapped[str | None] = mapped_column(String(128))
    confidence: Mapped[float | None] = mapped_column(Float)
    answered_bot: Mapped[str | None] = mapped_column(String(64))  # in: the bot the NLU routed to
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    clarification: Mapped[bool] = mapped_column(Boolean, default=False)
    response: Mapped[str | None] = mapped_column(String(128))  # out: utter_… name
    buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    reply_to: Mapped[str | None] = mapped_column(String(32), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Event(Base):
    """Dialogue events (form started, hand-off, clarification …) for the reports."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    bot_id: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Rating(Base):
    """A resident's "was this helpful?" on one bot message (one rating per message)."""

    __tablename__ = "ratings"

    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    bot_id: Mapped[str] = mapped_column(String(64), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RateCounter(Base):
    """Fixed-window request counters shared by every worker (key = session or client address)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)  # unix minute
    count: Mapped[int] = mapped_column(Integer, default=0)


class PackVersion(Base):
    """A version of one bot's pack. ``bots/`` on disk is version 1; the admin API adds more."""

    __tablename__ = "pack_versions"
    __table_args__ = (UniqueConstraint("bot_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bot_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    files: Mapped[dict[str, str]] = mapped_column(JSON)  # file name → text
    digest: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(128))
    comment: Mapped[str | None] = mapped_column(Text)
    diff: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Project(Base):
    """An ICT project in the prefecture's inventory (棚卸し): a department's town-DX (街のDX) or
    internal-DX (庁内DX) line, or one chatbot served by this platform (``bot_id`` set)."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("fiscal_year", "department", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)  # 2021 = April 2021 – March 2022
    department: Mapped[str] = mapped_column(String(64), index=True)  # 部局名
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # 街のDX | 庁内DX
    budget_thousand_yen: Mapped[int | None] = mapped_column(Integer)  # 事業費（千円）; None = not known
    sub_projects: Mapped[int] = mapped_column(Integer, default=1)  # 件数
    main_project: Mapped[str | None] = mapped_column(String(200))  # 主な事業
    bot_id: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    retired_on: Mapped[date | None] = mapped_column(Date)
    retirement_message: Mapped[str | None] = mapped_column(Text)
    service_start: Mapped[date | None] = mapped_column(Date)
    vendor_before: Mapped[str | None] = mapped_column(String(200))  # vendor before consolidation
    budget_before_thousand_yen: Mapped[int | None] = mapped_column(
        Integer
    )  # yearly cost as a separate system
    source: Mapped[str] = mapped_column(String(32), default="manual")  # manual | inventory_fy2021 | bots
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ApiToken(Base):
    """An admin API token. Only a hash is stored; the token itself is shown once when created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, to recognise a token in lists
    role: Mapped[str] = mapped_column(String(16))  # strategy | department | viewer
    department: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))  # who holds it; written to the audit log
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: never (see 0005)


class AuditEntry(Base):
    """Every change made through the admin API or command line: who, what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Setting(Base):
    """Platform-wide settings managed from the admin side (e.g. the shared cost and its allocation)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
