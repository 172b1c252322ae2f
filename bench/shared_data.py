"""Where the benchmarks' public data sets are by default: the first ``shared/data`` folder above the
checkout. The checkout may be the main clone or a git worktree anywhere below the folder that holds
the data, so the folder is searched for upward rather than assumed next to the checkout."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_data(start: Path = ROOT) -> Path | None:
    """The ``shared/data`` folder of the first ancestor of ``start`` that has one, or None."""
    for folder in start.resolve().parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    return None


def no_shared_data(start: Path = ROOT) -> str:
    """What to tell whoever runs a benchmark without its data: where it was looked for, and ``--data``."""
    return (
        f"no shared/data folder in any folder above {start.resolve()}: give the data set's path with --data"
    )
