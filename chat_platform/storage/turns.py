"""The statements of the message path (``chat_platform.turn_handler``), built once.

Core statements on the tables, not the ORM: at hundreds of messages a second the ORM's flushes
(11 round trips per message) cost most of a worker's CPU. Whatever the number of messages in a
batch, it costs one statement for each step: lock the conversations, look up idempotency keys,
count rate limits, insert messages, insert events, update conversations.

The row lock keeps two workers from interleaving one conversation; on SQLite, which has no row
locks, the transaction takes the database's write lock before reading (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, Literal

from sqlalchemy import (
    ARRAY,
    Connection,
    String,
    Table,
    TextClause,
    any_,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)

from core.storage.database import Database
from core.storage.models import Conversation, Event, Message, RateCounter

from . import bulk

conversations: Table = Conversation.__table__  # type: ignore[assignment]
messages: Table = Message.__table__  # type: ignore[assignment]
events: Table = Event.__table__  # type: ignore[assignment]
rate_counters: Table = RateCounter.__table__  # type: ignore[assignment]

# ---- the rows of the message path -------------------------------------------------------------------
# One typed row per shape a statement reads or writes. The SQL's column lists are the rows' fields
# (``columns_of``), for both databases; ``ROWS`` says which table each row is of and which of its
# columns the row leaves out on purpose, and tests/test_turn_rows.py checks that against the
# migrated schema on SQLite and on PostgreSQL: a new column fails that test until each row of its
# table carries it or leaves it out. Frozen, with slots: a turn's rows are made for every message.


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """What a turn needs of a conversation, as read under its row lock."""

    id: str
    bot_id: str
    channel: str
    state: dict[str, Any]
    status: str
    language: str
    handed_off: bool
    simulated: bool
    turns: int
    message_count: int
    last_active_at: datetime
    ended_at: datetime | None

    @property
    def last_active_utc(self) -> datetime:
        # SQLite hands datetimes back without their zone; they are stored in UTC
        last = self.last_active_at
        return last if last.tzinfo else last.replace(tzinfo=UTC)

    def changed(self, change: ConversationChange) -> ConversationRow:
        """This conversation as ``change`` (a turn of it earlier in the batch) left it."""
        return replace(self, **{name: getattr(change, name) for name in columns_of(ConversationChange)})


@dataclass(frozen=True, slots=True)
class NewConversationRow:
    """A conversation as it is first stored."""

    id: str
    bot_id: str
    channel: str
    sender_hash: str | None  # Rasa REST and LINE: the hashed sender, to find the conversation again
    state: dict[str, Any]
    status: str
    language: str
    handed_off: bool
    simulated: bool
    turns: int
    message_count: int
    started_at: datetime
    last_active_at: datetime

    def read(self) -> ConversationRow:
        """This conversation as a turn sees it."""
        return ConversationRow(
            self.id,
            self.bot_id,
            self.channel,
            self.state,
            self.status,
            self.language,
            self.handed_off,
            self.simulated,
            self.turns,
            self.message_count,
            self.last_active_at,
            None,
        )


@dataclass(frozen=True, slots=True)
class ConversationChange:
    """What a turn changed in a conversation (``id``: which one); a batch stores its last one."""

    id: str
    state: dict[str, Any]
    status: str
    language: str
    handed_off: bool
    turns: int
    message_count: int
    last_active_at: datetime


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made the 19
# fields of a message cost 9-13 µs to build against 3 µs (a few messages a turn, every turn).
# Rows are built once and never changed after.
@dataclass(slots=True)
class MessageRow:
    """A message in either direction: one shape for both, so a batch's messages are one INSERT."""

    id: str
    conversation_id: str
    direction: str
    seq: int
    bot_id: str
    channel: str
    text: str  # masked
    masked_kinds: str | None
    intent: str | None
    confidence: float | None
    answered_bot: str | None
    fallback: bool
    clarification: bool
    response: str | None
    buttons: list[dict[str, str]] | None
    reply_to: str | None
    idempotency_key: str | None
    simulated: bool
    created_at: datetime


@dataclass(slots=True)  # not frozen, as MessageRow
class EventRow:
    conversation_id: str
    bot_id: str
    type: str
    data: dict[str, Any]
    simulated: bool
    created_at: datetime


