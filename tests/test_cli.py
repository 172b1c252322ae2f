"""The command line a newcomer follows: help, validate, parse, test, eval, shell, tokens."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from madoguchi.cli import app
from tests.conftest import ROOT
from tests.packs_inline import TAX, write_packs

runner = CliRunner()


def test_should_explain_every_command_in_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in (
        "validate",
        "train",
        "parse",
        "test",
        "eval",
        "shell",
        "serve",
        "purge",
        "db",
        "token",
        "simulate",
    ):
        assert command in result.output


def test_validate_should_exit_non_zero_and_name_the_file_and_line(tmp_path) -> None:
    broken = TAX["nlu.yml"].replace("- intent: auto_tax_payment", "- intent: auto_tax_payment\n  exmaples: |")
    result = runner.invoke(app, ["validate", str(write_packs(tmp_path, tax={"nlu.yml": broken}))])
    assert result.exit_code == 1
    assert "tax/nlu.yml:11:3" in result.output and "examples" in result.output


def test_validate_should_pass_a_valid_pack_and_fail_on_a_missing_folder(tmp_path) -> None:
    assert runner.invoke(app, ["validate", str(write_packs(tmp_path))]).exit_code == 0
    missing = runner.invoke(app, ["validate", str(tmp_path / "nothing")])
    assert missing.exit_code == 2


def test_validate_of_one_bot_should_not_blame_it_for_common_tests_about_other_bots(tmp_path) -> None:
    """`madoguchi validate bots/tax`: common comes along to check tax, and its tests name consumer,
    which was not asked for; that is nobody's error. A story of tax's own naming a missing bot is."""
    one = runner.invoke(app, ["validate", str(ROOT / "bots" / "tax")])
    assert one.exit_code == 0, one.output
    assert "unknown-bot" not in one.output
    import shutil

    shutil.copytree(ROOT / "bots", tmp_path / "bots")
    tests = tmp_path / "bots" / "tax" / "tests.yml"
    story = "\n- story: asks a bot that is not there\n  steps:\n  - user: 自動車税の期限\n    intent: auto_tax_due_date\n    bot: nowhere\n"
    tests.write_text(tests.read_text(encoding="utf-8") + story, encoding="utf-8")
    broken = runner.invoke(app, ["validate", str(tmp_path / "bots" / "tax")])
    assert broken.exit_code == 1 and "tax/tests.yml" in broken.output and "unknown-bot" in broken.output


def test_parse_should_print_rasa_json(tmp_path) -> None:
    result = runner.invoke(
        app, ["parse", "自動車税の期限はいつですか", "--packs", str(write_packs(tmp_path))]
    )
    assert result.exit_code == 0
    parsed = json.loads(result.output)
    assert parsed["intent"]["name"] == "auto_tax_due_date" and parsed["bot"] == "tax"


def test_eval_should_write_a_markdown_report(tmp_path) -> None:
    out = tmp_path / "quality.md"
    result = runner.invoke(
        app, ["eval", str(write_packs(tmp_path / "packs")), "-o", str(out), "--folds", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "| tax |" in out.read_text(encoding="utf-8")


def test_shell_should_answer_and_show_the_intent(tmp_path) -> None:
    result = runner.invoke(
        app,
        ["shell", "--bot", "tax", "--packs", str(write_packs(tmp_path))],
        input="自動車税の期限はいつですか\n",
    )
    assert result.exit_code == 0
    assert "納期限は5月31日です" in result.output and "tax/auto_tax_due_date" in result.output


def test_the_shipped_conversation_tests_pass() -> None:
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 0, result.output[-3000:]
    assert " 0 failed" in result.output


def test_serve_and_simulate_should_explain_a_missing_bots_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no bots/ here, and a fresh database
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", "")  # --database-url sets it; restored after the test
    for command in (["serve", "--port", "1"], ["simulate", "--days", "1"]):
        result = runner.invoke(app, [*command, "--database-url", f"sqlite:///{tmp_path / 'x.db'}"])
        assert result.exit_code == 2, result.output
        assert "MADOGUCHI_BOTS_DIR" in result.output


def test_simulate_if_empty_should_add_traffic_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MADOGUCHI_BOTS_DIR", str(ROOT / "bots"))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", "")  # --database-url sets it; restored after the test
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = runner.invoke(
        app, ["simulate", "--days", "1", "--conversations-per-day", "2", "--if-empty", "--database-url", url]
    )
    assert first.exit_code == 0, first.output
    assert "simulated conversations added" in first.output
    again = runner.invoke(app, ["simulate", "--days", "1", "--if-empty", "--database-url", url])
    assert again.exit_code == 0 and "nothing added" in again.output
