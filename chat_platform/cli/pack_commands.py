"""Commands for pack editors: validate, train, parse, eval, test, shell."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from shared_nlu.dialogue.engine import DialogueEngine
from shared_nlu.dialogue.stories import run_stories
from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.evaluation import QualityReport, cross_validate, read_out_of_scope
from shared_nlu.pack import (
    COMMON_BOT,
    Pack,
    PackError,
    PackSet,
    Severity,
    find_pack_folders,
    load_packs,
    read_pack_folder,
    validate_packs,
)
from shared_nlu.pack.simulation import check_simulations, read_simulation_files

from .held_out import DEFAULT_HELD_OUT, HeldOutOption, held_out_markdown, load_held_out, print_held_out

console = Console()
err_console = Console(stderr=True)

DEFAULT_BOTS = Path("bots")
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Pack folders, or a folder of packs such as bots/ (default: bots/)."),
]


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(train)
    app.command()(parse)
    app.command()(test)
    app.command(name="eval")(evaluate)
    app.command()(shell)


def validate(
    paths: PathsArg = None,
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
) -> None:
    """Check packs and list every problem with file:line:column and what to write instead.

    A folder's simulation.yml (the scripts of `madoguchi simulate`) is checked against its pack too.
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
    companion = COMMON_BOT not in sources and (folders[0].parent / COMMON_BOT).is_dir()
    if companion:
        common = folders[0].parent / COMMON_BOT
        sources[COMMON_BOT] = read_pack_folder(common)  # packs include common; check them together
        folders = [*folders, common]  # and its simulation.yml holds the steps the others use
    packs, diags = validate_packs(sources)
    check_simulations(read_simulation_files(folders), packs, diags)
    if companion:
        # common came along only so the bots asked for can be checked: its tests' references to the
        # bots that were not asked for (`validate bots/tax`: common's cooling-off story names consumer)
        # are not an error of theirs, nor of common's
        diags.items = [
            d for d in diags.items if not (d.file.startswith(f"{COMMON_BOT}/") and d.code == "unknown-bot")
        ]
    for diag in diags.sorted():
        style = "red" if diag.severity is Severity.ERROR else "yellow"
        console.print(diag.format(), style=style, markup=False, highlight=False, soft_wrap=True)
    errors, warnings = len(diags.errors), len(diags.warnings)
    summary = f"{len(sources)} パック / packs, {errors} エラー / errors, {warnings} 警告 / warnings"
    console.print(summary, style="bold red" if errors else "bold green", markup=False)
    if errors or (strict and warnings):
        raise typer.Exit(1)


def _load(paths: list[Path] | None) -> PackSet:
    try:
        return load_packs(paths or [DEFAULT_BOTS])
    except PackError as exc:
        for diag in exc.diagnostics:
            err_console.print(diag.format(), style="red", markup=False, highlight=False, soft_wrap=True)
        err_console.print("パックにエラーがあります。`madoguchi validate` で確認して直してください。")
        raise typer.Exit(1) from exc


DEFAULT_OUT_OF_SCOPE = Path("tests/data/out_of_scope_eval.txt")


def train(
    paths: PathsArg = None,
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    out_of_scope: Annotated[
        Path, typer.Option(help="Held-out out-of-scope messages, one per line.")
    ] = DEFAULT_OUT_OF_SCOPE,
    held_out: HeldOutOption = DEFAULT_HELD_OUT,
) -> None:
    """Train every pack together and print per-bot cross-validated accuracy, routing accuracy,
    out-of-scope recall, calibration and the most confused intent pairs (fix those first), then
    the held-out resident sets (covered accuracy, long messages, abstention, risk–coverage)."""
    packs = _load(paths)
    oos = read_out_of_scope(str(out_of_scope)) if out_of_scope.is_file() else []
    sets = load_held_out(held_out)
    with console.status("学習中 / training…"):
        report = cross_validate(packs, oos, folds, held_out=sets)
    print_report(report)
    if report.held_out is not None:
        print_held_out(console, report.held_out)


