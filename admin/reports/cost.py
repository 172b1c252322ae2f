"""Cost: each bot's own budget, its share of the shared platform, and what consolidation saves.

All money is in thousand yen (千円) except the per-session and per-answer figures, which are in
yen. Nothing is estimated: a budget that was not entered stays null, and every figure built on it
is null too, with the bot named in ``missing``.

The shared platform's yearly cost (setting ``cost``) is split between the bots in proportion to
their traffic in the fiscal year: resident messages or sessions (``allocation``). Shares are whole
thousand yen, rounded by the largest-remainder method so they add up exactly to the shared cost;
a bot without traffic gets 0. Simulated traffic is left out unless asked for. Allocation always
runs over every bot, so a department sees the same share for its bot as the strategy department.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from core.storage.models import Conversation, Message, Project, Setting
from shared_nlu.constants import FALLBACK_INTENT

from .common import fiscal_year_range, per_unit_yen, simulated_filter
from .export import Cell

SETTING_KEY = "cost"
Allocation = Literal["messages", "sessions"]


class CostSettings(BaseModel):
    shared_cost_thousand_yen: int = Field(
        ge=0, le=2_147_483_647, description="the shared platform's yearly cost (千円)"
    )  # the cap of a project's budget column; a larger number is a typo, and overflowed the per-unit floats
    allocation: Allocation = Field(description="split the shared cost by resident messages or by sessions")


def load_settings(session: Session, settings: Settings) -> tuple[CostSettings, Setting | None]:
    """The stored cost settings, with the service settings as defaults; and the stored row, if any."""
    row = session.get(Setting, SETTING_KEY)
    value: dict[str, Any] = dict(row.value) if row is not None else {}
    defaults = {
        "shared_cost_thousand_yen": settings.shared_cost_thousand_yen,
        "allocation": settings.cost_allocation,
    }
    return CostSettings.model_validate({**defaults, **value}), row


class BotCost(BaseModel):
    bot: str
    department: str
    project_id: int | None = Field(description="the bot's project record for the fiscal year, if any")
    budget_thousand_yen: int | None = Field(description="the bot's own budget; null if not entered")
    budget_before_thousand_yen: int | None = Field(description="its yearly cost as a separate system")
    sessions: int
    resident_messages: int
    answered_messages: int = Field(description="incoming messages whose intent is not nlu_fallback")
    shared_share_thousand_yen: int = Field(description="its share of the shared platform cost")
    total_thousand_yen: int | None = Field(description="budget + share; null if the budget is missing")
    cost_per_session_yen: float | None = Field(description="total × 1000 / sessions")
    cost_per_answered_message_yen: float | None = Field(description="total × 1000 / answered_messages")
    missing: list[str] = Field(description="inputs not entered: project, budget, budget_before")


class Consolidation(BaseModel):
    before_thousand_yen: int | None = Field(description="Σ budget_before: the bots as separate systems")
    shared_cost_thousand_yen: int = Field(
        description="the shared cost counted (your bots' shares for a department)"
    )
    own_budgets_thousand_yen: int | None = Field(description="Σ the bots' own budgets")
    platform_total_thousand_yen: int | None = Field(description="shared cost + own budgets")
    difference_thousand_yen: int | None = Field(description="before − platform total; positive = saving")
    complete: bool = Field(description="false when some input is missing (then the sums above are null)")
    missing_budget: list[str]
    missing_budget_before: list[str]


class CostReport(BaseModel):
    fiscal_year: int
    period_from: str
    period_to: str
    include_simulated: bool
    shared_cost_thousand_yen: int
    allocation: Allocation
    allocation_units: int = Field(description="messages or sessions of all bots: the allocation's divisor")
    unallocated_thousand_yen: int = Field(description="shared cost left unallocated (no traffic at all)")
    bots: list[BotCost]
    consolidation: Consolidation


def allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` in whole units that add up to ``total``."""
    units = sum(weights.values())
    if units == 0:
        return dict.fromkeys(weights, 0)
    parts = {key: divmod(total * weight, units) for key, weight in weights.items()}
    left = total - sum(quotient for quotient, _ in parts.values())
    order = sorted(parts, key=lambda key: (-parts[key][1], key))
    return {key: parts[key][0] + (1 if key in order[:left] else 0) for key in parts}


def _traffic(
    session: Session, fiscal_year: int, bots: list[str], include_simulated: bool
) -> dict[str, tuple[int, int, int]]:
    """bot → (sessions, resident messages, answered messages) in the fiscal year (SQL aggregates)."""
    days = fiscal_year_range(fiscal_year)
    sessions: dict[str, int] = {
        bot: int(count)
        for bot, count in session.execute(
            select(Conversation.bot_id, func.count())
            .where(
                Conversation.bot_id.in_(bots),
                Conversation.started_at >= days.start,
                Conversation.started_at < days.end,
                simulated_filter(Conversation.simulated, include_simulated),
            )
            .group_by(Conversation.bot_id)
        )
    }
    answered = case((Message.intent.is_not(None) & (Message.intent != FALLBACK_INTENT), 1), else_=0)
    messages = {
        bot: (int(total), int(ok or 0))
        for bot, total, ok in session.execute(
            select(Message.bot_id, func.count(), func.sum(answered))
            .where(
                Message.direction == "in",
                Message.bot_id.in_(bots),
                Message.created_at >= days.start,
                Message.created_at < days.end,
                simulated_filter(Message.simulated, include_simulated),
            )
            .group_by(Message.bot_id)
        )
    }
    return {bot: (sessions.get(bot, 0), *messages.get(bot, (0, 0))) for bot in bots}


