"""YAML that PyYAML reads but a pack must not contain: impossible dates, tags, merge keys,
anchors, lone surrogates, unclosed quotes. Each is an error at its file:line from the validator
and from ``madoguchi validate`` — never a crash — in every pack file and every date field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from madoguchi.cli import app
from shared_nlu.pack import read_pack_folder, validate_packs, yaml_source
from tests.conftest import ROOT

runner = CliRunner()
BOTS = ("common", "consumer", "covid_tracing", "tax", "inquiry")  # every pack file kind between them
FAQ = 'version: "1"\nchecked_on: 2026-11-28\nvalid_until: 2027-11-30\nfaq:\n  - question: 自動車税の期限は\n    answer: 5月31日です。\n'


def shipped() -> dict[str, dict[str, bytes]]:
    # inquiry's tests ask the routed bots: load every bot so that the packs validate as shipped
    return {folder.name: read_pack_folder(folder) for folder in sorted((ROOT / "bots").iterdir())}


def every_file() -> list[tuple[str, str]]:
    sources = shipped()
    found = [(bot, name) for bot in BOTS for name in sorted(sources[bot])]
    return [*found, ("tax", "faq.yml")]


def sources_with(bot: str, name: str, text: str) -> dict[str, dict[str, bytes]]:
    sources = shipped()
    sources[bot] = {**sources[bot], name: text.encode()}
    return sources


def original(bot: str, name: str) -> str:
    return FAQ if name == "faq.yml" else shipped()[bot][name].decode()


def errors_of(sources) -> list:
    return validate_packs(sources)[1].errors


def appended(bot: str, name: str, line: str) -> tuple[str, int]:
    """The file with ``line`` added as a new last top-level key, and that line's number."""
    text = original(bot, name).rstrip("\n") + "\n"
    return text + line + "\n", text.count("\n") + 1


@pytest.mark.parametrize(("bot", "name"), every_file())
@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("zz_when: 2026-13-45", "bad-date"),
        ("zz_when: 2026-02-30", "bad-date"),
        ("zz_tag: !python/object:os.system ls", "yaml-tag"),
        ("zz_tag: !foo bar", "yaml-tag"),
        ("zz_merge: {<<: {a: 1}}", "yaml-merge-key"),
        ("zz_anchor: &d 2026-11-28", "yaml-alias"),
    ],
)
def test_should_report_yaml_that_is_no_pack_at_its_line_in_every_file(bot, name, line, code) -> None:
    text, number = appended(bot, name, line)
    errors = errors_of(sources_with(bot, name, text))
    assert any(e.code == code and e.file == f"{bot}/{name}" and e.line == number for e in errors), [
        e.format() for e in errors
    ]
    # one error for one mistake at one place: the value dropped is not reported again as missing
    assert len([e for e in errors if e.line == number and e.file == f"{bot}/{name}"]) <= 2


DATE_FIELDS = [
    ("covid_tracing", "bot.yml", "service_start: 2020-05-29", "service_start"),
    ("tax", "responses.yml", "checked_on: 2026-11-28", "checked_on"),
    ("consumer", "responses.yml", "valid_until: 2027-11-30", "valid_until"),
    ("tax", "faq.yml", "checked_on: 2026-11-28", "checked_on"),
    ("tax", "faq.yml", "valid_until: 2027-11-30", "valid_until"),
]


@pytest.mark.parametrize(("bot", "name", "written", "key"), DATE_FIELDS)
@pytest.mark.parametrize("bad", ["2026-13-45", "2026-02-30", '"2026-02-30"', "2025-02-29"])
def test_should_report_an_impossible_date_in_every_date_field_once(bot, name, written, key, bad) -> None:
    text = original(bot, name)
    assert written in text
    number = text[: text.index(written)].count("\n") + 1
    broken = text.replace(written, f"{key}: {bad}", 1)
    errors = errors_of(sources_with(bot, name, broken))
    at_line = [e for e in errors if e.file == f"{bot}/{name}" and e.line == number]
    assert [e.code for e in at_line] == ["bad-date"], [e.format() for e in errors]
    assert bad.strip('"') in at_line[0].message and "2026-11-28" in at_line[0].hint


