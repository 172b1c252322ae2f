"""What ``parse`` returns: Rasa's parse result, plus the bot, the language and ambiguity."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..constants import FALLBACK_INTENT
from ..entities.model import EntityMatch


@dataclass(frozen=True, slots=True)
class RankedIntent:
    """``confidence`` is the model's probability that the message means this intent (0–1)."""

    name: str
    bot: str
    confidence: float


class FallbackReason(StrEnum):
    """Why a message was not understood (``ParseResult.intent`` is ``nlu_fallback``)."""

    OUT_OF_SCOPE = "out_of_scope"  # the model recognised a message no bot covers, or nothing to read
    LOW_CONFIDENCE = "low_confidence"  # something might fit, but not clearly enough to answer
    NOT_COVERED = "not_covered"  # the best intent has not seen what the message asks (nlu/edge.py)
    OTHER_BOT = "other_bot"  # another bot answers it; ``extra["other_bot"]`` names it


@dataclass(frozen=True, slots=True, kw_only=True)
class ParseResult:
    """``intent`` is ``nlu_fallback`` when nothing fits; then ``bot`` is None and
    ``fallback_reason`` says why (:class:`FallbackReason`).
    ``ambiguous`` is True when the two best intents are too close to choose between.
    Built with keywords only: nine fields of which five are strings and floats are easy to swap.
    """

    text: str
    intent: str
    confidence: float
    bot: str | None
    language: str
    ranking: tuple[RankedIntent, ...] = ()
    entities: tuple[EntityMatch, ...] = ()
    ambiguous: bool = False
    fallback_reason: FallbackReason | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def out_of_scope(cls, text: str, language: str, entities: tuple[EntityMatch, ...] = ()) -> ParseResult:
        """Certainly nothing to answer: a message with nothing to read, or a button of no bot's."""
        return cls(
            text=text,
            intent=FALLBACK_INTENT,
            confidence=1.0,
            bot=None,
            language=language,
            entities=entities,
            fallback_reason=FallbackReason.OUT_OF_SCOPE,
        )

    @property
    def is_fallback(self) -> bool:
        return self.fallback_reason is not None

    def to_dict(self) -> dict[str, Any]:
        """Rasa's ``/model/parse`` shape, with our additions alongside."""
        return {
            "text": self.text,
            "intent": {"name": self.intent, "confidence": round(self.confidence, 4)},
            "intent_ranking": [
                {"name": r.name, "confidence": round(r.confidence, 4), "bot": r.bot} for r in self.ranking
            ],
            "entities": [e.to_dict() for e in self.entities],
            "bot": self.bot,
            "language": self.language,
            "ambiguous": self.ambiguous,
            "fallback_reason": None if self.fallback_reason is None else self.fallback_reason.value,
        }