def _projects(session: Session, fiscal_year: int, bots: list[str]) -> dict[str, Project]:
    """Each bot's project for the year; of several, the newest with a budget entered."""
    rows = session.scalars(
        select(Project)
        .where(Project.fiscal_year == fiscal_year, Project.bot_id.in_(bots))
        .order_by(Project.id)
    )
    found: dict[str, Project] = {}
    for row in rows:
        current = found.get(row.bot_id or "")
        if current is None or row.budget_thousand_yen is not None or current.budget_thousand_yen is None:
            found[row.bot_id or ""] = row
    return found


def cost_report(
    session: Session,
    settings: CostSettings,
    fiscal_year: int,
    departments: dict[str, str],
    visible: list[str],
    include_simulated: bool,
) -> CostReport:
    """``departments``: every bot → department (allocation runs over all); ``visible``: rows shown."""
    traffic = _traffic(session, fiscal_year, list(departments), include_simulated)
    basis = {bot: t[0] if settings.allocation == "sessions" else t[1] for bot, t in traffic.items()}
    shares = allocate(settings.shared_cost_thousand_yen, basis)
    projects = _projects(session, fiscal_year, visible)
    rows = []
    for bot in visible:
        project = projects.get(bot)
        budget = project.budget_thousand_yen if project else None
        before = project.budget_before_thousand_yen if project else None
        total = budget + shares[bot] if budget is not None else None
        sessions, messages, answered = traffic[bot]
        missing = ["project"] if project is None else []
        missing += [name for name, value in (("budget", budget), ("budget_before", before)) if value is None]
        rows.append(
            BotCost(
                bot=bot,
                department=departments[bot],
                project_id=project.id if project else None,
                budget_thousand_yen=budget,
                budget_before_thousand_yen=before,
                sessions=sessions,
                resident_messages=messages,
                answered_messages=answered,
                shared_share_thousand_yen=shares[bot],
                total_thousand_yen=total,
                cost_per_session_yen=per_unit_yen(total, sessions),
                cost_per_answered_message_yen=per_unit_yen(total, answered),
                missing=missing,
            )
        )
    units = sum(basis.values())
    unallocated = settings.shared_cost_thousand_yen if units == 0 else 0
    everything = set(visible) == set(departments)
    days = fiscal_year_range(fiscal_year)
    return CostReport(
        fiscal_year=fiscal_year,
        period_from=days.date_from.isoformat(),
        period_to=days.date_to.isoformat(),
        include_simulated=include_simulated,
        shared_cost_thousand_yen=settings.shared_cost_thousand_yen,
        allocation=settings.allocation,
        allocation_units=units,
        unallocated_thousand_yen=unallocated,
        bots=rows,
        consolidation=_consolidation(rows, settings.shared_cost_thousand_yen if everything else None),
    )


def _consolidation(rows: list[BotCost], shared_cost: int | None) -> Consolidation:
    """``shared_cost``: the whole shared cost, or None to count only these bots' shares."""
    missing_budget = [r.bot for r in rows if r.budget_thousand_yen is None]
    missing_before = [r.bot for r in rows if r.budget_before_thousand_yen is None]
    shared = shared_cost if shared_cost is not None else sum(r.shared_share_thousand_yen for r in rows)
    before = None if missing_before else sum(r.budget_before_thousand_yen or 0 for r in rows)
    own = None if missing_budget else sum(r.budget_thousand_yen or 0 for r in rows)
    platform = shared + own if own is not None else None
    return Consolidation(
        before_thousand_yen=before,
        shared_cost_thousand_yen=shared,
        own_budgets_thousand_yen=own,
        platform_total_thousand_yen=platform,
        difference_thousand_yen=before - platform if before is not None and platform is not None else None,
        complete=not missing_budget and not missing_before,
        missing_budget=missing_budget,
        missing_budget_before=missing_before,
    )


HEADER = [
    "ボット",
    "部局",
    "事業費（千円）",
    "統合前の年間費用（千円）",
    "セッション数",
    "住民メッセージ数",
    "回答数",
    "共通基盤の按分（千円）",
    "合計（千円）",
    "1セッションあたり（円）",
    "1回答あたり（円）",
    "未入力",
]


def cost_table(report: CostReport) -> list[list[Cell]]:
    """One row per bot, then the consolidation: before, platform total and the difference."""
    table: list[list[Cell]] = [
        [
            r.bot,
            r.department,
            r.budget_thousand_yen,
            r.budget_before_thousand_yen,
            r.sessions,
            r.resident_messages,
            r.answered_messages,
            r.shared_share_thousand_yen,
            r.total_thousand_yen,
            r.cost_per_session_yen,
            r.cost_per_answered_message_yen,
            ", ".join(r.missing),
        ]
        for r in report.bots
    ]
    c = report.consolidation
    blank: list[Cell] = [None] * 6
    table.append(
        ["統合前の合計", None, None, c.before_thousand_yen, *blank, None, ", ".join(c.missing_budget_before)]
    )
    table.append(
        [
            "共通基盤の合計",
            None,
            c.own_budgets_thousand_yen,
            None,
            None,
            None,
            None,
            c.shared_cost_thousand_yen,
            c.platform_total_thousand_yen,
            None,
            None,
            ", ".join(c.missing_budget),
        ]
    )
    table.append(
        [
            "差額（統合前 − 共通基盤）",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            c.difference_thousand_yen,
            None,
            None,
            None,
        ]
    )
    return table
