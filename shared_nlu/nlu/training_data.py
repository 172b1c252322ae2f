"""Flatten packs into (text, label) pairs; a label is ``bot/intent`` so that one model routes."""

from __future__ import annotations

from dataclasses import dataclass

from ..constants import COMMON_BOT
from ..pack.loader import PackSet
from ..pack.model import Pack

FAQ_LABEL = "__faq__"  # one classifier label per bot for all its faq.yml entries; retrieval picks the entry
# One label per bot for its intents' near misses: trained like any label, read as out of scope.
NOT_COVERED_LABEL = "__not_covered__"


def label_of(bot: str, intent: str) -> str:
    return f"{bot}/{intent}"


def split_label(label: str) -> tuple[str, str]:
    bot, _, intent = label.partition("/")
    return bot, intent


@dataclass(frozen=True)
class TrainingData:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def training_data(packs: PackSet) -> TrainingData:
    texts: list[str] = []
    labels: list[str] = []
    for pack in packs.packs.values():
        for intent in pack.intents.values():
            name = FAQ_LABEL if intent.name in pack.faq_intents else intent.name
            for example in intent.examples:
                texts.append(example.text)
                labels.append(label_of(pack.id, name))
            texts.extend(intent.near_misses)
            labels.extend([label_of(pack.id, NOT_COVERED_LABEL)] * len(intent.near_misses))
    return TrainingData(texts, labels)


def allowed_bots(packs: PackSet, bot: str | None) -> set[str] | None:
    """Bots whose intents may answer in ``bot``: itself, ``common`` if included, and the bots it
    routes to (the front door). ``None`` means every bot (the routed ``/model/parse``)."""
    if bot is None:
        return None
    pack: Pack = packs.packs[bot]
    allowed = {bot, *pack.bot.routes_to}
    if pack.bot.include_common:
        allowed.add(COMMON_BOT)
    return allowed
