"""``madoguchi``: one command line for editors, operators and developers."""

from __future__ import annotations

import typer

from admin import cli as admin_cli

from . import export, operations, packs, simulate

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
packs.register(app)
operations.register(app)
simulate.register(app)
export.register(app)
admin_cli.register(app)


@app.callback()
def _root() -> None:
    """Madoguchi (窓口): Osaka Prefecture's shared chatbot platform."""


def main() -> None:
    app()
