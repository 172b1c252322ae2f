"""``madoguchi token …``: admin tokens, created by whoever runs the server."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from core.settings import Settings
from core.storage.database import Database
from core.storage.migrate import upgrade
from core.storage.models import ApiToken, utcnow

from . import audit
from .auth import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, ROLES, as_utc, create_token, revoke_token

console = Console()
token_app = typer.Typer(help="Admin API tokens (roles: strategy, department, viewer).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")


def _database() -> Database:
    settings = Settings.from_env()
    upgrade(settings.database_url)
    return Database(settings.database_url)


@token_app.command("create")
def create(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    department: Annotated[
        str | None,
        typer.Option(
            help="For --role department: the 部局名 of a department that owns a bot, e.g. 府民文化."
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="Who will hold the token (shown in the audit log).")] = "",
    expires_in: Annotated[
        int, typer.Option("--expires-in", help=f"Days until the token stops working (1–{MAX_EXPIRY_DAYS}).")
    ] = DEFAULT_EXPIRY_DAYS,
) -> None:
    """Create a token and print it once; only its hash is stored."""
    holder = name or (f"{role}:{department}" if department else role)
    try:
        with _database().session() as session:
            token, record = create_token(
                session, role, holder, department, expires_in, bots_dir=Settings.from_env().bots_dir
            )
            audit.record(
                session,
                "cli",
                "token.create",
                f"token:{record.id}",
                {
                    "role": role,
                    "department": record.department,
                    "name": holder,
                    "expires_in_days": expires_in,
                },
            )
    except ValueError as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from exc
    expires = f"{record.expires_at:%Y-%m-%d}" if record.expires_at else "never"
    console.print(
        f"token {record.id} ({role}{' / ' + str(record.department) if record.department else ''}, "
        f"expires {expires}) — copy it now, it is not shown again:"
    )
    print(token)


@token_app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(help="The id shown by `madoguchi token list`.")]) -> None:
    """Revoke a token: it stops working at once."""
    try:
        with _database().session() as session:
            revoke_token(session, token_id)
            audit.record(session, "cli", "token.revoke", f"token:{token_id}")
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    console.print(f"token {token_id} revoked")


@token_app.command("list")
def list_tokens() -> None:
    """List tokens (their first characters, never the tokens themselves) and when they expire."""
    table = Table("id", "prefix", "role", "department", "name", "created", "expires", "revoked")
    now = utcnow()
    with _database().session() as session:
        for token in session.scalars(select(ApiToken).order_by(ApiToken.id)):
            table.add_row(
                str(token.id),
                token.prefix + "…",
                token.role,
                token.department or "",
                token.name,
                f"{token.created_at:%Y-%m-%d}",
                _expiry(token.expires_at, now),
                f"{token.revoked_at:%Y-%m-%d}" if token.revoked_at else "",
            )
    console.print(table)


def _expiry(expires_at: datetime | None, now: datetime) -> str:
    if expires_at is None:
        return "never"
    return f"{expires_at:%Y-%m-%d}" + (" (expired)" if as_utc(expires_at) <= now else "")
