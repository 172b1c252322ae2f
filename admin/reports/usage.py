"""Usage: sessions, resident messages and answer quality per bot and period (and channel).

A bot here is the bot the resident opened (the conversation's bot), also when the front door
routed a question to another bot. Sessions, turns and hand-offs count by the day a session
started; messages and ratings by the day they were sent. Days and hours are Japan time. The
needed columns are fetched for the range and summed in Python (identical on SQLite and
PostgreSQL); message text is never loaded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.storage.models import Conversation, Event, Message, Rating
from shared_nlu.constants import FALLBACK_INTENT, HANDOFF_EVENT

from .common import JAPAN_TZ_NAME, DateRange, period_of, ratio, simulated_filter, to_japan
from .export import Cell

Granularity = Literal["day", "month"]
EACH_CHANNEL = "each"  # channel=each: one row per channel
TOP_INTENTS = 10


class IntentCount(BaseModel):
    intent: str
    bot: str | None = Field(description="the bot whose intent it is (after routing)")
    count: int


class UsageRow(BaseModel):
    bot: str
    period: str | None = Field(description="2025-06-01 (day) or 2025-06 (month), Japan time; null in totals")
    channel: str | None = Field(description="widget | rest | line; null when channels are merged")
    sessions: int = Field(description="conversations started")
    resident_messages: int = Field(description="messages residents sent (incoming)")
    answered_messages: int = Field(description="incoming messages whose intent is not nlu_fallback")
    answer_rate: float | None = Field(description="回答率 = answered_messages / resident_messages")
    ratings: int = Field(description="answers rated (was this helpful?)")
    helpful_ratings: int
    helpful_rate: float | None = Field(description="正答率 = helpful_ratings / ratings; null without ratings")
    fallback_messages: int = Field(description="incoming messages the NLU did not understand")
    fallback_rate: float | None = Field(description="fallback_messages / resident_messages")
    handoff_sessions: int = Field(description="sessions with at least one hand-off to staff")
    handoff_rate: float | None = Field(description="handoff_sessions / sessions")
    clarification_messages: int = Field(description="incoming messages answered with 'did you mean …?'")
    clarification_rate: float | None = Field(description="clarification_messages / resident_messages")
    avg_turns: float | None = Field(description="resident messages per session (sessions of the period)")
    top_intents: list[IntentCount] = Field(description="the 10 most frequent understood intents")
    busiest_hours: list[int] = Field(description="resident messages by hour of day 0–23, Japan time")


class UsageReport(BaseModel):
    date_from: str
    date_to: str
    granularity: Granularity
    timezone: str = JAPAN_TZ_NAME
    channel: str | None
    include_simulated: bool
    bots: list[str] = Field(description="the bots covered")
    rows: list[UsageRow] = Field(
        description="per bot, period (and channel); periods without activity are left out"
    )
    totals: list[UsageRow] = Field(
        description="per bot over the whole range (every covered bot, also at zero)"
    )


@dataclass
class _Tally:
    sessions: int = 0
    turns: int = 0
    handoffs: int = 0
    messages: int = 0
    answered: int = 0
    fallbacks: int = 0
    clarifications: int = 0
    ratings: int = 0
    helpful: int = 0
    intents: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    hours: list[int] = field(default_factory=lambda: [0] * 24)

    def row(self, bot: str, period: str | None, channel: str | None) -> UsageRow:
        top = sorted(self.intents.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))[:TOP_INTENTS]
        return UsageRow(
            bot=bot,
            period=period,
            channel=channel,
            sessions=self.sessions,
            resident_messages=self.messages,
            answered_messages=self.answered,
            answer_rate=ratio(self.answered, self.messages),
            ratings=self.ratings,
            helpful_ratings=self.helpful,
            helpful_rate=ratio(self.helpful, self.ratings),
            fallback_messages=self.fallbacks,
            fallback_rate=ratio(self.fallbacks, self.messages),
            handoff_sessions=self.handoffs,
            handoff_rate=ratio(self.handoffs, self.sessions),
            clarification_messages=self.clarifications,
            clarification_rate=ratio(self.clarifications, self.messages),
            avg_turns=round(self.turns / self.sessions, 2) if self.sessions else None,
            top_intents=[IntentCount(intent=i, bot=b, count=n) for (i, b), n in top],
            busiest_hours=self.hours,
        )


def usage_report(
    session: Session,
    bots: list[str],
    days: DateRange,
    granularity: Granularity,
    channel: str | None,
    include_simulated: bool,
) -> UsageReport:
    """Count everything in ``days`` for ``bots``. ``channel``: None (merged), "each", or one channel."""
    rows: dict[tuple[str, str, str | None], _Tally] = {}
    totals = {bot: _Tally() for bot in bots}
    by_channel = channel is not None

    def tallies(bot: str, moment: datetime, chan: str) -> tuple[_Tally, _Tally]:
        key = (bot, period_of(moment, granularity), chan if by_channel else None)
        return rows.setdefault(key, _Tally()), totals[bot]

    def where_channel(column: InstrumentedAttribute[str]) -> list[ColumnElement[bool]]:
        return [column == channel] if channel is not None and channel != EACH_CHANNEL else []

    sessions = select(Conversation.id).where(
        Conversation.bot_id.in_(bots),
        Conversation.started_at >= days.start,
        Conversation.started_at < days.end,
        simulated_filter(Conversation.simulated, include_simulated),
        *where_channel(Conversation.channel),
    )
    handed_off = set(
        session.scalars(
            select(Event.conversation_id)
            .where(Event.type == HANDOFF_EVENT, Event.conversation_id.in_(sessions.scalar_subquery()))
            .distinct()
        )
    )
    query = sessions.add_columns(
        Conversation.bot_id, Conversation.channel, Conversation.started_at, Conversation.turns
    )
    for conversation_id, bot, chan, started, turns in session.execute(query):
        for tally in tallies(bot, started, chan):
            tally.sessions += 1
            tally.turns += turns
            tally.handoffs += conversation_id in handed_off
    messages = select(
        Message.bot_id,
        Message.channel,
        Message.created_at,
        Message.intent,
        Message.answered_bot,
        Message.fallback,
        Message.clarification,
    ).where(
        Message.direction == "in",
        Message.bot_id.in_(bots),
        Message.created_at >= days.start,
        Message.created_at < days.end,
        simulated_filter(Message.simulated, include_simulated),
        *where_channel(Message.channel),
    )
    for bot, chan, created, intent, answered_bot, fallback, clarification in session.execute(messages):
        understood = intent if intent != FALLBACK_INTENT else None  # None also for a retired bot's reply
        answered = understood is not None
        hour = to_japan(created).hour
        for tally in tallies(bot, created, chan):
            tally.messages += 1
            tally.answered += answered
            tally.fallbacks += bool(fallback)
            tally.clarifications += bool(clarification)
            tally.hours[hour] += 1
            if understood is not None:
                tally.intents[(understood, answered_bot)] += 1
    ratings = (
        select(Conversation.bot_id, Conversation.channel, Rating.created_at, Rating.helpful)
        .join(Conversation, Conversation.id == Rating.conversation_id)
        .where(
            Conversation.bot_id.in_(bots),
            Rating.created_at >= days.start,
            Rating.created_at < days.end,
            simulated_filter(Rating.simulated, include_simulated),
            *where_channel(Conversation.channel),
        )
    )
    for bot, chan, created, helpful in session.execute(ratings):
        for tally in tallies(bot, created, chan):
            tally.ratings += 1
            tally.helpful += bool(helpful)
    return UsageReport(
        date_from=days.date_from.isoformat(),
        date_to=days.date_to.isoformat(),
        granularity=granularity,
        channel=channel,
        include_simulated=include_simulated,
        bots=bots,
        rows=[rows[key].row(*key) for key in sorted(rows, key=lambda k: (k[0], k[1], k[2] or ""))],
        totals=[totals[bot].row(bot, None, channel if channel != EACH_CHANNEL else None) for bot in bots],
    )


HEADER = [
    "ボット",
    "期間",
    "チャネル",
    "セッション数",
    "住民メッセージ数",
    "回答数",
    "回答率",
    "評価数",
    "役に立った",
    "正答率",
    "フォールバック数",
    "フォールバック率",
    "引き継ぎセッション数",
    "引き継ぎ率",
    "聞き返し数",
    "聞き返し率",
    "平均ターン数",
    "上位インテント",
    *[f"{h}時" for h in range(24)],
]


def usage_table(report: UsageReport) -> list[list[Cell]]:
    """The rows, then a 合計 (total) row per bot; top intents as "intent (count)" joined by " / "."""
    table: list[list[Cell]] = []
    for row in [*report.rows, *report.totals]:
        intents = " / ".join(f"{i.intent} ({i.count})" for i in row.top_intents)
        table.append(
            [
                row.bot,
                row.period or "合計",
                row.channel,
                row.sessions,
                row.resident_messages,
                row.answered_messages,
                row.answer_rate,
                row.ratings,
                row.helpful_ratings,
                row.helpful_rate,
                row.fallback_messages,
                row.fallback_rate,
                row.handoff_sessions,
                row.handoff_rate,
                row.clarification_messages,
                row.clarification_rate,
                row.avg_turns,
                intents,
                *row.busiest_hours,
            ]
        )
    return table
