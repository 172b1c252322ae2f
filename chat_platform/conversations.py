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

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from . import errors
from .messages import Incoming, NewSession, OutgoingMessage, Reply, hash_sender, is_rateable
from .runtime import BotRuntime, Bots
from .settings import Settings
from .storage.database import Database
from .storage.models import Conversation, Event, Message, Project, Rating
from .storage.turns import TurnStore
from .turn_handler import TurnHandler
from .validation import clean_message

__all__ = ["ChatService", "Incoming", "OutgoingMessage", "Reply", "hash_sender", "is_rateable"]

# Set only by the in-process simulator (``madoguchi simulate``): marks traffic as simulated and
# replays it at past times, so demo reports have history. The public server never sets them.
SIMULATION: ContextVar[bool] = ContextVar("madoguchi_simulation", default=False)
SIMULATED_NOW: ContextVar[datetime | None] = ContextVar("madoguchi_simulated_now", default=None)

DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for a transaction chosen to break a deadlock


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
        self.store = TurnStore(db)
        self.turns = TurnHandler(self.store, runtime, settings, lambda: self.retired)
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
    def prepare_start(
        self,
        bot_id: str,
        channel: str,
        language: str = "ja",
        simulated: bool = False,
        address: str | None = None,
    ) -> NewSession:
        """Check a request to open a conversation before it is queued."""
        self._check_bot(bot_id)
        return NewSession(bot_id, channel, language, simulated or SIMULATION.get(), self.now(), address)

    def start(self, bot_id: str, channel: str, language: str = "ja", simulated: bool = False) -> Reply:
        """Open a conversation: its id and the bot's welcome."""
        return self._one(self.prepare_start(bot_id, channel, language, simulated))

    def end(self, session_id: str) -> None:
        with self.store.transaction() as connection:
            if not self.store.lock_many(connection, [session_id]):
                raise errors.session_not_found()
            self.store.end_idle(connection, session_id, self.now())

    # ---- messages -----------------------------------------------------------------------------
    def prepare(self, bot_id: str, text: object, channel: str, session_id: str | None = None, sender: str | None = None,
                idempotency_key: str | None = None, simulated: bool = False, address: str | None = None) -> Incoming:  # fmt: skip
        """Check a resident message before it is queued. Raises :class:`errors.AppError` saying what to fix."""
        self._check_bot(bot_id)
        message = clean_message(text, self.settings.max_message_chars)
        key = idempotency_key[:64] if idempotency_key else None
        simulated = simulated or SIMULATION.get()
        return Incoming(bot_id, message, channel, session_id, sender, key, address, simulated, self.now())

    def send(self, bot_id: str, text: object, channel: str, session_id: str | None = None, sender: str | None = None,
             idempotency_key: str | None = None, simulated: bool = False, address: str | None = None) -> Reply:  # fmt: skip
        """Handle one resident message. Raises :class:`errors.AppError` for anything the client must fix."""
        return self._one(
            self.prepare(bot_id, text, channel, session_id, sender, idempotency_key, simulated, address)
        )

    def _one(self, item: Incoming | NewSession) -> Reply:
        result = self.handle([item])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def handle(self, items: Sequence[Incoming | NewSession]) -> list[Reply | Exception]:
        """Handle checked messages in one transaction (see :class:`TurnHandler`): for each, its reply
        or the error to answer with. Raises when the database fails for all of them."""
        try:
            return self.turns.handle(items)
        except DBAPIError as exc:
            # Two transactions wrote the same idempotency key (a retry racing its first copy on
            # another worker) or PostgreSQL broke a deadlock (two batches locking the residents of
            # Rasa REST or LINE in a different order): handle each message again on its own, in a
            # fresh transaction that sees what the other one committed (a retry is then a replay).
            if not (isinstance(exc, IntegrityError) or getattr(exc.orig, "sqlstate", None) == DEADLOCK):
                raise
            return [self._handle_alone(item) for item in items]

    def _handle_alone(self, item: Incoming | NewSession) -> Reply | Exception:
        try:
            return self.turns.handle([item])[0]
        except DBAPIError as exc:  # this one only: the others of its batch are stored and answered
            return exc

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
