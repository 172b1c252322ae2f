"""Unanswered questions: what residents asked that the bots could not answer, grouped.

Two kinds of message are collected (texts are stored masked): ``fallback`` — incoming messages
the NLU did not understand — and ``not_helpful`` — the incoming message whose answer a resident
rated "not helpful" (rating → the rated outgoing message → its ``reply_to``). A message that is
both counts once, as a fallback. Each group says which kinds of personal data were masked in its
messages (``masked_kinds``: phone, name, address …), so a department sees that a question came
with a phone number without seeing the number.

Within each bot, texts are normalised (``shared_nlu.text.normalize``), turned into character
2–3-gram TF-IDF vectors and grouped by average-linkage agglomerative clustering: two groups merge
while the mean cosine similarity between their texts is at least ``SIMILARITY_THRESHOLD`` (0.5).
A group's representative is its most central text (highest count-weighted similarity to the
others). The representative is parsed by the bot's NLU to suggest the intent it should become an
example of: add it in one step with ``POST {add_example_url}`` and ``add_example`` as the body.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from pydantic import BaseModel, Field
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from chat_platform.storage.models import Message, Rating
from shared_nlu.nlu import NluEngine
from shared_nlu.text.normalize import normalize

from .common import DateRange, iso_japan, simulated_filter
from .export import Cell

SIMILARITY_THRESHOLD = 0.5
MAX_TEXTS_PER_BOT = (
    2000  # distinct normalised texts clustered per bot (the most frequent; rarer ones are left out)
)
EXAMPLES = 5
ADD_EXAMPLE_URL = "/admin/api/v1/bots/{bot}/examples"


class SuggestedIntent(BaseModel):
    intent: str
    bot: str = Field(description="the bot that owns the intent (the pack to add the example to)")
    confidence: float


class AddExample(BaseModel):
    intent: str
    text: str


class UnansweredGroup(BaseModel):
    bot: str = Field(description="the bot the residents were talking to")
    representative: str = Field(description="the most central text of the group")
    count: int = Field(description="messages in the group")
    kinds: dict[str, int] = Field(description='{"fallback": n, "not_helpful": m}')
    examples: list[str] = Field(description="up to 5 distinct texts, most frequent first")
    masked_kinds: dict[str, int] = Field(
        default_factory=dict, description='messages per kind of personal data masked, e.g. {"phone": 2}'
    )
    first_seen: str = Field(description="ISO 8601, Japan time")
    last_seen: str
    suggested_intent: SuggestedIntent | None = Field(
        description="the NLU's top intent for the representative"
    )
    add_example_url: str = Field(
        description="POST here (the pack-versions API) to add the text as an example"
    )
    add_example: AddExample | None = Field(description="the body to POST; null without a suggestion")


class UnansweredReport(BaseModel):
    date_from: str
    date_to: str
    include_simulated: bool
    similarity_threshold: float = SIMILARITY_THRESHOLD
    add_example_url_template: str = ADD_EXAMPLE_URL
    messages: int = Field(description="unanswered messages found")
    groups_total: int = Field(description="groups before the limit")
    groups: list[UnansweredGroup] = Field(description="count desc, then representative text")


@dataclass(frozen=True)
class _Item:
    bot: str
    text: str
    kind: str
    created_at: datetime
    masked: tuple[str, ...]


def _items(session: Session, bots: list[str], days: DateRange, include_simulated: bool) -> list[_Item]:
    fallbacks = session.execute(
        select(Message.id, Message.bot_id, Message.text, Message.created_at, Message.masked_kinds)
        .where(Message.direction == "in", Message.fallback.is_(True), Message.bot_id.in_(bots),
               Message.created_at >= days.start, Message.created_at < days.end,
               simulated_filter(Message.simulated, include_simulated))
    )  # fmt: skip
    outgoing, incoming = aliased(Message), aliased(Message)
    not_helpful = session.execute(
        select(incoming.id, incoming.bot_id, incoming.text, incoming.created_at, incoming.masked_kinds)
        .select_from(Rating)
        .join(outgoing, outgoing.id == Rating.message_id)
        .join(incoming, incoming.id == outgoing.reply_to)
        .where(Rating.helpful.is_(False), incoming.bot_id.in_(bots), incoming.created_at >= days.start,
               incoming.created_at < days.end, simulated_filter(Rating.simulated, include_simulated))
    )  # fmt: skip
    found: dict[str, _Item] = {}
    for kind, rows in (("fallback", fallbacks), ("not_helpful", not_helpful)):
        for message_id, bot, text, created, masked in rows:
            found.setdefault(
                message_id, _Item(bot, text, kind, created, tuple(masked.split(",")) if masked else ())
            )
    return list(found.values())


def _clusters(texts: list[str]) -> tuple[list[int], np.ndarray]:
    """A cluster label per text, and the texts' cosine similarity matrix."""
    if len(texts) == 1:
        return [1], np.ones((1, 1))
    try:
        vectors = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(texts)
    except ValueError:  # no text has two characters: nothing to compare
        return list(range(1, len(texts) + 1)), np.eye(len(texts))
    similarity = np.clip((vectors @ vectors.T).toarray(), 0.0, 1.0)
    np.fill_diagonal(similarity, 1.0)
    distance = squareform(1.0 - similarity, checks=False)
    labels = fcluster(linkage(distance, method="average"), t=1.0 - SIMILARITY_THRESHOLD, criterion="distance")
    return [int(label) for label in labels], similarity


