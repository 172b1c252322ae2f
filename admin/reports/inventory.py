"""The ICT project inventory (棚卸し) per department, as in the prefecture's seed table.

Counted are the projects whose ``source`` is an inventory import (``inventory_fy2021`` …) or a
manual entry. The per-bot registrations (``source == "bots"``) are left out: each chatbot is
already inside its department's town-DX line of the inventory (e.g. 税務相談（AIチャットボット）),
so counting them again would double-count. ``count`` is the sum of ``sub_projects`` (件数);
budgets are thousand yen (千円), and a project without a budget adds nothing to the sum but is
counted in ``projects_without_budget``. FY2021 reproduces the seed: 175 projects and
¥8,674,181 thousand (town-DX 33 / 3,414,569, internal-DX 142 / 5,259,612); without 公安
(police) 132 / 7,021,336.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.storage.models import Project

from .export import Cell

TOWN, INTERNAL = "街のDX", "庁内DX"
POLICE = "公安"
SEED_ORDER = (
    "危機管理",
    "総務",
    "財務・税務",
    "福祉",
    "健康医療",
    "商工",
    "府民文化",
    "都市整備",
    "環境農林",
    "住まち",
    "教育",
    "会計",
    "議会",
    "公安",
)
EXCLUDED_SOURCE = "bots"


class KindCell(BaseModel):
    count: int = Field(description="件数: Σ sub_projects")
    budget_thousand_yen: int = Field(description="事業費 (千円): Σ budgets entered")
    main_project: str | None = Field(
        description="主な事業: the main project of the line with the largest budget"
    )
    projects_without_budget: int = 0


class DepartmentRow(BaseModel):
    department: str
    town: KindCell = Field(description="街のDX")
    internal: KindCell = Field(description="庁内DX")
    count: int
    budget_thousand_yen: int


class Total(BaseModel):
    count: int
    budget_thousand_yen: int


class Totals(BaseModel):
    town: Total
    internal: Total
    all: Total


class InventoryReport(BaseModel):
    fiscal_year: int
    kind: str | None
    departments: list[DepartmentRow] = Field(description="seed order; other departments after, sorted")
    totals: Totals = Field(description="over the departments shown")
    totals_excluding_police: Totals = Field(description="the same without 公安")


def _cell(projects: list[Project]) -> KindCell:
    main = max(projects, key=lambda p: (p.budget_thousand_yen or 0, -p.id), default=None)
    return KindCell(
        count=sum(p.sub_projects for p in projects),
        budget_thousand_yen=sum(p.budget_thousand_yen or 0 for p in projects),
        main_project=main.main_project if main else None,
        projects_without_budget=sum(p.budget_thousand_yen is None for p in projects),
    )


def _order(department: str) -> tuple[int, str]:
    return (SEED_ORDER.index(department), "") if department in SEED_ORDER else (len(SEED_ORDER), department)


def _totals(rows: list[DepartmentRow]) -> Totals:
    town = Total(
        count=sum(r.town.count for r in rows),
        budget_thousand_yen=sum(r.town.budget_thousand_yen for r in rows),
    )
    internal = Total(
        count=sum(r.internal.count for r in rows),
        budget_thousand_yen=sum(r.internal.budget_thousand_yen for r in rows),
    )
    return Totals(
        town=town,
        internal=internal,
        all=Total(
            count=town.count + internal.count,
            budget_thousand_yen=town.budget_thousand_yen + internal.budget_thousand_yen,
        ),
    )


def inventory_report(
    session: Session, fiscal_year: int, kind: str | None, department: str | None
) -> InventoryReport:
    """``department`` restricts to one department's row (a department token always passes its own)."""
    query = select(Project).where(Project.fiscal_year == fiscal_year, Project.source != EXCLUDED_SOURCE)
    if kind is not None:
        query = query.where(Project.kind == kind)
    if department is not None:
        query = query.where(Project.department == department)
    by_department: dict[str, list[Project]] = {}
    for project in session.scalars(query.order_by(Project.id)):
        by_department.setdefault(project.department, []).append(project)
    rows = []
    for name in sorted(by_department, key=_order):
        projects = by_department[name]
        town = _cell([p for p in projects if p.kind == TOWN])
        internal = _cell([p for p in projects if p.kind == INTERNAL])
        rows.append(
            DepartmentRow(
                department=name,
                town=town,
                internal=internal,
                count=town.count + internal.count,
                budget_thousand_yen=town.budget_thousand_yen + internal.budget_thousand_yen,
            )
        )
    return InventoryReport(
        fiscal_year=fiscal_year,
        kind=kind,
        departments=rows,
        totals=_totals(rows),
        totals_excluding_police=_totals([r for r in rows if r.department != POLICE]),
    )


HEADER = [
    "部局",
    "街のDX 件数",
    "街のDX 事業費（千円）",
    "街のDX 主な事業",
    "庁内DX 件数",
    "庁内DX 事業費（千円）",
    "庁内DX 主な事業",
    "合計 件数",
    "合計 事業費（千円）",
]
TOTAL_LABEL, TOTAL_EXCLUDING_POLICE_LABEL = "合計", "合計（公安を除く）"


def inventory_table(report: InventoryReport) -> list[list[Cell]]:
    """One row per department, then 合計 and 合計（公安を除く）."""
    table: list[list[Cell]] = [
        [
            r.department,
            r.town.count,
            r.town.budget_thousand_yen,
            r.town.main_project,
            r.internal.count,
            r.internal.budget_thousand_yen,
            r.internal.main_project,
            r.count,
            r.budget_thousand_yen,
        ]
        for r in report.departments
    ]
    for label, t in (
        (TOTAL_LABEL, report.totals),
        (TOTAL_EXCLUDING_POLICE_LABEL, report.totals_excluding_police),
    ):
        table.append(
            [
                label,
                t.town.count,
                t.town.budget_thousand_yen,
                None,
                t.internal.count,
                t.internal.budget_thousand_yen,
                None,
                t.all.count,
                t.all.budget_thousand_yen,
            ]
        )
    return table
