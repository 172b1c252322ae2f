"""The registry of ICT projects: the FY2021 inventory and one town-DX project per bot."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import AppError
from core.services import Hooks
from core.storage.models import Project
from shared_nlu.pack import PackSet

INVENTORY_FY2021 = Path(__file__).parent / "data" / "inventory_fy2021.csv"
KINDS = ("街のDX", "庁内DX")


def check_kind(kind: str | None) -> None:
    """A project kind given as a filter is one of KINDS (422 naming them otherwise)."""
    if kind is not None and kind not in KINDS:
        raise AppError(
            422,
            "invalid_kind",
            f"kind は {' / '.join(KINDS)} のどちらかです。",
            f"kind must be one of {', '.join(KINDS)}.",
        )


def fiscal_year_of(day: date) -> int:
    """Japanese fiscal years start on 1 April: 2026-11-28 is in FY2026, 2027-03-31 too."""
    return day.year if day.month >= 4 else day.year - 1


def import_inventory(session: Session, path: Path = INVENTORY_FY2021) -> int:
    """Load the inventory rows (one per department and kind); rows already there are left as they are."""
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    added = 0
    for row in csv.DictReader(lines):
        fiscal_year, department, kind = int(row["fiscal_year"]), row["department"], row["kind"]
        name = f"{department} {kind}事業"
        exists = session.scalars(
            select(Project.id).where(
                Project.fiscal_year == fiscal_year,
                Project.department == department,
                Project.kind == kind,
                Project.name == name,
            )
        ).first()
        if exists is not None:
            continue
        session.add(
            Project(
                fiscal_year=fiscal_year,
                department=department,
                name=name,
                kind=kind,
                budget_thousand_yen=int(row["budget_thousand_yen"]),
                sub_projects=int(row["sub_projects"]),
                main_project=row["main_project"],
                source=f"inventory_fy{fiscal_year}",
            )
        )
        added += 1
    session.flush()
    return added


def register_bots(session: Session, packs: PackSet, fiscal_year: int) -> list[str]:
    """Give every bot without a project one: a town-DX project of its department in ``fiscal_year``.

    Budgets are left unset: the strategy department enters them; nothing here invents a number.
    """
    registered = set(session.scalars(select(Project.bot_id).where(Project.bot_id.is_not(None))))
    added = []
    for pack in packs.bots():
        if pack.id in registered:
            continue
        session.add(
            Project(
                fiscal_year=fiscal_year,
                department=pack.bot.department,
                name=pack.bot.name["ja"],
                kind="街のDX",
                sub_projects=1,
                main_project=pack.bot.name["ja"],
                bot_id=pack.id,
                service_start=pack.bot.service_start,
                source="bots",
            )
        )
        added.append(pack.id)
    session.flush()
    return added


def bot_projects(session: Session) -> dict[str, Project]:
    """The latest project record of each bot."""
    rows = session.scalars(
        select(Project).where(Project.bot_id.is_not(None)).order_by(Project.fiscal_year)
    ).all()
    return {row.bot_id: row for row in rows if row.bot_id}


def retired_bots(session: Session) -> dict[str, str]:
    """bot id → the message residents see, for bots whose project is retired."""
    return {
        bot: project.retirement_message or ""
        for bot, project in bot_projects(session).items()
        if project.status == "retired"
    }


def unserved_bots(session: Session, served: set[str]) -> list[Project]:
    """Bots opened in the admin that no worker serves yet (only drafts so far): their latest project."""
    rows = session.scalars(
        select(Project)
        .where(Project.source == "admin", Project.bot_id.is_not(None))
        .order_by(Project.fiscal_year)
    )
    latest = {row.bot_id: row for row in rows if row.bot_id is not None and row.bot_id not in served}
    return [latest[bot] for bot in sorted(latest)]


def register_projects(session: Session, packs: PackSet) -> None:
    """At every start: the FY2021 inventory, and a town-DX project of this fiscal year for each new bot."""
    import_inventory(session)
    register_bots(session, packs, fiscal_year_of(datetime.now(UTC).date()))


def registry_hooks() -> Hooks:
    """What the registry adds to the core: projects recorded at start, and which bots are retired
    (by each bot's latest project, so a bot retired in one fiscal year and reopened in the next is served)."""
    return Hooks(register_projects=register_projects, retired_bots=retired_bots)
