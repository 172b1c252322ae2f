"""The benchmarks find their data above the checkout, wherever the checkout (or worktree) sits."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.shared_data import no_shared_data, shared_data


def test_should_find_shared_data_above_a_worktree_nested_below_it(tmp_path: Path) -> None:
    (tmp_path / "shared" / "data").mkdir(parents=True)
    worktree = tmp_path / "wt" / "review"
    worktree.mkdir(parents=True)
    assert shared_data(worktree) == tmp_path / "shared" / "data"


def test_should_take_the_nearest_ancestor_with_shared_data(tmp_path: Path) -> None:
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "wt" / "shared" / "data").mkdir(parents=True)
    worktree = tmp_path / "wt" / "review"
    worktree.mkdir()
    assert shared_data(worktree) == tmp_path / "wt" / "shared" / "data"


def test_should_not_take_a_shared_folder_without_data(tmp_path: Path) -> None:
    (tmp_path / "wt" / "shared").mkdir(parents=True)  # no data in it
    (tmp_path / "shared" / "data").mkdir(parents=True)
    worktree = tmp_path / "wt" / "review"
    worktree.mkdir()
    assert shared_data(worktree) == tmp_path / "shared" / "data"


def test_should_find_none_and_say_to_use_data_when_no_ancestor_has_it(tmp_path: Path) -> None:
    worktree = tmp_path / "wt" / "review"
    worktree.mkdir(parents=True)
    if shared_data(worktree) is not None:
        pytest.skip("the temporary folder itself sits below a shared/data folder")
    assert "--data" in no_shared_data(worktree) and str(worktree) in no_shared_data(worktree)