def _most_frequent(texts: list[str]) -> list[str]:
    counts = Counter(texts)
    return sorted(counts, key=lambda t: (-counts[t], t))


def _groups_of_bot(bot: str, items: list[_Item]) -> list[UnansweredGroup]:
    by_text: dict[str, list[_Item]] = {}
    for item in items:
        by_text.setdefault(normalize(item.text) or item.text, []).append(item)
    texts = sorted(by_text, key=lambda t: (-len(by_text[t]), t))[:MAX_TEXTS_PER_BOT]
    weights = np.array([len(by_text[t]) for t in texts], dtype=float)
    labels, similarity = _clusters(texts)
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(label, []).append(index)
    groups = []
    for indices in members.values():
        centrality = similarity[np.ix_(indices, indices)] @ weights[indices]  # count-weighted similarity
        best = min(range(len(indices)), key=lambda k: (-round(float(centrality[k]), 9), -weights[indices[k]], texts[indices[k]]))  # fmt: skip
        representative = _most_frequent([item.text for item in by_text[texts[indices[best]]]])[0]
        grouped = [item for i in indices for item in by_text[texts[i]]]
        examples = [t for t in _most_frequent([item.text for item in grouped]) if t != representative]
        kinds = Counter(item.kind for item in grouped)
        moments = [item.created_at for item in grouped]
        masked = Counter(kind for item in grouped for kind in item.masked)
        groups.append(UnansweredGroup(
            bot=bot, representative=representative, count=len(grouped),
            kinds={"fallback": kinds["fallback"], "not_helpful": kinds["not_helpful"]},
            examples=[representative, *examples][:EXAMPLES], masked_kinds=dict(sorted(masked.items())),
            first_seen=iso_japan(min(moments)) or "", last_seen=iso_japan(max(moments)) or "",
            suggested_intent=None, add_example_url=ADD_EXAMPLE_URL.format(bot=bot), add_example=None,
        ))  # fmt: skip
    return groups


def _suggest(group: UnansweredGroup, nlu: NluEngine) -> UnansweredGroup:
    try:
        ranking = nlu.parse(group.representative, bot=group.bot).ranking
    except KeyError:  # a bot no longer served
        return group
    if not ranking:
        return group
    top = ranking[0]
    return group.model_copy(update={
        "suggested_intent": SuggestedIntent(intent=top.name, bot=top.bot, confidence=round(top.confidence, 4)),
        "add_example_url": ADD_EXAMPLE_URL.format(bot=top.bot),
        "add_example": AddExample(intent=top.name, text=group.representative),
    })  # fmt: skip


def unanswered_report(
    session: Session, nlu: NluEngine, bots: list[str], days: DateRange, include_simulated: bool, limit: int
) -> UnansweredReport:
    """Groups for ``bots`` in ``days``; the first ``limit`` get an intent suggestion."""
    items = _items(session, bots, days, include_simulated)
    by_bot: dict[str, list[_Item]] = {}
    for item in items:
        by_bot.setdefault(item.bot, []).append(item)
    groups = [g for bot in sorted(by_bot) for g in _groups_of_bot(bot, by_bot[bot])]
    groups.sort(key=lambda g: (-g.count, g.representative, g.bot))
    return UnansweredReport(
        date_from=days.date_from.isoformat(), date_to=days.date_to.isoformat(),
        include_simulated=include_simulated, messages=len(items), groups_total=len(groups),
        groups=[_suggest(g, nlu) for g in groups[:limit]],
    )  # fmt: skip


HEADER = [
    "ボット", "件数", "代表的な質問", "フォールバック", "役に立たなかった", "初回", "最終",
    "候補インテント", "候補ボット", "例", "マスクした個人情報",
]  # fmt: skip


def unanswered_table(report: UnansweredReport) -> list[list[Cell]]:
    """One row per group; examples joined by " / "."""
    return [
        [g.bot, g.count, g.representative, g.kinds["fallback"], g.kinds["not_helpful"], g.first_seen, g.last_seen,
         g.suggested_intent.intent if g.suggested_intent else None,
         g.suggested_intent.bot if g.suggested_intent else None, " / ".join(g.examples),
         ", ".join(f"{kind} {n}" for kind, n in g.masked_kinds.items()) or None]
        for g in report.groups
    ]  # fmt: skip
