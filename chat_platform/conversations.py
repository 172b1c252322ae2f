"""The chat service: one resident message in, the bot's answers out, everything stored masked.

Every channel (widget, Rasa REST, LINE) goes through :meth:`ChatService.send`. A conversation's
row is locked while its message is handled, so two workers never interleave one conversation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_nlu.dialogue.engine import Turn
from shared_nlu.dialogue.messages import BotMessage
from shared_nlu.dialogue.messages import Event as DialogueEvent
from shared_nlu.dialogue.state import SessionState
from shared_nlu.pack.model import FALLBACK_INTENT

from . import errors, ratelimit
from .privacy.masking import mask_personal_data
from .runtime import BotRuntime, Bots
from .settings import Settings
from .storage.database import Database
from .storage.models import Conversation, Event, Message, Project, Rating
from .validation import clean_message

# Set only by the in-process simulator (``madoguchi simulate``): marks traffic as simulated and
# replays it at past times, so demo reports have history. The public server never sets them.
SIMULATION: ContextVar[bool] = ContextVar("madoguchi_simulation", default=False)
SIMULATED_NOW: ContextVar[datetime | None] = ContextVar("madoguchi_simulated_now", default=None)

NOT_RATEABLE = {
    "utter_routed",
    "utter_clarify",
    "utter_nlu_fallback",
    "utter_offer_handoff",
    "utter_form_cancelled",
}


@dataclass(frozen=True)
class OutgoingMessage:
    id: str
    text: str
    buttons: list[dict[str, str]]
    bot: str
    bot_name: str
    response: str
    rateable: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "text": self.text, "buttons": self.buttons, "bot": self.bot,
            "bot_name": self.bot_name, "response": self.response, "rateable": self.rateable,
        }  # fmt: skip


@dataclass(frozen=True)
class Reply:
    session_id: str
    messages: list[OutgoingMessage]
    status: str
    language: str = "ja"
    replayed: bool = False  # a retry with a known idempotency key: the stored answer, nothing new


def hash_sender(channel: str, sender: str) -> str:
    return hashlib.sha256(f"madoguchi:{channel}:{sender}".encode()).hexdigest()


def is_rateable(message: BotMessage) -> bool:
    return (
        message.intent not in (None, FALLBACK_INTENT, "handoff_human")
        and message.response not in NOT_RATEABLE
        and not message.response.startswith("utter_ask_")
        and not message.response.startswith("utter_handoff")
    )


class ChatService:
    def __init__(
        self,
        db: Database,
        runtime: BotRuntime,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.runtime = runtime
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))
        self.retired: dict[str, str] = {}  # bot id → the message residents see; refreshed by the pack watch

    def now(self) -> datetime:
        return SIMULATED_NOW.get() or self.clock()

    def refresh_retired(self) -> None:
        """Re-read which bots are retired (a project status the admin side sets)."""
        with self.db.session() as session:
            rows = session.execute(
                select(Project.bot_id, Project.retirement_message).where(
                    Project.bot_id.is_not(None), Project.status == "retired"
                )
            )
            self.retired = {bot: message or "" for bot, message in rows if bot}

    def public_bots(self) -> list[str]:
        return [pack.id for pack in self.runtime.current.packs.bots()]

    def _check_bot(self, bot_id: str) -> Bots:
        bots = self.runtime.current
        if bot_id not in self.public_bots():
            raise errors.unknown_bot(bot_id, self.public_bots())
        return bots

    # ---- sessions -----------------------------------------------------------------------------
    def start(self, bot_id: str, channel: str, language: str = "ja", simulated: bool = False) -> Reply:
        bots = self._check_bot(bot_id)
        simulated = simulated or SIMULATION.get()
        with self.db.session() as session:
            conversation = self._new_conversation(session, bots, bot_id, channel, None, language, simulated)
        welcome = bots.dialogue.welcome(bot_id, language)
        buttons = [{"title": b.title, "payload": b.payload} for b in welcome.buttons]
        message = OutgoingMessage(
            "",
            welcome.text,
            buttons,
            bot_id,
            bots.packs.packs[bot_id].bot.name.get(language, bot_id),
            welcome.response,
            False,
        )
        return Reply(conversation.id, [message], conversation.status, language)

    def end(self, session_id: str) -> None:
        with self.db.session() as session:
            conversation = session.get(Conversation, session_id)
            if conversation is None:
                raise errors.session_not_found()
            conversation.ended_at = conversation.ended_at or self.now()

    def _new_conversation(self, session: Session, bots: Bots, bot_id: str, channel: str, sender: str | None,
                          language: str, simulated: bool) -> Conversation:  # fmt: skip
        now = self.now()
        conversation = Conversation(
            bot_id=bot_id, channel=channel, sender_hash=hash_sender(channel, sender) if sender else None, state={},
            language=language, simulated=simulated, started_at=now, last_active_at=now,
        )  # fmt: skip
        session.add(conversation)
        session.flush()
        state = bots.dialogue.new_session(conversation.id, bot_id).update(language=language)
        conversation.state = state.to_dict()
        return conversation

    def _expired(self, conversation: Conversation, now: datetime) -> bool:
        last = (
            conversation.last_active_at
            if conversation.last_active_at.tzinfo
            else conversation.last_active_at.replace(tzinfo=UTC)
        )
        return conversation.ended_at is not None or now - last > timedelta(
            minutes=self.settings.session_idle_minutes
        )

    def _conversation(self, session: Session, bots: Bots, bot_id: str, channel: str, session_id: str | None,
                      sender: str | None, simulated: bool) -> Conversation:  # fmt: skip
        now = self.now()
        if session_id is not None:
            conversation = session.get(Conversation, session_id, with_for_update=True)
            if conversation is None or conversation.bot_id != bot_id or self._expired(conversation, now):
                raise errors.session_not_found()
            return conversation
        assert sender is not None
        found = session.scalars(
            select(Conversation)
            .where(
                Conversation.bot_id == bot_id,
                Conversation.channel == channel,
                Conversation.sender_hash == hash_sender(channel, sender),
            )
            .order_by(Conversation.started_at.desc())
            .limit(1)
            .with_for_update()
        ).first()
        if found is not None and not self._expired(found, now):
            return found
        if found is not None and found.ended_at is None:
            found.ended_at = found.last_active_at  # idle too long: the next message starts a new session
        return self._new_conversation(session, bots, bot_id, channel, sender, "ja", simulated)

    # ---- messages -----------------------------------------------------------------------------
    def send(self, bot_id: str, text: object, channel: str, session_id: str | None = None, sender: str | None = None,
             idempotency_key: str | None = None, simulated: bool = False, address: str | None = None) -> Reply:  # fmt: skip
        """Handle one resident message. Raises :class:`errors.AppError` for anything the client must fix."""
        bots = self._check_bot(bot_id)
        simulated = simulated or SIMULATION.get()
        message = clean_message(text, self.settings.max_message_chars)
        with self.db.session() as session:
            if self.db.is_sqlite:  # no row locks there: take the database's write lock before reading
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            conversation = self._conversation(session, bots, bot_id, channel, session_id, sender, simulated)
            if idempotency_key:
                replay = self._replay(session, conversation, idempotency_key[:64])
                if replay is not None:
                    return replay
            self._limit(session, conversation, address)
            now = self.now()
            if bot_id in self.retired:
                turn = self._retired_turn(bots, conversation, bot_id, message)
            else:
                turn = bots.dialogue.handle(SessionState.from_dict(conversation.state), message, now)
            outgoing = self._store(session, bots, conversation, message, turn, channel, idempotency_key, now)
            return Reply(conversation.id, outgoing, conversation.status, conversation.language)

    def _retired_turn(self, bots: Bots, conversation: Conversation, bot_id: str, text: str) -> Turn:
        """A retired bot answers every message with its retirement message and where to go now."""
        state = SessionState.from_dict(conversation.state).update(turns=conversation.turns + 1)
        pack = bots.packs.packs[bot_id]
        contact = pack.bot.contact
        pointer = f"お問い合わせ: {contact.name['ja']}（電話 {contact.phone}）"
        body = self.retired[bot_id] or f"{pack.bot.name['ja']}は提供を終了しました。"
        message = BotMessage(f"{body}\n{pointer}", "utter_retired", bot_id)
        return Turn(state, [message], [DialogueEvent("retired", {"bot": bot_id})], None, ["utter_retired"])

    def _limit(self, session: Session, conversation: Conversation, address: str | None) -> None:
        wait = ratelimit.hit(session, f"s:{conversation.id}", self.settings.rate_limit_per_minute)
        if wait is None and address:
            wait = ratelimit.hit(session, f"a:{address}", self.settings.rate_limit_per_address_per_minute)
        if wait is not None:
            raise errors.rate_limited(wait)

    def _replay(self, session: Session, conversation: Conversation, key: str) -> Reply | None:
        incoming = session.scalars(
            select(Message).where(Message.conversation_id == conversation.id, Message.idempotency_key == key)
        ).first()
        if incoming is None:
            return None
        stored = session.scalars(
            select(Message).where(Message.reply_to == incoming.id).order_by(Message.seq)
        ).all()
        packs = self.runtime.current.packs.packs
        messages = [self._outgoing(m.id, m.text, m.buttons or [], m.bot_id, m.response or "", packs, conversation.language, m.intent is not None and m.response not in NOT_RATEABLE) for m in stored]  # fmt: skip
        return Reply(conversation.id, messages, conversation.status, conversation.language, replayed=True)

    def _store(self, session: Session, bots: Bots, conversation: Conversation, text: str, turn: Turn, channel: str,
               idempotency_key: str | None, now: datetime) -> list[OutgoingMessage]:  # fmt: skip
        parse = turn.parse
        masked = mask_personal_data(text)
        seq = conversation.message_count
        incoming = Message(
            conversation_id=conversation.id, direction="in", seq=seq, bot_id=conversation.bot_id, channel=channel,
            text=masked.text, personal_data=",".join(masked.kinds) or None,
            intent=parse.intent if parse else None, confidence=parse.confidence if parse else None,
            answered_bot=parse.bot if parse else None, fallback=bool(parse and parse.is_fallback),
            clarification=any(e.type == "clarification" for e in turn.events),
            idempotency_key=idempotency_key[:64] if idempotency_key else None, simulated=conversation.simulated, created_at=now,
        )  # fmt: skip
        session.add(incoming)
        session.flush()
        outgoing = []
        for offset, bot_message in enumerate(turn.messages, start=1):
            # bot texts can repeat what the resident typed (a rejected value), so they are masked too
            stored = Message(
                conversation_id=conversation.id, direction="out", seq=seq + offset, bot_id=bot_message.bot, channel=channel,
                text=mask_personal_data(bot_message.text).text, intent=bot_message.intent, response=bot_message.response,
                buttons=[{"title": b.title, "payload": b.payload} for b in bot_message.buttons],
                reply_to=incoming.id, simulated=conversation.simulated, created_at=now,
            )  # fmt: skip
            session.add(stored)
            session.flush()
            outgoing.append(self._outgoing(stored.id, bot_message.text, stored.buttons or [], bot_message.bot,
                                           bot_message.response, bots.packs.packs, turn.state.language, is_rateable(bot_message)))  # fmt: skip
        for event in turn.events:
            if event.type not in ("user",):
                session.add(Event(conversation_id=conversation.id, bot_id=conversation.bot_id, type=event.type,
                                  data=event.data, simulated=conversation.simulated, created_at=now))  # fmt: skip
        state = turn.state
        conversation.state = state.to_dict()
        conversation.status = str(state.status)
        conversation.language = state.language
        conversation.handed_off = conversation.handed_off or state.handed_off
        conversation.turns += 1
        conversation.message_count = seq + 1 + len(turn.messages)
        conversation.last_active_at = now
        return outgoing

    @staticmethod
    def _outgoing(message_id: str, text: str, buttons: list[dict[str, str]], bot: str, response: str, packs: dict[str, Any],
                  language: str, rateable: bool) -> OutgoingMessage:  # fmt: skip
        pack = packs.get(bot)
        name = pack.bot.name.get(language, pack.bot.name["ja"]) if pack else bot
        return OutgoingMessage(message_id, text, buttons, bot, name, response, rateable)

    # ---- ratings -------------------------------------------------------------------------------
    def rate(self, message_id: str, session_id: str, helpful: bool) -> None:
        with self.db.session() as session:
            message = session.get(Message, message_id)
            if message is None or message.conversation_id != session_id or message.direction != "out":
                raise errors.AppError(
                    404,
                    "message_not_found",
                    "評価する回答が見つかりません。",
                    "The answer to rate was not found.",
                )
            if session.get(Rating, message_id) is not None:
                raise errors.AppError(
                    409,
                    "already_rated",
                    "この回答はすでに評価済みです。ありがとうございました。",
                    "This answer has already been rated. Thank you.",
                )
            session.add(
                Rating(
                    message_id=message_id,
                    conversation_id=session_id,
                    bot_id=message.bot_id,
                    helpful=helpful,
                    simulated=message.simulated,
                    created_at=self.now(),
                )
            )
            conversation = session.get(Conversation, session_id)
            session.add(Event(conversation_id=session_id, bot_id=conversation.bot_id if conversation else message.bot_id, type="rating",
                              data=self.runtime.current.dialogue.rate(message_id, helpful, message.response).data, simulated=message.simulated, created_at=self.now()))  # fmt: skip