@dataclass(frozen=True)
class RowShape:
    """A row dataclass of the message path and the table it is of: ``read`` rows are what a
    ``SELECT`` returns, ``insert`` rows what an ``INSERT`` stores (the columns left out must fill
    themselves: nullable, a server default, the autoincrement key), ``update`` rows the table's
    key then the columns an ``UPDATE`` sets. ``left_out``: the table's columns the row does not
    carry, each on purpose."""

    row: type
    table: Table
    use: Literal["read", "insert", "update"]
    left_out: frozenset[str] = frozenset()


ROWS = (
    # the lock finds a resident's latest conversation by these two; a turn needs neither
    RowShape(ConversationRow, conversations, "read", frozenset({"sender_hash", "started_at"})),
    RowShape(NewConversationRow, conversations, "insert", frozenset({"ended_at"})),  # a new one is open
    # an idle conversation is ended apart (``TurnStore.end_idle``); the rest never changes
    RowShape(
        ConversationChange,
        conversations,
        "update",
        frozenset({"bot_id", "channel", "sender_hash", "simulated", "started_at", "ended_at"}),
    ),
    RowShape(MessageRow, messages, "insert"),
    RowShape(EventRow, events, "insert", frozenset({"id"})),  # numbered by the database
)


def columns_of(row: type) -> list[str]:
    """The columns a row dataclass reads or writes: its fields' names, in order."""
    return [f.name for f in fields(row)]


def _mappings(row: type, names: Sequence[str] = ()) -> Callable[[Sequence[Any]], list[dict[str, Any]]]:
    """Rows of type ``row`` as the dicts SQLAlchemy's Core ``executemany`` takes (SQLite), keyed by
    their fields' names or, given, by ``names`` (the same number, in the fields' order)."""
    fields_ = columns_of(row)
    names = list(names or fields_)
    assert len(names) == len(fields_), f"{row.__name__}: one name for each of {fields_}"
    values = attrgetter(*fields_)  # one C call per row for all its fields

    def mappings(rows: Sequence[Any]) -> list[dict[str, Any]]:
        return [dict(zip(names, values(r), strict=True)) for r in rows]

    return mappings


# Built once at import: building a statement costs more than running it from SQLAlchemy's cache.
_COLUMNS = [conversations.c[name] for name in columns_of(ConversationRow)]


def _lock_by_id(ids: Any) -> Any:
    # in id order, so two transactions locking some of the same conversations never deadlock
    return select(*_COLUMNS).where(ids).order_by(conversations.c.id).with_for_update(of=conversations)


def _keys(ids: Any, keys: Any) -> Any:
    return select(messages.c.conversation_id, messages.c.idempotency_key, messages.c.id).where(ids, keys)


# A list parameter: SQLite gets IN with one parameter per element ("expanding", re-rendered for
# every call); PostgreSQL takes the whole list as one array, so the statement text never changes.
_IN = {
    "sqlite": (
        _lock_by_id(conversations.c.id.in_(bindparam("ids", expanding=True))),
        _keys(
            messages.c.conversation_id.in_(bindparam("ids", expanding=True)),
            messages.c.idempotency_key.in_(bindparam("keys", expanding=True)),
        ),
    ),
    "postgresql": (
        _lock_by_id(conversations.c.id == any_(bindparam("ids", type_=ARRAY(String)))),
        _keys(
            messages.c.conversation_id == any_(bindparam("ids", type_=ARRAY(String))),
            messages.c.idempotency_key == any_(bindparam("keys", type_=ARRAY(String))),
        ),
    ),
}
_LOCK_BY_SENDER = (
    select(*_COLUMNS)
    .where(
        conversations.c.bot_id == bindparam("bot_id"),
        conversations.c.channel == bindparam("channel"),
        conversations.c.sender_hash == bindparam("sender_hash"),
    )
    .order_by(conversations.c.started_at.desc())
    .limit(1)
    .with_for_update(of=conversations)
)
_STORED_ANSWERS = (
    select(
        messages.c.id,
        messages.c.text,
        messages.c.buttons,
        messages.c.bot_id,
        messages.c.response,
        messages.c.intent,
    )
    .where(messages.c.reply_to == bindparam("incoming"))
    .order_by(messages.c.seq)
)
_INSERT_CONVERSATION = insert(conversations)
# SQLite: executemany of each row type's dicts (in-process, cheap); PostgreSQL: storage/bulk.py
_INSERT_MESSAGES = insert(messages)
_INSERT_EVENTS = insert(events)
_UPDATE_CONVERSATION = update(conversations).where(conversations.c.id == bindparam("conversation_id"))
_CHANGED = columns_of(ConversationChange)[1:]  # after the key, ``id``
_NEW_CONVERSATION_VALUES = _mappings(NewConversationRow)
_MESSAGE_VALUES = _mappings(MessageRow)
_EVENT_VALUES = _mappings(EventRow)
# the key under another name: "id" would also be the SET clause's column
_CHANGE_VALUES = _mappings(ConversationChange, ["conversation_id", *_CHANGED])
_END = (
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"), conversations.c.ended_at.is_(None))
    .values(ended_at=bindparam("ended_at"))
)


