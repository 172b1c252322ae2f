"""What ``parse`` returns: Rasa's parse result, plus the bot, the language and ambiguity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..entities.model import EntityMatch


@dataclass(frozen=True, slots=True)
class RankedIntent:
    """``confidence`` is the model's probability that the message means this intent (0–1)."""

    name: str
    bot: str
    confidence: float


@dataclass(frozen=True, slots=True)
class ParseResult:
    """``intent`` is ``nlu_fallback`` when nothing fits; then ``bot`` is None and
    ``fallback_reason`` says why: ``out_of_scope`` (the model recognised a message no bot covers)
    or ``low_confidence`` (something might fit, but not clearly enough to answer).
    ``ambiguous`` is True when the two best intents are too close to choose between.
    """

    text: str
    intent: str
    confidence: float
    bot: str | None
    language: str
    ranking: tuple[RankedIntent, ...]
    entities: tuple[EntityMatch, ...] = ()
    ambiguous: bool = False
    fallback_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

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
            "fallback_reason": self.fallback_reason,
        }