def print_report(report: QualityReport) -> None:
    table = Table(title=f"{report.folds}-fold cross-validated quality")
    for column in ("bot", "examples", "accuracy", "answered"):
        table.add_column(column, justify="right" if column != "bot" else "left")
    for bot in report.bots:
        table.add_row(bot.bot, str(bot.examples), f"{bot.accuracy:.1%}", f"{bot.answered:.1%}")
    console.print(table)
    console.print(
        f"routing (bot+intent) {report.routing_accuracy:.1%}, routing (bot) {report.routing_bot_accuracy:.1%}"
    )
    if report.out_of_scope_recall is not None:
        console.print(f"out-of-scope recall {report.out_of_scope_recall:.1%} of {report.out_of_scope_count}")
    console.print(f"in-scope sent to fallback {report.in_scope_fallback_rate:.1%}")
    console.print(
        f"calibration error (ECE) {report.calibration_error:.3f}; training all packs {report.train_seconds:.2f} s"
    )
    if report.confusions:
        confused = Table(title="most confused (expected → predicted)")
        confused.add_column("expected")
        confused.add_column("predicted")
        confused.add_column("count", justify="right")
        for expected, predicted, count in report.confusions:
            confused.add_row(expected, predicted, str(count))
        console.print(confused)


def parse(
    text: Annotated[str, typer.Argument(help="The message, e.g. 自動車税の期限は？")],
    bot: Annotated[
        str | None, typer.Option(help="Answer as this bot (default: route across all bots).")
    ] = None,
    paths: Annotated[
        list[Path] | None, typer.Option("--packs", help="Pack folders (default: bots/).")
    ] = None,
) -> None:
    """Print the parse result of one message as JSON (Rasa's format plus bot and language)."""
    packs = _load(paths)
    if bot is not None and bot not in packs.packs:
        err_console.print(f"bot「{bot}」はありません。使える bot: {', '.join(sorted(packs.packs))}")
        raise typer.Exit(2)
    engine = NluEngine.train(packs)
    print(json.dumps(engine.parse(text, bot).to_dict(), ensure_ascii=False, indent=2))


def test(
    bots: Annotated[list[str] | None, typer.Argument(help="Bot ids to test (default: all).")] = None,
    paths: Annotated[
        list[Path] | None, typer.Option("--packs", help="Pack folders (default: bots/).")
    ] = None,
) -> None:
    """Run the conversation tests in each bot's tests.yml; exit 1 on any failure."""
    packs = _load(paths)
    unknown = [b for b in bots or [] if b not in packs.packs]
    if unknown:
        err_console.print(
            f"bot「{'、'.join(unknown)}」はありません。使える bot: {', '.join(sorted(packs.packs))}"
        )
        raise typer.Exit(2)
    selected = (
        [packs.packs[b] for b in bots]
        if bots
        else [p for p in packs.packs.values() if p.stories and p.id != COMMON_BOT]
    )
    engine = DialogueEngine(NluEngine.train(packs))
    if not bots and packs.common is not None and packs.common.stories:
        selected.append(packs.common)
    results = [r for pack in selected for r in run_stories(engine, [_as_entry(pack, packs)], _now())]
    table = Table(title="conversation tests")
    for column in ("bot", "story", "result"):
        table.add_column(column)
    for result in results:
        table.add_row(
            result.bot, result.story, "[green]pass[/]" if result.passed else f"[red]FAIL[/] {result.failure}"
        )
    console.print(table)
    failed = sum(not r.passed for r in results)
    console.print(f"{len(results) - failed} passed, {failed} failed", markup=False)
    if failed:
        raise typer.Exit(1)


def _as_entry(pack: Pack, packs: PackSet) -> Pack:
    """Common's stories run in the front door, since residents never open ``common`` itself."""
    if pack.id != COMMON_BOT:
        return pack
    front = next((p for p in packs.bots() if p.bot.routes_to), packs.bots()[0])
    return replace(front, stories=pack.stories)


