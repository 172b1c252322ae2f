"""Resident messages handled together: one transaction and a handful of statements for many messages.

At hundreds of messages a second the cost of a transaction (BEGIN, COMMIT, a round trip per
statement, the wait for the log to reach the disk) outweighs the work of one message, so the
messages that arrive together are handled together (``chat_platform.batcher`` collects them):

1. their rate-limit counters (session or resident, and client address) are counted with one
   upsert, in a short transaction of its own (``TurnStore.count_requests`` says why);
2. their conversations are locked with one ``SELECT … FOR UPDATE`` (in id order, so two batches
   never deadlock); a conversation stays locked until the batch commits, so two workers never
   interleave one conversation;
3. their idempotency keys are looked up with one ``SELECT`` (after the lock: a retry that waited
   for the first copy's transaction sees what it stored) and retries are answered from storage;
4. each message goes through the dialogue engine in order, on the conversation's state as the
   previous message of the batch left it;
5. all messages, events and new states are written with one statement each, then committed.

Sessions started meanwhile are stored by the same transaction. A batch of one
(``ChatService.send``: tests, LINE) is the same code.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StatementError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core import errors
from core.runtime import BotRuntime, Bots
from core.settings import Settings
from core.storage.models import new_id
from shared_nlu.constants import CLARIFICATION_EVENT, USER_EVENT
from shared_nlu.dialogue.engine import Turn
from shared_nlu.dialogue.messages import BotMessage, DialogueEvent, is_rateable
from shared_nlu.dialogue.state import DialogueState

from .messages import Incoming, NewConversation, OutgoingMessage, Refused, Reply, hash_sender
from .privacy.masking import mask_answer, mask_personal_data
from .storage.turns import (
    ConversationChange,
    ConversationRow,
    EventRow,
    MessageRow,
    NewConversationRow,
    TurnStore,
    TurnWrites,
)

Result = Reply | Exception  # an errors.AppError for what the client must fix
Item = Incoming | NewConversation | Refused
log = logging.getLogger("madoguchi")
# SQLSTATE classes of errors one statement's data causes (a bad value, a constraint, a deadlock
# or serialization failure, a value too large): another transaction without it can succeed
_ONE_ROW_CLASSES = ("22", "23", "40", "54")


class TurnHandler:
    def __init__(
        self, store: TurnStore, runtime: BotRuntime, settings: Settings, retired: Callable[[], dict[str, str]]
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.settings = settings
        self.retired = retired  # bot id → retirement message (the admin side retires bots)

    def handle(self, items: Sequence[Item]) -> list[Result]:
        """Handle ``items`` in one transaction: a reply, or the error the client must fix, for each.

        One message that fails (it passed the checks, yet the database refuses what it would
        store, or its turn raises) fails only itself: a turn that raises is answered with its own
        error while the batch goes on; a write the database refuses rolls the batch back and each
        of its messages is handled again alone, so the others are stored and answered. The same
        retry covers two races: two transactions writing one idempotency key (a retry racing its
        first copy on another worker) and a deadlock PostgreSQL broke (two batches locking the
        residents of Rasa REST or LINE in another order); alone, in a fresh transaction, each
        sees what the other committed (a retry is then a replay). Raises only when the database
        itself fails (unreachable, locked, read-only): then it would fail for each alone too.
        Nothing of this costs the happy path: no savepoints, one ``try`` per turn."""
        results: list[Result | None] = [None] * len(items)
        with self.store.connect() as connection:
            self._limit(connection, items, results)
            waiting = [index for index, result in enumerate(results) if result is None]
            if waiting:
                # refused requests have their answer already
                batch = [item for index in waiting if not isinstance(item := items[index], Refused)]
                try:
                    outcomes = self._store(connection, batch)
                except Exception as exc:
                    if database_down(exc):
                        raise
                    log.warning("a batch of %d failed (%s): each is handled alone", len(batch), _name(exc))
                    outcomes = [self._store_alone(connection, item) for item in batch]
                for index, outcome in zip(waiting, outcomes, strict=True):
                    results[index] = outcome
        assert all(result is not None for result in results), "every item gets a reply or an error"
        return results  # type: ignore[return-value]

    def _store(self, connection: Connection, items: Sequence[Incoming | NewConversation]) -> list[Result]:
        """Sessions and messages (not over a limit) in one transaction; raises when a write fails."""
        bots = self.runtime.current
        results: list[Result | None] = [None] * len(items)
        positions = [index for index, item in enumerate(items) if isinstance(item, Incoming)]
        messages = [item for item in items if isinstance(item, Incoming)]
        answers: list[Result | None] = [None] * len(messages)
        writes = TurnWrites()
        with self.store.transaction(connection):
            for index, item in enumerate(items):
                if isinstance(item, NewConversation):
                    results[index] = self._start(bots, item, writes)
            if messages:
                self._answer(connection, bots, messages, answers, writes)
            self.store.write(connection, writes)
        for index, answer in zip(positions, answers, strict=True):
            results[index] = answer
        return results  # type: ignore[return-value]

    def _store_alone(self, connection: Connection, item: Incoming | NewConversation) -> Result:
        try:
            return self._store(connection, [item])[0]
        except Exception as exc:  # this one only: the others of its batch are stored and answered
            return exc if database_down(exc) else own_error(exc)

    def _answer(
        self,
        connection: Connection,
        bots: Bots,
        items: Sequence[Incoming],
        results: list[Result | None],
        writes: TurnWrites,
    ) -> None:
        conversations = self._conversations(connection, bots, items, results)
        self._replays(connection, items, conversations, results)
        answered: dict[tuple[str, str], Reply] = {}  # (conversation, key) answered in this batch
        for index, item in enumerate(items):
            conversation = conversations[index]
            if results[index] is not None or conversation is None:
                continue
            change = writes.conversations.get(conversation.id)
            if change is not None:  # the next message of a conversation starts where the last one left it
                conversation = conversation.changed(change)
            if item.key and (conversation.id, item.key) in answered:  # sent twice in one batch
                results[index] = replace(answered[conversation.id, item.key], replayed=True)
                continue
            mark = writes.mark()
            try:
                results[index] = reply = self._turn(bots, conversation, item, writes)
            except Exception as exc:  # this message only; nothing of its turn is written
                writes.undo(mark)
                results[index] = own_error(exc)
                continue
            if item.key:
                answered[conversation.id, item.key] = reply

    def _start(self, bots: Bots, item: NewConversation, writes: TurnWrites) -> Reply:
        """A new conversation (stored with the batch) and the bot's welcome, which is not stored."""
        conversation = self.new_conversation(
            bots, item.bot_id, item.channel, None, item.language, item.simulated, item.now
        )
        writes.new_conversations.append(conversation)
        welcome = bots.dialogue.welcome(item.bot_id, item.language)
        buttons = [{"title": b.title, "payload": b.payload} for b in welcome.buttons]
        name = bots.packs.packs[item.bot_id].bot.name.get(item.language, item.bot_id)
        message = OutgoingMessage("", welcome.text, buttons, item.bot_id, name, welcome.response, False)
        return Reply(conversation.id, [message], conversation.status, item.language)

    # ---- 2. conversations ---------------------------------------------------------------------
    def _conversations(
        self, connection: Connection, bots: Bots, items: Sequence[Incoming], results: list[Result | None]
    ) -> list[ConversationRow | None]:
        found: list[ConversationRow | None] = [None] * len(items)
        waiting = [index for index, result in enumerate(results) if result is None]  # not refused already
        session_ids = {session_id for i in waiting if (session_id := items[i].session_id) is not None}
        locked = self.store.lock_many(connection, sorted(session_ids))
        for index in waiting:
            item = items[index]
            if item.session_id is None:
                continue
            conversation = locked.get(item.session_id)
            if (
                conversation is None
                or conversation.bot_id != item.bot_id
                or self._expired(conversation, item.now)
            ):
                results[index] = errors.session_not_found()
            else:
                found[index] = conversation
        # channels that name the resident instead of a session (Rasa REST, LINE); in a fixed order
        by_sender = sorted(
            (i for i in waiting if items[i].session_id is None), key=lambda i: items[i].sender or ""
        )
        for index in by_sender:
            conversation = self._conversation_of_sender(connection, bots, items[index])
            found[index] = locked.setdefault(conversation.id, conversation)
        return found

    def _conversation_of_sender(self, connection: Connection, bots: Bots, item: Incoming) -> ConversationRow:
        assert item.sender is not None
        sender_hash = hash_sender(item.channel, item.sender)
        found = self.store.lock_latest_of_sender(connection, item.bot_id, item.channel, sender_hash)
        if found is not None and not self._expired(found, item.now):
            return found
        if found is not None and item.key and self.store.find_keys(connection, [found.id], [item.key]):
            return found  # a retry of a message stored just before the conversation expired
        if found is not None and found.ended_at is None:
            # idle too long: the next message starts a new session
            self.store.end_idle(connection, found.id, found.last_active_utc)
        # stored at once: a second message of this resident in the batch must find it
        conversation = self.new_conversation(
            bots, item.bot_id, item.channel, item.sender, "ja", item.simulated, item.now
        )
        self.store.create_conversation(connection, conversation)
        return conversation.read()

    def new_conversation(
        self,
        bots: Bots,
        bot_id: str,
        channel: str,
        sender: str | None,
        language: str,
        simulated: bool,
        now: datetime,
    ) -> NewConversationRow:
        conversation_id = new_id()
        state = bots.dialogue.new_session(conversation_id, bot_id).update(language=language).to_dict()
        return NewConversationRow(
            id=conversation_id,
            bot_id=bot_id,
            channel=channel,
            sender_hash=hash_sender(channel, sender) if sender else None,
            state=state,
            status=state["status"],
            language=language,
            handed_off=False,
            simulated=simulated,
            turns=0,
            message_count=0,
            started_at=now,
            last_active_at=now,
        )

    def _expired(self, conversation: ConversationRow, now: datetime) -> bool:
        idle = now - conversation.last_active_utc > timedelta(minutes=self.settings.session_idle_minutes)
        return conversation.ended_at is not None or idle

    # ---- 3. retries -----------------------------------------------------------------------------
    def _replays(
        self,
        connection: Connection,
        items: Sequence[Incoming],
        conversations: list[ConversationRow | None],
        results: list[Result | None],
    ) -> None:
        keyed: dict[int, tuple[str, str]] = {}  # index → (conversation, key)
        for index, item in enumerate(items):
            conversation = conversations[index]
            if item.key and results[index] is None and conversation is not None:
                keyed[index] = (conversation.id, item.key)
        if not keyed:
            return
        ids, keys = zip(*keyed.values(), strict=True)
        stored = self.store.find_keys(connection, sorted(set(ids)), sorted(set(keys)))
        for index, pair in keyed.items():
            incoming_id = stored.get(pair)
            conversation = conversations[index]
            if incoming_id is not None and conversation is not None:
                results[index] = self._replay(connection, conversation, incoming_id)

    def _replay(self, connection: Connection, conversation: ConversationRow, incoming_id: str) -> Reply:
        """A retry of a stored message: the answers stored for it, nothing new written."""
        packs = self.runtime.current.packs.packs
        messages = [
            outgoing(
                a.id,
                a.text,
                a.buttons,
                a.bot_id,
                a.response,
                packs,
                conversation.language,
                is_rateable(a.intent, a.response),
            )
            for a in self.store.stored_answers(connection, incoming_id)
        ]
        return Reply(conversation.id, messages, conversation.status, conversation.language, replayed=True)

    # ---- 1. rate limits -----------------------------------------------------------------------
    def _limit(self, connection: Connection, items: Sequence[Item], results: list[Result | None]) -> None:
        """Count each message, and each refused request, against its session's (or resident's) and
        its address's limit, and each conversation started against its address's, in a short
        transaction of its own (see ``TurnStore.count_requests``); retries count too. A refused
        request is answered with its error, or 429 once over."""
        limits: list[tuple[int, list[tuple[str, int]]]] = []
        for index, item in enumerate(items):
            if isinstance(item, NewConversation):
                if item.address:  # a conversation is stored and counted in the reports: starts are limited
                    limit = self.settings.rate_limit_sessions_per_address_per_minute
                    limits.append((index, [(f"n:{item.address}", limit)]))
                continue
            keys = []
            if item.session_id:
                keys.append((f"s:{item.session_id}", self.settings.rate_limit_per_minute))
            elif item.sender or isinstance(item, Incoming):
                keys.append(
                    (f"r:{hash_sender(item.channel, item.sender or '')}", self.settings.rate_limit_per_minute)
                )
            if item.address:
                keys.append((f"a:{item.address}", self.settings.rate_limit_per_address_per_minute))
            if keys:
                limits.append((index, keys))
            elif isinstance(item, Refused):  # nothing to count it by
                results[index] = item.error
        if not limits:
            return
        hits = Counter(key for _, keys in limits for key, _ in keys)
        now = time.time()  # real time, also for the simulator's messages from the past
        totals = self.store.count_requests(connection, hits, now)
        seen: Counter[str] = Counter()  # the n-th request of a key in this batch is its (total - hits + n)-th
        for index, keys in limits:
            over = False
            for key, limit in keys:
                seen[key] += 1
                over = over or totals[key] - hits[key] + seen[key] > limit
            item = items[index]
            if over:
                retry_after = max(1, 60 - int(now % 60))
                starts = isinstance(item, NewConversation)
                results[index] = (
                    errors.too_many_starts(retry_after) if starts else errors.rate_limited(retry_after)
                )
            elif isinstance(item, Refused):
                results[index] = item.error

    # ---- 4. and 5. the turn ---------------------------------------------------------------------
    def _turn(self, bots: Bots, conversation: ConversationRow, item: Incoming, writes: TurnWrites) -> Reply:
        if item.bot_id in self.retired():
            turn = self._retired_turn(bots, conversation, item.bot_id)
        else:
            turn = bots.dialogue.handle(DialogueState.from_dict(conversation.state), item.text, item.now)
        messages = self._rows(bots, conversation, item, turn, writes)
        state = turn.state
        change = ConversationChange(
            id=conversation.id,
            state=state.to_dict(),
            status=str(state.status),
            language=state.language,
            handed_off=conversation.handed_off or state.handed_off,
            turns=conversation.turns + 1,
            message_count=conversation.message_count + 1 + len(turn.messages),
            last_active_at=item.now,
        )
        writes.conversations[change.id] = change  # also where the next message of it in the batch starts
        return Reply(change.id, messages, change.status, change.language)

    def _retired_turn(self, bots: Bots, conversation: ConversationRow, bot_id: str) -> Turn:
        """A retired bot answers every message with its retirement message and where to go now."""
        state = DialogueState.from_dict(conversation.state).update(turns=conversation.turns + 1)
        pack = bots.packs.packs[bot_id]
        contact = pack.bot.contact
        pointer = f"お問い合わせ: {contact.name['ja']}（電話 {contact.phone}）"
        body = self.retired().get(bot_id) or f"{pack.bot.name['ja']}は提供を終了しました。"
        message = BotMessage(f"{body}\n{pointer}", "utter_retired", bot_id)
        return Turn(state, [message], [DialogueEvent("retired", {"bot": bot_id})], None, ["utter_retired"])

    def _rows(
        self, bots: Bots, conversation: ConversationRow, item: Incoming, turn: Turn, writes: TurnWrites
    ) -> list[OutgoingMessage]:
        parse = turn.parse
        masked = mask_personal_data(item.text)
        seq = conversation.message_count
        simulated = conversation.simulated
        incoming_id = new_id()
        writes.messages.append(
            MessageRow(
                id=incoming_id,
                conversation_id=conversation.id,
                direction="in",
                seq=seq,
                bot_id=conversation.bot_id,
                channel=item.channel,
                text=masked.text,
                masked_kinds=",".join(masked.kinds) or None,
                intent=parse.intent if parse else None,
                confidence=parse.confidence if parse else None,
                answered_bot=parse.bot if parse else None,
                fallback=bool(parse and parse.is_fallback),
                clarification=any(e.type == CLARIFICATION_EVENT for e in turn.events),
                response=None,
                buttons=None,
                reply_to=None,
                idempotency_key=item.key,
                simulated=simulated,
                created_at=item.now,
            )
        )
        answers = []
        for offset, message in enumerate(turn.messages, start=1):
            answer_id = new_id()
            answer_masked = mask_answer(message.text)
            buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
            # bot texts can repeat what the resident typed (a rejected value), so they are masked too
            writes.messages.append(
                MessageRow(
                    id=answer_id,
                    conversation_id=conversation.id,
                    direction="out",
                    seq=seq + offset,
                    bot_id=message.bot,
                    channel=item.channel,
                    text=answer_masked.text,
                    masked_kinds=",".join(answer_masked.kinds) or None,
                    intent=message.intent,
                    confidence=None,
                    answered_bot=None,
                    fallback=False,
                    clarification=False,
                    response=message.response,
                    buttons=buttons,
                    reply_to=incoming_id,
                    idempotency_key=None,
                    simulated=simulated,
                    created_at=item.now,
                )
            )
            answers.append(
                outgoing(
                    answer_id,
                    message.text,
                    buttons,
                    message.bot,
                    message.response,
                    bots.packs.packs,
                    turn.state.language,
                    message.rateable,
                )
            )
        writes.events.extend(
            EventRow(
                conversation_id=conversation.id,
                bot_id=conversation.bot_id,
                type=event.type,
                data=event.data,
                simulated=simulated,
                created_at=item.now,
            )
            for event in turn.events
            if event.type != USER_EVENT
        )
        return answers


