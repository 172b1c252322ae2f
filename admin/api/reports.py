"""Reports: usage, cost, unanswered questions, inventory (``/admin/api/v1/reports``).

Every report is JSON by default; ``format=csv`` (UTF-8 with BOM, for Excel) and ``format=xlsx``
download the same numbers as a table. Department tokens see their own department's bots only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from core.web.deps import ServicesDep
from core.web.error_schemas import error_responses

from ..auth import require_department
from ..projects import check_kind, fiscal_year_of
from ..reports import cost, inventory, unanswered, usage
from ..reports.common import bot_departments, date_range, today_in_japan, visible_bots
from ..reports.export import DOWNLOAD_RESPONSES, Format, download
from .deps import ADMIN_ERRORS, PrincipalDep, SessionDep

router = APIRouter(tags=["reports"], responses=ADMIN_ERRORS)
BOT_REPORT_RESPONSES = {**DOWNLOAD_RESPONSES, **error_responses(404)}  # ?bot= names an unknown bot
FormatQuery = Annotated[
    Format, Query(alias="format", description="json (default), csv (UTF-8 with BOM) or xlsx")
]
BotQuery = Annotated[str | None, Query(max_length=64, description="one bot; default: every bot you may see")]
FromQuery = Annotated[
    date | None, Query(description="first day, Japan time (default: 29 days before date_to)")
]
ToQuery = Annotated[date | None, Query(description="last day, included, Japan time (default: today)")]
SimulatedQuery = Annotated[bool, Query(description="count the simulator's demo traffic too")]

USAGE = """Per bot and period (day or month, Japan time), and per channel with ``channel=each``
(``channel=widget`` etc. keeps one channel). Simulated traffic is excluded unless
``include_simulated=true``. A bot is the one the resident opened, also when a question was routed.

* **sessions** — conversations started in the period.
* **resident_messages** — messages residents sent.
* **answered_messages** — resident messages whose intent is not ``nlu_fallback``.
* **answer_rate** (回答率) — answered_messages / resident_messages.
* **helpful_rate** (正答率) — helpful ratings / ratings; null when nothing was rated.
* **fallback_rate** — resident messages not understood / resident_messages.
* **handoff_rate** — sessions (started in the period) with a hand-off to staff / sessions.
* **clarification_rate** — resident messages answered with "did you mean …?" / resident_messages.
* **avg_turns** — resident messages per session, over the sessions started in the period.
* **top_intents** — the 10 most frequent understood intents, with counts.
* **busiest_hours** — resident messages by hour of day (index 0–23, Japan time).

Rates are rounded to 4 places and null when the denominator is 0. ``totals`` has one row per bot
over the whole range. Department tokens: only their bots (another department's bot → 403)."""

COST = f"""Per bot for a fiscal year (April–March), money in thousand yen (千円):
its own budget (from its project record for that year; null if not entered — never estimated),
its share of the shared platform cost (settings ``/settings/cost``), the total, and the cost per
session and per answered message in yen (null when the total or the divisor is missing/0).
``consolidation`` compares the bots as separate systems (Σ budget_before) with the platform
(shared cost + own budgets); sums and the difference are null, and ``complete`` false, when an
input is missing (the bots are listed).

{cost.__doc__}"""

UNANSWERED = f"""Groups of similar unanswered questions, largest first.

{unanswered.__doc__}"""

INVENTORY = f"""The inventory table per department: town-DX (街のDX) and internal-DX (庁内DX) count,
budget and main project, their sums, the totals and the totals without 公安. Strategy and viewer
tokens see every department; a department token only its own row (totals over what it sees).

{inventory.__doc__}"""


@router.get(
    "/reports/usage",
    response_model=usage.UsageReport,
    responses=BOT_REPORT_RESPONSES,
    summary="Usage per bot and period: sessions, answer rate, helpful rate, hand-offs …",
    description=USAGE,
)
def usage_report(
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    bot: BotQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    granularity: usage.Granularity = "day",
    channel: Annotated[str | None, Query(max_length=16, description="each | widget | rest | line")] = None,
    include_simulated: SimulatedQuery = False,
    fmt: FormatQuery = "json",
) -> usage.UsageReport | Response:
    bots = visible_bots(services, principal, bot)
    days = date_range(date_from, date_to)
    report = usage.usage_report(session, bots, days, granularity, channel, include_simulated)
    if fmt == "json":
        return report
    name = f"madoguchi-usage-{bot + '-' if bot else ''}{days.date_from}_{days.date_to}"
    return download(fmt, name, usage.HEADER, usage.usage_table(report), "利用状況")


@router.get(
    "/reports/cost",
    response_model=cost.CostReport,
    responses=DOWNLOAD_RESPONSES,
    summary="Cost per bot: own budget, share of the shared platform, per session; consolidation",
    description=COST,
)
def cost_report(
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    fiscal_year: Annotated[
        int | None, Query(ge=2000, le=2100, description="default: the current one")
    ] = None,
    include_simulated: SimulatedQuery = False,
    fmt: FormatQuery = "json",
) -> cost.CostReport | Response:
    year = fiscal_year or fiscal_year_of(today_in_japan())
    settings, _ = cost.load_settings(session, services.settings)
    visible = visible_bots(services, principal, None)
    report = cost.cost_report(session, settings, year, bot_departments(services), visible, include_simulated)
    if fmt == "json":
        return report
    return download(fmt, f"madoguchi-cost-fy{year}", cost.HEADER, cost.cost_table(report), f"費用 {year}年度")


@router.get(
    "/reports/unanswered",
    response_model=unanswered.UnansweredReport,
    responses=BOT_REPORT_RESPONSES,
    summary="Unanswered questions grouped by similarity, with a suggested intent",
    description=UNANSWERED,
)
def unanswered_report(
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    bot: BotQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    include_simulated: SimulatedQuery = False,
    limit: Annotated[int, Query(ge=1, le=500, description="groups returned")] = 50,
    fmt: FormatQuery = "json",
) -> unanswered.UnansweredReport | Response:
    bots = visible_bots(services, principal, bot)
    days = date_range(date_from, date_to)
    nlu = services.runtime.current.nlu
    report = unanswered.unanswered_report(session, nlu, bots, days, include_simulated, limit)
    if fmt == "json":
        return report
    name = f"madoguchi-unanswered-{bot + '-' if bot else ''}{days.date_from}_{days.date_to}"
    return download(fmt, name, unanswered.HEADER, unanswered.unanswered_table(report), "未回答の質問")


@router.get(
    "/reports/inventory",
    response_model=inventory.InventoryReport,
    responses=DOWNLOAD_RESPONSES,
    summary="The ICT project inventory per department (棚卸し)",
    description=INVENTORY,
)
def inventory_report(
    session: SessionDep,
    principal: PrincipalDep,
    fiscal_year: Annotated[int, Query(ge=2000, le=2100)] = 2021,
    kind: Annotated[str | None, Query(description="街のDX | 庁内DX")] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    fmt: FormatQuery = "json",
) -> inventory.InventoryReport | Response:
    check_kind(kind)
    if principal.role == "department":
        if department is not None:
            require_department(principal, department, f"部局「{department}」の棚卸し")
        department = principal.department
    report = inventory.inventory_report(session, fiscal_year, kind, department)
    if fmt == "json":
        return report
    table = inventory.inventory_table(report)
    return download(
        fmt, f"madoguchi-inventory-fy{fiscal_year}", inventory.HEADER, table, f"棚卸し {fiscal_year}年度"
    )
