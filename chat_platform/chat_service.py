"""The chat service: sessions, resident messages and ratings, everything stored masked.

Every channel (widget, Rasa REST, LINE) sends messages through :class:`ChatService`: checked by
:meth:`~ChatService.prepare`, then handled by :class:`~chat_platform.turn_handler.TurnHandler` —
one at a time with :meth:`~ChatService.send`, or as they arrive together through the worker's
batcher (``chat_platform.batcher``), which the HTTP endpoints use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime

from core import errors
from core.input_checks import clean_id, clean_message
from core.runtime import BotRuntime, Bots
from core.settings import Settings
from core.storage.database import Database
from core.storage.models import Conversation, Event, Message, Rating

from .messages import Incoming, NewConversation, OutgoingMessage, Refused, Reply, hash_sender
from .storage.turns import TurnStore
from .turn_handler import TurnHandler

__all__ = ["ChatService", "Incoming", "OutgoingMessage", "Reply", "hash_sender"]

# Set only by the in-process simulator (``madoguchi simulate``): marks traffic as simulated and
# replays it at past times, so demo reports have history. The public server never sets them.
SIMULATION: ContextVar[bool] = ContextVar("madoguchi_simulation", default=False)
SIMULATED_NOW: ContextVar[datetime | None] = ContextVar("madoguchi_simulated_now", default=None)

MAX_SESSION_ID = 64  # the column's length (ids are made by new_id: 32 hex digits)
MAX_SENDER = 128  # Rasa REST's sender, LINE's user id (hashed before it is stored)


class ChatService:
    def __init__(
        self,
        db: Database,
        runtime: BotRuntime,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
        retired: Callable[[], dict[str, str]] = dict,
    ) -> None:
        self.db = db
        self.runtime = runtime
        self.settings = settings
        self.store = TurnStore(db)
        # bot id → the message residents see, for retired bots (the core re-reads them in the pack watch)
        self.turns = TurnHandler(self.store, runtime, settings, retired)
        self.clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return SIMULATED_NOW.get() or self.clock()

    def _check_bot(self, bot_id: str) -> Bots:
        bots = self.runtime.current
        if bot_id not in bots.bot_ids():
            raise errors.unknown_bot(bot_id, bots.bot_ids())
        return bots

    # ---- sessions -----------------------------------------------------------------------------
    def prepare_start(
        self,
        bot_id: str,
        channel: str,
        language: str = "ja",
        simulated: bool = False,
        address: str | None = None,
    ) -> NewConversation:
        """Check a request to open a conversation before it is queued."""
        self._check_bot(bot_id)
        return NewConversation(bot_id, channel, language, simulated or SIMULATION.get(), self.now(), address)

    def start(self, bot_id: str, channel: str, language: str = "ja", simulated: bool = False) -> Reply:
        """Open a conversation: its id and the bot's welcome."""
        return self._one(self.prepare_start(bot_id, channel, language, simulated))

    def end(self, session_id: str) -> None:
        clean_id(session_id, "session_id", MAX_SESSION_ID)
        with self.store.transaction() as connection:
            if not self.store.lock_many(connection, [session_id]):
                raise errors.session_not_found()
            self.store.end_idle(connection, session_id, self.now())

    # ---- messages -----------------------------------------------------------------------------
    def prepare(
        self,
        bot_id: str,
        text: object,
        channel: str,
        session_id: str | None = None,
        sender: str | None = None,
        idempotency_key: str | None = None,
        simulated: bool = False,
        address: str | None = None,
    ) -> Incoming:
        """Check a resident message completely before it is queued (the bot, the text, every id),
        so nothing it holds can fail the batch it joins. Raises :class:`errors.AppError` saying
        what to fix."""
        self._check_bot(bot_id)
        message = clean_message(text, self.settings.max_message_chars)
        if session_id is not None:
            clean_id(session_id, "session_id", MAX_SESSION_ID)
        if sender is not None:
            clean_id(sender, "sender", MAX_SENDER)
        # LINE's webhookEventId is longer than the column: the first 64 characters keep it apart
        key = clean_id(idempotency_key, "idempotency_key", 256)[:64] if idempotency_key else None
        simulated = simulated or SIMULATION.get()
        return Incoming(bot_id, message, channel, session_id, sender, key, address, simulated, self.now())

    def refuse(
        self,
        error: Exception,
        channel: str,
        address: str | None = None,
        session_id: str | None = None,
        sender: str | None = None,
    ) -> Refused:
        """A request the checks refused, to be counted against its limits before it is answered
        (``TurnHandler``): a client sending only bad requests is rate-limited all the same."""
        return Refused(error, channel, address, session_id, sender)

    def send(self, message: Incoming | Refused) -> Reply:
        """Handle one message on its own, without the batcher: what :meth:`prepare` returned, or what
        :meth:`refuse` made of its error (so it still counts against the limits). Raises
        :class:`errors.AppError` for anything the client must fix."""
        return self._one(message)

    def _one(self, item: Incoming | NewConversation | Refused) -> Reply:
        result = self.handle([item])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def handle(self, items: Sequence[Incoming | NewConversation | Refused]) -> list[Reply | Exception]:
        """Handle checked messages in one transaction (see :class:`TurnHandler`): for each, its reply
        or the error to answer with. Raises when the database fails for all of them."""
        return self.turns.handle(items)

    # ---- ratings -------------------------------------------------------------------------------
    def rate(self, message_id: str, session_id: str, helpful: bool) -> None:
        clean_id(message_id, "message_id", MAX_SESSION_ID)  # message ids are made like session ids
        clean_id(session_id, "session_id", MAX_SESSION_ID)
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
            rating = self.runtime.current.dialogue.rate(message_id, helpful, message.response)
            session.add(
                Event(
                    conversation_id=session_id,
                    bot_id=conversation.bot_id if conversation else message.bot_id,
                    type=rating.type,
                    data=rating.data,
                    simulated=message.simulated,
                    created_at=self.now(),
                )
            )
