"""Unanswered questions: what residents asked that the bots could not answer, grouped.

Three kinds of message are collected (texts are stored masked): ``fallback`` — incoming messages
the NLU did not understand —, ``did_you_mean`` — incoming messages answered with "did you mean …?"
because the best intent does not know what the question is about (「黄熱のワクチン」 for COVID
vaccination; ``shared_nlu.nlu.edge``): either a question the pack should learn in these words, or
one it should mark not covered — and ``not_helpful`` — the incoming message whose answer a resident
rated "not helpful" (rating → the rated outgoing message → its ``reply_to``). A message that is
several counts once, in that order. Each group says which kinds of personal data were masked in its
messages (``masked_kinds``: phone, name, address …), so a department sees that a question came
with a phone number without seeing the number.

Within each bot, texts are normalised (``shared_nlu.text.normalize``), turned into character
2–3-gram TF-IDF vectors and grouped by average-linkage agglomerative clustering: two groups merge
while the mean cosine similarity between their texts is at least ``SIMILARITY_THRESHOLD`` (0.5).
A group's representative is its most central text (highest count-weighted similarity to the
others). The representative is parsed by the bot's NLU to suggest the intent it should become an
example of, only when that is plausible (:mod:`admin.reports.suggestion`): add it in one step with
``POST {add_example_url}`` and ``add_example`` as the body. A question no intent of the bot should
answer is marked "not covered" with ``POST {not_covered_url}`` (no body needed): it becomes a near miss
of the bot's closest intent in a new pack version.

Button clicks (payloads such as ``/tax_office_contact``), empty messages and messages that were only
masked personal data are not questions and are left out (:mod:`admin.reports.questions`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from core.storage.models import Message, PackVersion, Rating
from shared_nlu.nlu import NluEngine
from shared_nlu.pack.checks import example_key
from shared_nlu.text.normalize import normalize

from ..pack_text import near_misses_of
from .common import DateRange, iso_japan, simulated_filter
from .export import Cell
from .questions import is_question
from .suggestion import SUGGESTION_BAR, plausible_intent

SIMILARITY_THRESHOLD = 0.5
MAX_TEXTS_PER_BOT = (
    2000  # distinct normalised texts clustered per bot (the most frequent; rarer ones are left out)
)
EXAMPLES = 5
ADD_EXAMPLE_URL = "/admin/api/v1/bots/{bot}/examples"
NOT_COVERED_URL = "/admin/api/v1/bots/{bot}/unanswered/{question_id}/not-covered"


# The kinds of unanswered message, in the order a message that is several counts as (module doc)
KINDS = ("fallback", "did_you_mean", "not_helpful")


class SuggestedIntent(BaseModel):
    intent: str
    bot: str = Field(description="the bot that owns the intent (the pack to add the example to)")
    confidence: float


class AddExample(BaseModel):
    intent: str
    text: str


class UnansweredGroup(BaseModel):
    bot: str = Field(description="the bot the residents were talking to")
    question_id: str = Field(description="the stored message whose text is the representative")
    representative: str = Field(description="the most central text of the group")
    count: int = Field(description="messages in the group")
    kinds: dict[str, int] = Field(description='{"fallback": n, "did_you_mean": k, "not_helpful": m}')
    examples: list[str] = Field(description="up to 5 distinct texts, most frequent first")
    masked_kinds: dict[str, int] = Field(
        default_factory=dict, description='messages per kind of personal data masked, e.g. {"phone": 2}'
    )
    first_seen: str = Field(description="ISO 8601, Japan time")
    last_seen: str
    suggested_intent: SuggestedIntent | None = Field(
        description="the NLU's top intent for the representative, when plausible; null: no intent fits"
    )
    add_example_url: str = Field(
        description="POST here (the pack-versions API) to add the text as an example"
    )
    add_example: AddExample | None = Field(description="the body to POST; null without a suggestion")
    not_covered_url: str = Field(
        description="POST here to add the representative as a near miss of the bot's closest intent"
    )
    near_miss_of: str | None = Field(
        default=None,
        description="the intent whose near_misses already hold the representative (marked not covered)",
    )


class UnansweredReport(BaseModel):
    date_from: str
    date_to: str
    include_simulated: bool
    similarity_threshold: float = SIMILARITY_THRESHOLD
    suggestion_bar: float = Field(
        default=SUGGESTION_BAR, description="an intent is suggested only at this confidence or above"
    )
    add_example_url_template: str = ADD_EXAMPLE_URL
    messages: int = Field(description="unanswered messages found")
    groups_total: int = Field(description="groups before the limit")
    groups: list[UnansweredGroup] = Field(description="count desc, then representative text")


@dataclass(frozen=True)
class _Item:
    message_id: str
    bot: str
    text: str
    kind: str
    created_at: datetime
    masked: tuple[str, ...]


def _items(session: Session, bots: list[str], days: DateRange, include_simulated: bool) -> list[_Item]:
    def flagged(flag: Any) -> Any:
        return session.execute(
            select(Message.id, Message.bot_id, Message.text, Message.created_at, Message.masked_kinds).where(
                Message.direction == "in",
                flag.is_(True),
                Message.bot_id.in_(bots),
                Message.created_at >= days.start,
                Message.created_at < days.end,
                simulated_filter(Message.simulated, include_simulated),
            )
        )

    fallbacks, did_you_mean = flagged(Message.fallback), flagged(Message.clarification)
    outgoing, incoming = aliased(Message), aliased(Message)
    not_helpful = session.execute(
        select(incoming.id, incoming.bot_id, incoming.text, incoming.created_at, incoming.masked_kinds)
        .select_from(Rating)
        .join(outgoing, outgoing.id == Rating.message_id)
        .join(incoming, incoming.id == outgoing.reply_to)
        .where(
            Rating.helpful.is_(False),
            incoming.bot_id.in_(bots),
            incoming.created_at >= days.start,
            incoming.created_at < days.end,
            simulated_filter(Rating.simulated, include_simulated),
        )
    )
    found: dict[str, _Item] = {}
    for kind, rows in (("fallback", fallbacks), ("did_you_mean", did_you_mean), ("not_helpful", not_helpful)):
        for message_id, bot, text, created, masked in rows:
            if is_question(text):
                found.setdefault(
                    message_id,
                    _Item(message_id, bot, text, kind, created, tuple(masked.split(",")) if masked else ()),
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
        best = min(
            range(len(indices)),
            key=lambda k: (-round(float(centrality[k]), 9), -weights[indices[k]], texts[indices[k]]),
        )
        central = by_text[texts[indices[best]]]
        representative = _most_frequent([item.text for item in central])[0]
        # the latest message with that text stands for the group (a stable id while nothing newer comes)
        question = max(
            (i for i in central if i.text == representative), key=lambda i: (i.created_at, i.message_id)
        )
        grouped = [item for i in indices for item in by_text[texts[i]]]
        examples = [t for t in _most_frequent([item.text for item in grouped]) if t != representative]
        kinds = Counter(item.kind for item in grouped)
        moments = [item.created_at for item in grouped]
        masked = Counter(kind for item in grouped for kind in item.masked)
        groups.append(
            UnansweredGroup(
                bot=bot,
                question_id=question.message_id,
                representative=representative,
                count=len(grouped),
                kinds={kind: kinds[kind] for kind in KINDS},
                examples=[representative, *examples][:EXAMPLES],
                masked_kinds=dict(sorted(masked.items())),
                first_seen=iso_japan(min(moments)) or "",
                last_seen=iso_japan(max(moments)) or "",
                suggested_intent=None,
                add_example_url=ADD_EXAMPLE_URL.format(bot=bot),
                add_example=None,
                not_covered_url=NOT_COVERED_URL.format(bot=bot, question_id=question.message_id),
            )
        )
    return groups


def _suggest(group: UnansweredGroup, nlu: NluEngine) -> UnansweredGroup:
    if group.near_miss_of:  # marked not covered: no intent should take it as an example
        return group
    try:
        top = plausible_intent(nlu.parse(group.representative, bot=group.bot))
    except KeyError:  # a bot no longer served
        return group
    if top is None:
        return group
    return group.model_copy(
        update={
            "suggested_intent": SuggestedIntent(
                intent=top.name, bot=top.bot, confidence=round(top.confidence, 4)
            ),
            "add_example_url": ADD_EXAMPLE_URL.format(bot=top.bot),
            "add_example": AddExample(intent=top.name, text=group.representative),
        }
    )


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
    shown = groups[:limit]
    marked = _near_misses(session, sorted({g.bot for g in shown}))
    return UnansweredReport(
        date_from=days.date_from.isoformat(),
        date_to=days.date_to.isoformat(),
        include_simulated=include_simulated,
        messages=len(items),
        groups_total=len(groups),
        groups=[_suggest(_marked(g, marked), nlu) for g in shown],
    )


def _near_misses(session: Session, bots: list[str]) -> dict[str, dict[str, str]]:
    """Per bot, the near misses of its active nlu.yml (by duplicate-check key) and their intents."""
    rows = session.execute(
        select(PackVersion.bot_id, PackVersion.files).where(
            PackVersion.active.is_(True), PackVersion.bot_id.in_(bots)
        )
    )
    found: dict[str, dict[str, str]] = {}
    for bot, files in rows:
        for intent, lines in near_misses_of(bot, files.get("nlu.yml", "")).items():
            for text, _ in lines:
                found.setdefault(bot, {}).setdefault(example_key(text), intent)
    return found


def _marked(group: UnansweredGroup, near_misses: dict[str, dict[str, str]]) -> UnansweredGroup:
    intent = near_misses.get(group.bot, {}).get(example_key(group.representative))
    return group.model_copy(update={"near_miss_of": intent}) if intent else group


HEADER = [
    "ボット",
    "件数",
    "代表的な質問",
    "フォールバック",
    "もしかして",
    "役に立たなかった",
    "初回",
    "最終",
    "候補インテント",
    "候補ボット",
    "例",
    "マスクした個人情報",
]


def unanswered_table(report: UnansweredReport) -> list[list[Cell]]:
    """One row per group; examples joined by " / "."""
    return [
        [
            g.bot,
            g.count,
            g.representative,
            g.kinds["fallback"],
            g.kinds["did_you_mean"],
            g.kinds["not_helpful"],
            g.first_seen,
            g.last_seen,
            g.suggested_intent.intent if g.suggested_intent else None,
            g.suggested_intent.bot if g.suggested_intent else None,
            " / ".join(g.examples),
            ", ".join(f"{kind} {n}" for kind, n in g.masked_kinds.items()) or None,
        ]
        for g in report.groups
    ]