def database_down(exc: BaseException) -> bool:
    """The database itself failed (unreachable, pool exhausted, locked, read-only, disk full):
    every message would fail alone too, so the batch is not tried again one by one."""
    if isinstance(exc, PoolTimeout | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        state = getattr(exc.orig, "sqlstate", None)
        if state:
            return str(state)[:2] not in _ONE_ROW_CLASSES
        return isinstance(exc, OperationalError)  # SQLite: locked, read-only, disk full
    return False


def own_error(exc: Exception) -> Exception:
    """What to answer the one message that failed in its batch: 422 when what it holds cannot be
    stored (its checks missed something), else the error itself (409 for a constraint, 503 for a
    deadlock, 500 for a bug), logged in one line without its text."""
    if isinstance(exc, IntegrityError) or (isinstance(exc, DBAPIError) and not isinstance(exc, DataError)):
        return exc
    cause = exc.orig if isinstance(exc, StatementError) else exc
    # a lone surrogate: sqlite3 cannot encode it, orjson cannot write it for PostgreSQL
    if isinstance(exc, DataError) or isinstance(cause, UnicodeError | orjson.JSONEncodeError):
        log.warning("a message could not be stored: %s", _name(exc))
        return errors.unstorable()
    log.error("a message failed: %s", _name(exc))
    return exc


def _name(exc: BaseException) -> str:
    return exc.__class__.__name__  # never the message: it can quote the resident's text


def outgoing(
    message_id: str,
    text: str,
    buttons: list[dict[str, str]],
    bot: str,
    response: str,
    packs: dict[str, Any],
    language: str,
    rateable: bool,
) -> OutgoingMessage:
    pack = packs.get(bot)
    name = pack.bot.name.get(language, pack.bot.name["ja"]) if pack else bot
    return OutgoingMessage(message_id, text, buttons, bot, name, response, rateable)
