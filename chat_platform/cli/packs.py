"""Commands for pack editors: validate, train, parse, eval, test, shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shared_nlu.pack import Severity, find_pack_folders, read_pack_folder, validate_packs

console = Console()
err_console = Console(stderr=True)

DEFAULT_BOTS = Path("bots")
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Pack folders, or a folder of packs such as bots/ (default: bots/)."),
]


def register(app: typer.Typer) -> None:
    app.command()(validate)


def validate(
    paths: PathsArg = None,
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
) -> None:
    """Check packs and list every problem with file:line:column and what to write instead.

    Exits 1 when there is an error (or, with --strict, a warning).
    """
    folders = find_pack_folders(paths or [DEFAULT_BOTS])
    if not folders:
        err_console.print(f"パックが見つかりません: {', '.join(str(p) for p in paths or [DEFAULT_BOTS])}")
        err_console.print(
            "bot.yml のあるフォルダ、またはそれを含むフォルダ（bots/ など）を指定してください。"
        )
        raise typer.Exit(2)
    sources = {folder.name: read_pack_folder(folder) for folder in folders}
    if "common" not in sources and (common := folders[0].parent / "common").is_dir():
        sources["common"] = read_pack_folder(common)  # packs include common; check them together
    _, diags = validate_packs(sources)
    for diag in diags.sorted():
        style = "red" if diag.severity is Severity.ERROR else "yellow"
        console.print(diag.format(), style=style, markup=False, highlight=False, soft_wrap=True)
    errors, warnings = len(diags.errors), len(diags.warnings)
    summary = f"{len(sources)} パック / packs, {errors} エラー / errors, {warnings} 警告 / warnings"
    console.print(summary, style="bold red" if errors else "bold green", markup=False)
    if errors or (strict and warnings):
        raise typer.Exit(1)
