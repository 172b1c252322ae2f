"""``madoguchi token …``: admin tokens, created by whoever runs the server."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from chat_platform.settings import Settings
from chat_platform.storage.database import Database
from chat_platform.storage.migrate import upgrade
from chat_platform.storage.models import ApiToken

from . import audit
from .auth import ROLES, create_token, revoke_token

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
        str | None, typer.Option(help="For --role department: the 部局名, e.g. 府民文化.")
    ] = None,
    name: Annotated[str, typer.Option(help="Who will hold the token (shown in the audit log).")] = "",
) -> None:
    """Create a token and print it once; only its hash is stored."""
    holder = name or (f"{role}:{department}" if department else role)
    try:
        with _database().session() as session:
            token, record = create_token(session, role, holder, department)
            audit.record(
                session,
                "cli",
                "token.create",
                f"token:{record.id}",
                {"role": role, "department": department, "name": holder},
            )
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    console.print(
        f"token {record.id} ({role}{' / ' + department if department else ''}) — copy it now, it is not shown again:"
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
    """List tokens (their first characters, never the tokens themselves)."""
    table = Table("id", "prefix", "role", "department", "name", "created", "revoked")
    with _database().session() as session:
        for token in session.scalars(select(ApiToken).order_by(ApiToken.id)):
            table.add_row(str(token.id), token.prefix + "…", token.role, token.department or "", token.name,
                          f"{token.created_at:%Y-%m-%d}", f"{token.revoked_at:%Y-%m-%d}" if token.revoked_at else "")  # fmt: skip
    console.print(table)
