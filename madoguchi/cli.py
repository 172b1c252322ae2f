"""``madoguchi``: one command line for editors, operators and developers."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from admin import cli as admin_cli
from chat_platform import cli as resident_cli
from chat_platform.cli.operations import (
    DatabaseOption,
    console,
    redacted_url,
    require_packs,
    require_proxies,
    settings_from_env,
)
from core.storage.migrate import upgrade

from .app import start_services

app = typer.Typer(
    name="madoguchi",
    help=(
        "Madoguchi (窓口): Osaka Prefecture's shared chatbot platform.\n\n"
        "Editors: `madoguchi validate bots/` checks packs; `madoguchi test` runs conversation tests.\n"
        "Operators: `madoguchi serve` runs the chat API, widget and admin."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    database_url: DatabaseOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each serves every bot).")] = 1,
) -> None:
    """Apply migrations, load every pack and serve the widget demo, chat API and admin."""
    import uvicorn

    settings = settings_from_env(database_url)
    require_proxies(settings)
    upgrade(settings.database_url)
    require_packs(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    console.print(f"Madoguchi on http://{host}:{port}/  (database: {redacted_url(settings.database_url)})")
    if workers > 1:
        # seed the database and train (and cache) the model once, so the workers start by loading it
        # instead of all training at once and racing to write the first pack versions
        start_services(settings).stop()
    uvicorn.run(
        "madoguchi.app:create_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # access logs would hold session ids in paths; metrics count requests instead
        timeout_worker_healthcheck=60,  # a worker loading the bots on a busy machine is slow, not dead
        # uvicorn would believe X-Forwarded-For from 127.0.0.1 by default: only MADOGUCHI_TRUSTED_PROXIES decides
        proxy_headers=False,
    )


app.command()(serve)
resident_cli.register(app, start_services)
admin_cli.register(app)


@app.callback()
def _root() -> None:
    """Madoguchi (窓口): Osaka Prefecture's shared chatbot platform."""


def main() -> None:
    app()
