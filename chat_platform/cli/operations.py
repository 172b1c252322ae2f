"""Commands for whoever runs the service: serve, db upgrade, purge."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import delete

from ..settings import Settings
from ..storage.database import Database
from ..storage.migrate import upgrade
from ..storage.models import Conversation

console = Console()
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(purge)
    app.add_typer(db_app, name="db")


DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides MADOGUCHI_DATABASE_URL (default: SQLite under var/)."),
]


def _settings(database_url: str | None) -> Settings:
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
    settings = _settings(database_url)
    upgrade(settings.database_url)
    console.print(f"schema up to date: {_redact(settings.database_url)}")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    database_url: DatabaseOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each serves every bot).")] = 1,
) -> None:
    """Apply migrations, load every pack and serve the widget demo, chat API and admin."""
    import uvicorn

    settings = _settings(database_url)
    require_proxies(settings)
    upgrade(settings.database_url)
    require_packs(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    console.print(f"Madoguchi on http://{host}:{port}/  (database: {_redact(settings.database_url)})")
    if workers > 1:
        # seed the database and train (and cache) the model once, so the workers start by loading it
        # instead of all training at once and racing to write the first pack versions
        from ..services import Services

        Services.start(settings).stop()
    uvicorn.run(
        "chat_platform.main:create_from_env", factory=True, host=host, port=port, workers=workers,
        log_level="info", access_log=False,  # access logs would hold session ids in paths; metrics count requests instead
        timeout_worker_healthcheck=60,  # a worker loading the bots on a busy machine is slow, not dead
        # uvicorn would believe X-Forwarded-For from 127.0.0.1 by default: only MADOGUCHI_TRUSTED_PROXIES decides
        proxy_headers=False,
    )  # fmt: skip


def require_proxies(settings: Settings) -> None:
    """A mistyped MADOGUCHI_TRUSTED_PROXIES stops here, saying what to write, not in every worker."""
    from ..api.proxies import parse_networks

    try:
        parse_networks(settings.trusted_proxies)
    except ValueError as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from exc


def require_packs(settings: Settings) -> None:
    """Exit with a clear message when there is nothing to serve (instead of a worker traceback)."""
    from shared_nlu.pack import find_pack_folders

    from ..packs_store import active_fingerprint

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
    settings = _settings(database_url)
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


def _redact(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url
