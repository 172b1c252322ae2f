"""The held-out resident sets in `madoguchi train` and `madoguchi eval`: per bot and overall,
covered accuracy, long messages, abstention on in-domain gaps and out of scope, and the
risk–coverage line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from shared_nlu.nlu.heldout import HeldOutReport, HeldOutSets, Rate, read_held_out

DEFAULT_HELD_OUT = Path("tests/data/coverage")
HeldOutOption = Annotated[
    Path,
    typer.Option(
        "--held-out",
        help="Folder of held-out resident sets (paraphrases.tsv, long_messages.tsv, in_domain_gaps.tsv, out_of_scope.txt).",
    ),
]
COLUMNS = (
    ("covered accuracy", "covered_accuracy", True),
    ("long messages", "long_accuracy", True),
    ("gaps answered", "gap_overconfident", False),
    ("out of scope answered", "oos_overconfident", False),
)


def load_held_out(folder: Path) -> HeldOutSets | None:
    """The sets in ``folder``, or None when it does not exist. Exits with a message naming the
    file and line of a malformed row."""
    if not folder.is_dir():
        return None
    try:
        return read_held_out(folder)
    except ValueError as exc:
        Console(stderr=True).print(f"held-out set: {exc}")
        raise typer.Exit(2) from exc


def _cell(rate: Rate | None) -> str:
    if rate is None or rate.value is None:
        return "–"
    return f"{rate.value:.1%} ({rate.total})"


def _rows(report: HeldOutReport) -> list[list[str]]:
    bots = sorted({bot for _, name, _ in COLUMNS for bot in getattr(report, name)})
    rows = []
    for bot in bots:
        rows.append(
            ["routed" if bot == "*" else bot, *(_cell(getattr(report, n).get(bot)) for _, n, _ in COLUMNS)]
        )
    overall = []
    for _, name, _ in COLUMNS:
        value = report.overall(getattr(report, name))
        overall.append("–" if value is None else f"{value:.1%}")
    rows.append(["overall", *overall])
    return rows


def print_held_out(console: Console, report: HeldOutReport) -> None:
    table = Table(title="held-out resident sets (higher is better for accuracy, lower for 'answered')")
    table.add_column("bot")
    for title, _, _ in COLUMNS:
        table.add_column(title, justify="right")
    for row in _rows(report):
        table.add_row(*row)
    console.print(table)
    line = ", ".join(f"≥{t:.2f}: {a:.0%} answered, {w:.1f} wrong/100" for t, a, w in report.risk_coverage)
    console.print(f"risk–coverage (confidence threshold): {line}")


def held_out_markdown(report: HeldOutReport) -> list[str]:
    lines = [
        "## Held-out resident sets",
        "",
        "Covered accuracy and long messages: answered with the right intent. Gaps and out of scope:",
        "share given an answer (an intent or a pointer to another bot) instead of the fallback.",
        "",
        "| bot | " + " | ".join(title for title, _, _ in COLUMNS) + " |",
        "|---|" + "---:|" * len(COLUMNS),
        *("| " + " | ".join(row) + " |" for row in _rows(report)),
        "",
        "Risk–coverage: as the confidence an answer needs rises, how many messages are still answered",
        "and how many of those answers are wrong (per 100).",
        "",
        "| threshold | answered | wrong per 100 answers |",
        "|---:|---:|---:|",
        *(f"| {t:.2f} | {a:.1%} | {w:.1f} |" for t, a, w in report.risk_coverage),
        "",
    ]
    return lines
