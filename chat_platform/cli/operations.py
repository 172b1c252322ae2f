"""Commands for whoever runs the service: db upgrade, purge (``serve`` is in ``madoguchi.cli``)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import delete

from core.settings import Settings
from core.storage.database import Database
from core.storage.migrate import upgrade
from core.storage.models import Conversation

console = Console()
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(purge)
    app.add_typer(db_app, name="db")


DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides MADOGUCHI_DATABASE_URL (default: SQLite under var/)."),
]


def settings_from_env(database_url: str | None) -> Settings:
    settings = Settings.from_env()
    if database_url:
        os.environ["MADOGUCHI_DATABASE_URL"] = (
            database_url  # workers read their settings from the environment
        )
        settings = Settings.from_env()
    return settings


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOption = None) -> None:
    """Create or update the database schema (Alembic migrations)."""
    settings = settings_from_env(database_url)
    upgrade(settings.database_url)
    console.print(f"schema up to date: {redacted_url(settings.database_url)}")


def require_proxies(settings: Settings) -> None:
    """A mistyped MADOGUCHI_TRUSTED_PROXIES stops here, saying what to write, not in every worker."""
    from core.web.proxies import parse_networks

    try:
        parse_networks(settings.trusted_proxies)
    except ValueError as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from exc


def require_packs(settings: Settings) -> None:
    """Exit with a clear message when there is nothing to serve (instead of a worker traceback)."""
    from core.pack_versions import active_fingerprint
    from shared_nlu.pack import find_pack_folders

    if find_pack_folders([settings.bots_dir]):
        return
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            if active_fingerprint(session):
                return
    finally:
        database.dispose()
    console.print(
        f"[red]パックが見つかりません / no packs:[/] {settings.bots_dir} にボットのフォルダがなく、データベースにもパックがありません。"
        " プロジェクトのフォルダで実行するか、MADOGUCHI_BOTS_DIR を設定してください。"
    )
    raise typer.Exit(2)


def purge(
    days: Annotated[
        int | None,
        typer.Option(help="Delete conversations older than this (default: MADOGUCHI_RETENTION_DAYS)."),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Delete stored conversations (messages, events, ratings) older than the retention period."""
    settings = settings_from_env(database_url)
    keep = settings.retention_days if days is None else days
    if keep < 0:
        console.print("--days は 0 以上にしてください / --days must be 0 or more")
        raise typer.Exit(2)
    cutoff = datetime.now(UTC) - timedelta(days=keep)
    db = Database(settings.database_url)
    with db.session() as session:
        result = session.execute(delete(Conversation).where(Conversation.last_active_at < cutoff))
        deleted = int(getattr(result, "rowcount", 0) or 0)
    console.print(f"deleted {deleted} conversation(s) last active before {cutoff:%Y-%m-%d}")


def redacted_url(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url
