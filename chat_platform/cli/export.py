"""``madoguchi export-rasa``: a pack as a Rasa 3.x project (config, domain, NLU data, rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shared_nlu.export import build_project, write_project

from .pack_commands import _load

console = Console()
err_console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command(name="export-rasa")(export_rasa)


def export_rasa(
    out: Annotated[Path, typer.Argument(help="Folder to write the Rasa project into (created if missing).")],
    bot: Annotated[str, typer.Option(help="The bot to export, e.g. tax.")],
    with_routed: Annotated[
        bool,
        typer.Option(
            "--with-routed", help="Front door only: also export the routed bots' intents as <bot>__<intent>."
        ),
    ] = False,
    paths: Annotated[
        list[Path] | None, typer.Option("--packs", help="Pack folders (default: bots/).")
    ] = None,
) -> None:
    """Write a Rasa 3.x project for one bot: config.yml, domain.yml, data/nlu.yml, data/rules.yml.

    The bot's pack comes with the common pack when it includes it. README.txt in the project lists
    what does not carry over to Rasa (Python actions, FAQ retrieval, …).
    """
    packs = _load(paths)
    if bot not in packs.packs:
        err_console.print(f"bot「{bot}」はありません。使える bot: {', '.join(sorted(packs.packs))}")
        raise typer.Exit(2)
    try:
        project = build_project(packs, bot, with_routed=with_routed)
    except ValueError as exc:
        err_console.print(f"--with-routed: {exc}")
        raise typer.Exit(2) from exc
    if out.exists() and not out.is_dir():
        err_console.print(f"{out} はフォルダではありません / is not a folder")
        raise typer.Exit(2)
    written = write_project(project, out)
    intents = len(project.domain["intents"])
    console.print(
        f"{bot}: {intents} intents, {project.example_count} examples, "
        f"{len(project.domain['responses'])} responses, {len(project.rules['rules'])} rules → {out}"
    )
    for path in written:
        console.print(f"  {path}", markup=False, highlight=False)
    console.print(f"Rasa 3.6: cd {out} && rasa train   (see README.txt for what does not carry over)")