def test_should_refuse_a_scalar_anchor_and_its_alias() -> None:
    """The alias repeats the anchored value, so both places must change together: refused (an
    alias needs its anchor, so refusing every anchor refuses every alias)."""
    text = original("tax", "bot.yml")
    anchor_line = text[: text.index("id: tax")].count("\n") + 1
    broken = text.replace("id: tax", "id: &d tax", 1) + "zz_copy: *d\n"
    errors = errors_of(sources_with("tax", "bot.yml", broken))
    assert ("yaml-alias", anchor_line) in {(e.code, e.line) for e in errors if e.file == "tax/bot.yml"}


def test_an_ampersand_in_text_is_no_anchor() -> None:
    text = original("tax", "responses.yml")
    assert "納期限" in text
    assert not errors_of(sources_with("tax", "responses.yml", text.replace("納期限", "納期限（Q&A）", 1)))


def test_should_report_a_lone_surrogate_escape_at_its_line_with_either_yaml_loader(monkeypatch) -> None:
    text, number = appended("tax", "bot.yml", 'zz_text: "\\ud800"')
    for loader in (yaml_source._Loader, yaml.SafeLoader):  # libyaml refuses it, pure PyYAML reads it
        monkeypatch.setattr(yaml_source, "_Loader", loader)
        errors = errors_of(sources_with("tax", "bot.yml", text))
        assert any(e.file == "tax/bot.yml" and e.line == number for e in errors), [e.format() for e in errors]
        assert {e.code for e in errors if e.line == number} & {"yaml-syntax", "bad-character"}


def test_should_report_a_lone_surrogate_in_text_at_its_line() -> None:
    from shared_nlu.pack import Diagnostics

    diagnostics = Diagnostics()
    assert yaml_source.parse_yaml_text("a: 1\nb: x\ud800y\n", "tax/bot.yml", diagnostics) is None
    (error,) = diagnostics.errors
    assert (error.code, error.line, error.column) == ("bad-character", 2, 5)


def test_should_report_a_control_character_at_its_line() -> None:
    from shared_nlu.pack import Diagnostics

    diagnostics = Diagnostics()
    assert yaml_source.parse_yaml_text("a: 1\nb: x\x00y\n", "tax/bot.yml", diagnostics) is None
    (error,) = diagnostics.errors
    assert (error.code, error.line, error.column) == ("bad-character", 2, 5) and "U+0000" in error.message


def test_should_point_an_unclosed_quote_at_the_line_where_it_opened() -> None:
    """Issue 15: a quote left open on line 14 of responses.yml was reported at the file's end."""
    text = original("tax", "responses.yml")
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines, start=1) if "- text:" in line and i >= 14)
    lines[number - 1] = lines[number - 1].replace("- text: ", '- text: "', 1)
    broken = "\n".join(lines)
    (error,) = errors_of(sources_with("tax", "responses.yml", broken))
    assert (error.file, error.line, error.code) == ("tax/responses.yml", number, "unclosed-quote")
    assert "閉じていません" in error.message and '"' in error.hint
    assert f"{broken.count(chr(10)) + 1} 行目" in error.message  # and where PyYAML noticed it


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("zz_when: 2026-13-45", "bad-date"),
        ("zz_tag: !foo bar", "yaml-tag"),
        ("zz_merge: {<<: {a: 1}}", "yaml-merge-key"),
        ("zz_anchor: &d x", "yaml-alias"),
    ],
)
def test_madoguchi_validate_should_name_the_file_and_line_not_crash(tmp_path: Path, line, code) -> None:
    folder = tmp_path / "tax"
    folder.mkdir()
    for name, raw in shipped()["tax"].items():
        (folder / name).write_bytes(raw)
    text, number = appended("tax", "responses.yml", line)
    (folder / "responses.yml").write_text(text, encoding="utf-8")
    (tmp_path / "common").mkdir()
    for name, raw in shipped()["common"].items():
        (tmp_path / "common" / name).write_bytes(raw)
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert f"tax/responses.yml:{number}:" in result.output and f"[{code}]" in result.output
    assert "Traceback" not in result.output
