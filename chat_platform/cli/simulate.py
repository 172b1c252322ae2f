"""``madoguchi simulate``: fill a demo database with simulated resident traffic over past days."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.services import Services
from core.settings import Settings
from core.storage.migrate import upgrade

from ..resident_services import ResidentServices
from ..simulate.runner import SimulationError, Summary, simulation_settings
from ..simulate.runner import simulate as play
from .operations import DatabaseOption, redacted_url, require_packs, settings_from_env

console = Console()


_start_services: Callable[[Settings], Services] = ResidentServices.start


def register(app: typer.Typer, start_services: Callable[[Settings], Services]) -> None:
    """``start_services`` starts the resident services with whatever the app plugs in (the registry)."""
    global _start_services
    _start_services = start_services
    app.command()(simulate)


def simulate(
    days: Annotated[int, typer.Option(help="Days of traffic, ending yesterday (Japan time).")] = 30,
    conversations_per_day: Annotated[
        int, typer.Option(help="Average conversations a day (more on weekdays, fewer on weekends).")
    ] = 40,
    seed: Annotated[int, typer.Option(help="The same seed gives the same traffic (on the same day).")] = 0,
    database_url: DatabaseOption = None,
    if_empty: Annotated[
        bool,
        typer.Option(
            "--if-empty", help="Do nothing when the database already has simulated traffic (make run)."
        ),
    ] = False,
) -> None:
    """Play realistic resident conversations through the chat API over past days, for demos.

    Every conversation, message, event and rating it creates is marked simulated; the usage reports leave simulated traffic out unless asked (include_simulated=true).

    Each run ADDS traffic: running twice with the same seed stores the same conversations twice (use another --seed for different ones, or a fresh database to start over).
    """
    if days < 1 or conversations_per_day < 1:
        console.print("--days と --conversations-per-day は 1 以上にしてください / must be 1 or more")
        raise typer.Exit(2)
    settings = simulation_settings(settings_from_env(database_url))
    upgrade(settings.database_url)
    require_packs(settings)
    if if_empty and _has_simulated_traffic(settings.database_url):
        console.print("simulated traffic is already there (--if-empty): nothing added")
        return
    with console.status("loading the bots…"):
        services = _start_services(settings)
    if not isinstance(services, ResidentServices):
        raise TypeError("simulate needs the resident services (start them with public=True)")
    try:
        with Progress(
            TextColumn("[bold]simulating[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("simulate", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = play(services, days, conversations_per_day, seed, progress=advance)
    except SimulationError as exc:
        console.print(f"[red]simulation stopped:[/] {exc}")
        raise typer.Exit(1) from exc
    finally:
        services.stop()
    _print_summary(summary, redacted_url(settings.database_url))


def _has_simulated_traffic(url: str) -> bool:
    from sqlalchemy import select

    from core.storage.database import Database
    from core.storage.models import Conversation

    database = Database(url)
    try:
        with database.session() as session:
            return (
                session.scalars(
                    select(Conversation.id).where(Conversation.simulated.is_(True)).limit(1)
                ).first()
                is not None
            )
    finally:
        database.dispose()


def _print_summary(summary: Summary, database: str) -> None:
    table = Table(title=f"simulated traffic {summary.first_day} – {summary.last_day} (seed {summary.seed})")
    table.add_column("bot")
    for column in ("sessions", "messages", "from residents", "ratings", "helpful"):
        table.add_column(column, justify="right")
    rows = [*summary.bots.items(), ("total", summary.total())]
    for bot, tally in rows:
        helpful = f"{tally.helpful / tally.ratings:.0%}" if tally.ratings else "-"
        table.add_row(
            bot,
            str(tally.conversations),
            str(tally.messages),
            str(tally.resident_messages),
            str(tally.ratings),
            helpful,
            end_section=bot == rows[-2][0],
        )
    console.print(table)
    console.print(
        f"{summary.total().conversations} simulated conversations added to {database} in "
        f"{summary.seconds:.1f} s. They are marked simulated (reports: include_simulated=true); "
        "each run adds more."
    )