def _now() -> datetime:
    return datetime.now(UTC)


def evaluate(
    paths: PathsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Report file: .md or .json.")] = Path(
        "var/quality.md"
    ),
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    out_of_scope: Annotated[
        Path, typer.Option(help="Held-out out-of-scope messages.")
    ] = DEFAULT_OUT_OF_SCOPE,
    held_out: HeldOutOption = DEFAULT_HELD_OUT,
) -> None:
    """Write the `madoguchi train` quality report to a file (Markdown or JSON) for the admin side."""
    if output.suffix not in (".md", ".json"):
        err_console.print(
            "--output は .md か .json のファイル名にしてください / --output must end in .md or .json"
        )
        raise typer.Exit(2)
    packs = _load(paths)
    oos = read_out_of_scope(str(out_of_scope)) if out_of_scope.is_file() else []
    sets = load_held_out(held_out)
    with console.status("評価中 / evaluating…"):
        report = cross_validate(packs, oos, folds, held_out=sets)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".json":
        output.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        output.write_text(quality_markdown(report), encoding="utf-8")
    console.print(f"wrote {output}")


def quality_markdown(report: QualityReport) -> str:
    lines = [
        f"# Pack quality ({report.folds}-fold cross-validation)",
        "",
        "| bot | examples | accuracy | answered |",
        "|---|---:|---:|---:|",
        *(f"| {b.bot} | {b.examples} | {b.accuracy:.1%} | {b.answered:.1%} |" for b in report.bots),
        "",
        f"- Routing across all bots (bot and intent right): {report.routing_accuracy:.1%}; bot right: {report.routing_bot_accuracy:.1%}",
    ]
    if report.out_of_scope_recall is not None:
        lines.append(
            f"- Out-of-scope messages answered with nlu_fallback: {report.out_of_scope_recall:.1%} of {report.out_of_scope_count}"
        )
    lines += [
        f"- In-scope examples sent to fallback: {report.in_scope_fallback_rate:.1%}",
        f"- Calibration error (ECE, 0 = confidences match accuracy): {report.calibration_error:.3f}",
        "",
        "## Most confused intents (fix these first)",
        "",
        "| expected | predicted | count |",
        "|---|---|---:|",
        *(f"| {a} | {b} | {n} |" for a, b, n in report.confusions),
        "",
    ]
    if report.held_out is not None:
        lines += held_out_markdown(report.held_out)
    return "\n".join(lines)


def shell(
    bot: Annotated[str, typer.Option(help="The bot to talk to.")] = "inquiry",
    paths: Annotated[
        list[Path] | None, typer.Option("--packs", help="Pack folders (default: bots/).")
    ] = None,
) -> None:
    """Chat with a bot in the terminal; intent and confidence are shown under each answer. Ctrl-D quits."""
    packs = _load(paths)
    if bot not in packs.packs or bot == COMMON_BOT:
        err_console.print(f"bot「{bot}」はありません。使える bot: {', '.join(p.id for p in packs.bots())}")
        raise typer.Exit(2)
    engine = DialogueEngine(NluEngine.train(packs))
    state = engine.new_session("shell", bot)
    console.print(f"[bold]{packs.packs[bot].bot.name['ja']}[/] — 質問をどうぞ（終了: Ctrl-D）")
    while True:
        try:
            text = console.input("[bold cyan]> [/]")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not text.strip():
            continue
        turn = engine.handle(state, text, _now())
        state = turn.state
        for message in turn.messages:
            console.print(message.text, markup=False, highlight=False)
            for button in message.buttons:
                console.print(f"  [{button.title}] {button.payload}", style="cyan", markup=False)
        if turn.parse is not None:
            detail = f"{turn.parse.bot or '-'}/{turn.parse.intent} {turn.parse.confidence:.2f}"
            if turn.parse.fallback_reason:
                detail += f" ({turn.parse.fallback_reason})"
            console.print(f"  ↳ {detail} · {state.status}", style="dim", markup=False)