@lru_cache(maxsize=256)
def _count_statement(keys: int) -> TextClause:
    # Text, not Core: SQLAlchemy cannot cache a multi-row upsert, and compiling it for every batch
    # cost more than running it. The same SQL runs on PostgreSQL and on SQLite (3.35 or later).
    rows = ", ".join(f"(:key{i}, :window, :hits{i})" for i in range(keys))
    return text(
        f"INSERT INTO rate_counters (key, window_start, count) VALUES {rows} "
        "ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + excluded.count "
        "RETURNING key, count"
    )


@dataclass(frozen=True)
class StoredAnswer:
    id: str
    text: str
    buttons: list[dict[str, str]]
    bot_id: str
    response: str
    intent: str | None


@dataclass
class TurnWrites:
    """Everything a batch of turns stores: one row shape per table, so each is one statement."""

    new_conversations: list[NewConversationRow] = field(default_factory=list)  # sessions started
    messages: list[MessageRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    conversations: dict[str, ConversationChange] = field(default_factory=dict)  # id → its last change

    def mark(self) -> tuple[int, int]:
        """Where a turn's rows start, so a turn that fails halfway can take its rows back."""
        return len(self.messages), len(self.events)

    def undo(self, mark: tuple[int, int]) -> None:
        del self.messages[mark[0] :], self.events[mark[1] :]


class TurnStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._json_rows = db.engine.dialect.name == "postgresql"  # see storage/bulk.py
        self._lock_by_id, self._keys = _IN["postgresql" if self._json_rows else "sqlite"]
        self._write_all = bulk.in_one_statement(
            bulk.insert_sql(conversations, columns_of(NewConversationRow), "new_conversations"),
            bulk.insert_sql(messages, columns_of(MessageRow), "messages"),
            bulk.insert_sql(events, columns_of(EventRow), "events"),
            last=bulk.update_sql(conversations, "id", _CHANGED, "updates"),
        )

    @contextmanager
    def transaction(self, connection: Connection | None = None) -> Iterator[Connection]:
        """One transaction (on ``connection``, or a connection of its own): committed when the
        block ends, rolled back if it raises."""
        with (
            self.db.engine.connect() if connection is None else nullcontext(connection) as connection,
            connection.begin(),
        ):
            if self.db.is_sqlite:  # no row locks there: take the database's write lock before reading
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield connection

    def connect(self) -> Connection:
        return self.db.engine.connect()

    # ---- reads (under the transaction's locks) ----------------------------------------------------
    def lock_many(self, connection: Connection, ids: Sequence[str]) -> dict[str, ConversationRow]:
        """These conversations (those that exist), locked until the transaction ends."""
        if not ids:
            return {}
        rows = connection.execute(self._lock_by_id, {"ids": list(ids)})
        return {row[0]: ConversationRow(*row) for row in rows}

    def lock_latest_of_sender(
        self, connection: Connection, bot_id: str, channel: str, sender_hash: str
    ) -> ConversationRow | None:
        """The sender's most recent conversation with this bot on this channel (Rasa REST, LINE)."""
        parameters = {"bot_id": bot_id, "channel": channel, "sender_hash": sender_hash}
        row = connection.execute(_LOCK_BY_SENDER, parameters).first()
        return ConversationRow(*row) if row is not None else None

    def find_keys(
        self, connection: Connection, conversation_ids: Sequence[str], keys: Sequence[str]
    ) -> dict[tuple[str, str], str]:
        """(conversation, idempotency key) → the stored incoming message, for keys already used."""
        rows = connection.execute(self._keys, {"ids": list(conversation_ids), "keys": list(keys)})
        return {(conversation, key): message for conversation, key, message in rows}

    def stored_answers(self, connection: Connection, incoming_id: str) -> list[StoredAnswer]:
        rows = connection.execute(_STORED_ANSWERS, {"incoming": incoming_id}).all()
        return [
            StoredAnswer(r.id, r.text, r.buttons or [], r.bot_id, r.response or "", r.intent) for r in rows
        ]

    # ---- writes -----------------------------------------------------------------------------------
    def count_requests(
        self, connection: Connection, hits: Mapping[str, int], now: float | None = None
    ) -> dict[str, int]:
        """Add ``hits`` to each key's counter for the current minute; return the new totals.

        Committed at once, apart from the turn, and without waiting for the disk (on PostgreSQL,
        ``Database.counters``): every message of every worker from one address counts on the same
        row, and holding its lock until a turn's commit reached the disk made every worker wait in
        line for it. A counter lost in a crash costs nothing (it counts requests for one minute)."""
        now = time.time() if now is None else now
        if self.db.counters is self.db.engine:  # SQLite: one more short transaction
            with connection.begin():
                return self._count(connection, hits, now)
        with self.db.counters.connect() as counters:  # autocommit, synchronous_commit off
            return self._count(counters, hits, now)

    def _count(self, connection: Connection, hits: Mapping[str, int], now: float) -> dict[str, int]:
        stored = {counter_key(key): key for key in hits}  # one row per key, whatever it holds
        parameters: dict[str, Any] = {"window": int(now // 60)}
        for i, (key, original) in enumerate(stored.items()):
            parameters[f"key{i}"] = key
            parameters[f"hits{i}"] = hits[original]
        rows = connection.execute(_count_statement(len(stored)), parameters)
        return {stored[key]: count for key, count in rows}

    def create_conversation(self, connection: Connection, row: NewConversationRow) -> None:
        connection.execute(_INSERT_CONVERSATION, _NEW_CONVERSATION_VALUES([row])[0])

    def write(self, connection: Connection, writes: TurnWrites) -> None:
        """Store a batch's messages and events and its conversations' new state."""
        changes = list(writes.conversations.values())
        if self._json_rows:
            connection.execute(
                self._write_all,
                {
                    "new_conversations": bulk.as_json(writes.new_conversations),
                    "messages": bulk.as_json(writes.messages),
                    "events": bulk.as_json(writes.events),
                    "updates": bulk.as_json(changes),
                    "updates_keys": list(writes.conversations),
                },
            )
            return
        if writes.new_conversations:
            connection.execute(_INSERT_CONVERSATION, _NEW_CONVERSATION_VALUES(writes.new_conversations))
        if writes.messages:
            connection.execute(_INSERT_MESSAGES, _MESSAGE_VALUES(writes.messages))
        if writes.events:
            connection.execute(_INSERT_EVENTS, _EVENT_VALUES(writes.events))
        if changes:
            connection.execute(_UPDATE_CONVERSATION, _CHANGE_VALUES(changes))

    def end_idle(self, connection: Connection, conversation_id: str, ended_at: datetime) -> None:
        connection.execute(_END, {"conversation_id": conversation_id, "ended_at": ended_at})


def counter_key(key: str) -> str:
    """``key`` as a counter's key: itself when it is short printable ASCII (an address, a session
    id), else its prefix and a hash. A key is made of what clients send (session ids, forwarded
    addresses): NUL or a lone surrogate in it must not fail the statement that counts a whole
    batch, nor may two long keys cut to the column's 128 characters become one."""
    if len(key) <= 128 and key.isascii() and key.isprintable():
        return key
    kind, colon, _ = key.partition(":")  # "s", "a" …: which limit it is, kept readable
    kind = kind if colon and len(kind) <= 8 and kind.isascii() and kind.isalnum() else "x"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:#{digest}"


def prune_rate_counters(connection: Connection, now: float | None = None) -> int:
    """Delete counters of finished windows (called now and then; they are useless after a minute)."""
    window = int((time.time() if now is None else now) // 60)
    result = connection.execute(delete(rate_counters).where(rate_counters.c.window_start < window - 1))
    return int(getattr(result, "rowcount", 0) or 0)
