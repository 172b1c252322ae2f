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

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from shared_nlu.dialogue.engine import Turn
from shared_nlu.dialogue.messages import BotMessage
from shared_nlu.dialogue.messages import Event as DialogueEvent
from shared_nlu.dialogue.state import SessionState

from . import errors
from .messages import NOT_RATEABLE, Incoming, NewSession, OutgoingMessage, Reply, hash_sender, is_rateable
from .privacy.masking import mask_answer, mask_personal_data
from .runtime import BotRuntime, Bots
from .settings import Settings
from .storage.models import new_id
from .storage.turns import ConversationRow, TurnStore, TurnWrites

Result = Reply | Exception  # an errors.AppError for what the client must fix


@dataclass(frozen=True)
class NewConversation:
    row: ConversationRow  # as a turn sees it
    values: dict[str, Any]  # as it is stored


class TurnHandler:
    def __init__(
        self, store: TurnStore, runtime: BotRuntime, settings: Settings, retired: Callable[[], dict[str, str]]
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.settings = settings
        self.retired = retired  # bot id → retirement message (the admin side retires bots)

    def handle(self, items: Sequence[Incoming | NewSession]) -> list[Result]:
        """Handle ``items`` in one transaction: a reply, or the error the client must fix, for each.
        Database errors raise (for all of them: nothing of the batch is stored)."""
        bots = self.runtime.current
        results: list[Result | None] = [None] * len(items)
        positions = [index for index, item in enumerate(items) if isinstance(item, Incoming)]
        messages = [item for item in items if isinstance(item, Incoming)]
        writes = TurnWrites()
        with self.store.connect() as connection:
            self._limit(connection, items, results)
            answers = [results[index] for index in positions]  # the messages refused by a limit
            with self.store.transaction(connection):
                for index, item in enumerate(items):
                    if isinstance(item, NewSession) and results[index] is None:
                        results[index] = self._start(bots, item, writes)
                if messages:
                    self._answer(connection, bots, messages, answers, writes)
                self.store.write(connection, writes)
        for index, answer in zip(positions, answers, strict=True):
            results[index] = answer
        assert all(result is not None for result in results), "every item gets a reply or an error"
        return results  # type: ignore[return-value]

    def _answer(self, connection: Connection, bots: Bots, items: Sequence[Incoming],
                results: list[Result | None], writes: TurnWrites) -> None:  # fmt: skip
        conversations = self._conversations(connection, bots, items, results)
        self._replays(connection, items, conversations, results)
        answered: dict[tuple[str, str], Reply] = {}  # (conversation, key) answered in this batch
        for index, item in enumerate(items):
            conversation = conversations[index]
            if results[index] is not None or conversation is None:
                continue
            if item.key and (conversation.id, item.key) in answered:  # sent twice in one batch
                results[index] = replace(answered[conversation.id, item.key], replayed=True)
                continue
            results[index] = reply = self._turn(bots, conversation, item, writes)
            if item.key:
                answered[conversation.id, item.key] = reply

    def _start(self, bots: Bots, item: NewSession, writes: TurnWrites) -> Reply:
        """A new conversation (stored with the batch) and the bot's welcome, which is not stored."""
        conversation = self.new_conversation(
            bots, item.bot_id, item.channel, None, item.language, item.simulated, item.now
        )
        writes.new_conversations.append(conversation.values)
        welcome = bots.dialogue.welcome(item.bot_id, item.language)
        buttons = [{"title": b.title, "payload": b.payload} for b in welcome.buttons]
        name = bots.packs.packs[item.bot_id].bot.name.get(item.language, item.bot_id)
        message = OutgoingMessage("", welcome.text, buttons, item.bot_id, name, welcome.response, False)
        return Reply(conversation.row.id, [message], conversation.row.status, item.language)

    # ---- 2. conversations ---------------------------------------------------------------------
    def _conversations(self, connection: Connection, bots: Bots, items: Sequence[Incoming],
                       results: list[Result | None]) -> list[ConversationRow | None]:  # fmt: skip
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
            found[index] = locked.setdefault(conversation.id, conversation)  # one row object per conversation
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
        self.store.create_conversation(connection, conversation.values)
        return conversation.row

    def new_conversation(self, bots: Bots, bot_id: str, channel: str, sender: str | None, language: str,
                         simulated: bool, now: datetime) -> NewConversation:  # fmt: skip
        conversation_id = new_id()
        state = bots.dialogue.new_session(conversation_id, bot_id).update(language=language).to_dict()
        row = ConversationRow(
            id=conversation_id, bot_id=bot_id, channel=channel, state=state, status=state["status"],
            language=language, handed_off=False, simulated=simulated, turns=0, message_count=0,
            last_active_at=now, ended_at=None,
        )  # fmt: skip
        values = {
            "id": row.id, "bot_id": bot_id, "channel": channel, "state": state, "status": row.status,
            "sender_hash": hash_sender(channel, sender) if sender else None, "language": language,
            "handed_off": False, "simulated": simulated, "turns": 0, "message_count": 0,
            "started_at": now, "last_active_at": now,
        }  # fmt: skip
        return NewConversation(row, values)

    def _expired(self, conversation: ConversationRow, now: datetime) -> bool:
        idle = now - conversation.last_active_utc > timedelta(minutes=self.settings.session_idle_minutes)
        return conversation.ended_at is not None or idle

    # ---- 3. retries -----------------------------------------------------------------------------
    def _replays(self, connection: Connection, items: Sequence[Incoming],
                 conversations: list[ConversationRow | None], results: list[Result | None]) -> None:  # fmt: skip
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
            outgoing(a.id, a.text, a.buttons, a.bot_id, a.response, packs, conversation.language,
                     a.intent is not None and a.response not in NOT_RATEABLE)
            for a in self.store.stored_answers(connection, incoming_id)
        ]  # fmt: skip
        return Reply(conversation.id, messages, conversation.status, conversation.language, replayed=True)

    # ---- 1. rate limits -----------------------------------------------------------------------
    def _limit(
        self, connection: Connection, items: Sequence[Incoming | NewSession], results: list[Result | None]
    ) -> None:
        """Count each message against its session's (or resident's) and its address's limit, and each
        conversation started against its address's, in a short transaction of its own (see
        ``TurnStore.count_requests``); retries count too."""
        limits: list[tuple[int, list[tuple[str, int]]]] = []
        for index, item in enumerate(items):
            if isinstance(item, NewSession):
                if item.address:  # a conversation is stored and counted in the reports: starts are limited
                    limit = self.settings.rate_limit_sessions_per_address_per_minute
                    limits.append((index, [(f"n:{item.address}"[:128], limit)]))
                continue
            who = (
                f"s:{item.session_id}"
                if item.session_id
                else f"r:{hash_sender(item.channel, item.sender or '')}"
            )
            keys = [(who, self.settings.rate_limit_per_minute)]
            if item.address:
                keys.append((f"a:{item.address}"[:128], self.settings.rate_limit_per_address_per_minute))
            limits.append((index, keys))
        hits = Counter(key for _, keys in limits for key, _ in keys)
        if not hits:
            return
        now = time.time()  # real time, also for the simulator's messages from the past
        totals = self.store.count_requests(connection, hits, now)
        seen: Counter[str] = Counter()  # the n-th request of a key in this batch is its (total - hits + n)-th
        for index, keys in limits:
            over = False
            for key, limit in keys:
                seen[key] += 1
                over = over or totals[key] - hits[key] + seen[key] > limit
            if over:
                retry_after = max(1, 60 - int(now % 60))
                starts = isinstance(items[index], NewSession)
                results[index] = (
                    errors.too_many_starts(retry_after) if starts else errors.rate_limited(retry_after)
                )

    # ---- 4. and 5. the turn ---------------------------------------------------------------------
    def _turn(self, bots: Bots, conversation: ConversationRow, item: Incoming, writes: TurnWrites) -> Reply:
        if item.bot_id in self.retired():
            turn = self._retired_turn(bots, conversation, item.bot_id)
        else:
            turn = bots.dialogue.handle(SessionState.from_dict(conversation.state), item.text, item.now)
        messages = self._rows(bots, conversation, item, turn, writes)
        state = turn.state
        # the next message of this conversation in the batch starts from here
        conversation.state = state.to_dict()
        conversation.status = str(state.status)
        conversation.language = state.language
        conversation.handed_off = conversation.handed_off or state.handed_off
        conversation.turns += 1
        conversation.message_count += 1 + len(turn.messages)
        conversation.last_active_at = item.now
        writes.conversations[conversation.id] = {
            "state": conversation.state, "status": conversation.status, "language": conversation.language,
            "handed_off": conversation.handed_off, "turns": conversation.turns,
            "message_count": conversation.message_count, "last_active_at": item.now,
        }  # fmt: skip
        return Reply(conversation.id, messages, conversation.status, conversation.language)

    def _retired_turn(self, bots: Bots, conversation: ConversationRow, bot_id: str) -> Turn:
        """A retired bot answers every message with its retirement message and where to go now."""
        state = SessionState.from_dict(conversation.state).update(turns=conversation.turns + 1)
        pack = bots.packs.packs[bot_id]
        contact = pack.bot.contact
        pointer = f"お問い合わせ: {contact.name['ja']}（電話 {contact.phone}）"
        body = self.retired().get(bot_id) or f"{pack.bot.name['ja']}は提供を終了しました。"
        message = BotMessage(f"{body}\n{pointer}", "utter_retired", bot_id)
        return Turn(state, [message], [DialogueEvent("retired", {"bot": bot_id})], None, ["utter_retired"])

    def _rows(self, bots: Bots, conversation: ConversationRow, item: Incoming, turn: Turn,
              writes: TurnWrites) -> list[OutgoingMessage]:  # fmt: skip
        parse = turn.parse
        masked = mask_personal_data(item.text)
        seq = conversation.message_count
        simulated = conversation.simulated
        incoming_id = new_id()
        # one row shape for every message, so a batch's rows go to the database as one INSERT
        writes.messages.append({
            "id": incoming_id, "conversation_id": conversation.id, "direction": "in", "seq": seq,
            "bot_id": conversation.bot_id, "channel": item.channel, "text": masked.text,
            "masked_kinds": ",".join(masked.kinds) or None, "intent": parse.intent if parse else None,
            "confidence": parse.confidence if parse else None, "answered_bot": parse.bot if parse else None,
            "fallback": bool(parse and parse.is_fallback),
            "clarification": any(e.type == "clarification" for e in turn.events),
            "response": None, "buttons": None, "reply_to": None, "idempotency_key": item.key,
            "simulated": simulated, "created_at": item.now,
        })  # fmt: skip
        answers = []
        for offset, message in enumerate(turn.messages, start=1):
            answer_id = new_id()
            answer_masked = mask_answer(message.text)
            buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
            # bot texts can repeat what the resident typed (a rejected value), so they are masked too
            writes.messages.append({
                "id": answer_id, "conversation_id": conversation.id, "direction": "out", "seq": seq + offset,
                "bot_id": message.bot, "channel": item.channel, "text": answer_masked.text,
                "masked_kinds": ",".join(answer_masked.kinds) or None, "intent": message.intent,
                "confidence": None, "answered_bot": None, "fallback": False, "clarification": False,
                "response": message.response, "buttons": buttons,
                "reply_to": incoming_id, "idempotency_key": None, "simulated": simulated, "created_at": item.now,
            })  # fmt: skip
            answers.append(outgoing(answer_id, message.text, buttons, message.bot, message.response,
                                    bots.packs.packs, turn.state.language, is_rateable(message)))  # fmt: skip
        writes.events.extend(
            {"conversation_id": conversation.id, "bot_id": conversation.bot_id, "type": event.type,
             "data": event.data, "simulated": simulated, "created_at": item.now}
            for event in turn.events if event.type != "user"
        )  # fmt: skip
        return answers


def outgoing(message_id: str, text: str, buttons: list[dict[str, str]], bot: str, response: str,
             packs: dict[str, Any], language: str, rateable: bool) -> OutgoingMessage:  # fmt: skip
    pack = packs.get(bot)
    name = pack.bot.name.get(language, pack.bot.name["ja"]) if pack else bot
    return OutgoingMessage(message_id, text, buttons, bot, name, response, rateable)
