"""What a worker serving residents holds beside the core: the chat service and its batcher."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from core.services import Services

from .batcher import Batcher
from .chat_service import ChatService
from .storage.turns import prune_rate_counters


@dataclass
class ResidentServices(Services):
    chat: ChatService = field(init=False)  # every channel's messages go through it
    batcher: Batcher = field(init=False)  # hands the chat service the messages that arrive together

    def __post_init__(self) -> None:
        # the retired bots are re-read by the core's pack watch; the chat service reads them per turn
        self.chat = ChatService(self.db, self.runtime, self.settings, retired=lambda: self.retired)
        self.batcher = Batcher(self.chat.handle)

    def maintain(self, connection: Connection) -> None:
        prune_rate_counters(connection)  # finished rate-limit windows are useless

    def stop(self) -> None:
        self.batcher.stop()
        super().stop()
