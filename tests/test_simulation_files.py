"""``simulation.yml``: the resident scripts of ``madoguchi simulate`` read from beside the packs, and
checked by ``madoguchi validate`` against the pack (responses, intents, button titles, the bot, the
probabilities) with each problem at its file:line. The file is not part of a pack."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from typer.testing import CliRunner

from chat_platform.simulate import SimulationError, load_scripts
from core.errors import AppError
from madoguchi.cli import app
from shared_nlu.pack import (
    Diagnostics,
    PackError,
    Severity,
    find_pack_folders,
    load_packs,
    read_pack_folder,
    validate_packs,
)
from shared_nlu.pack.simulation import (
    Script,
    Step,
    check_simulations,
    load_simulations,
    read_simulation_files,
)
from tests.conftest import ROOT
from tests.packs_inline import TAX, write_packs

COMMON_SIMULATION = dedent("""\
    version: "1"
    templates:
      hello:
        texts:
        - こんにちは〜
        expect: utter_greet
        chance: 0.3
        rate: 0.02
    """)
TAX_SIMULATION = dedent("""\
    version: "1"
    bot: tax
    scripts:

    - script: tax_due_then_payment
      weight: 2.0
      peak_months: [4, 5]
      steps:
      - use: hello
        chance: 0.2
      - texts:
        - 車の税金、5月中に払えばええんやっけ？
        - 自動車税のしめきりいつ？
        expect: utter_auto_tax_due_date
        rate: 0.3
      - button: /auto_tax_payment
        texts:
        - 払い方も知りたいです
        expect: utter_auto_tax_payment
        chance: 0.7
      - button: 支払い
        expect: utter_auto_tax_payment

    - script: tax_english
      language: en
      steps:
      - texts:
        - When is the car tax due?
        expect: utter_auto_tax_due_date
    """)


def _write(
    tmp_path: Path,
    scripts: str = TAX_SIMULATION,
    templates: str = COMMON_SIMULATION,
    tax_pack: dict[str, str] | None = None,
) -> Path:
    """common + tax (``tax_pack`` replaces some of its files), each with a simulation.yml."""
    root = write_packs(tmp_path, tax=tax_pack or {})
    (root / "tax" / "simulation.yml").write_text(scripts, encoding="utf-8")
    (root / "common" / "simulation.yml").write_text(templates, encoding="utf-8")
    return root


def _check(root: Path) -> tuple[dict[str, tuple[Script, ...]], Diagnostics]:
    folders = find_pack_folders([root])
    packs, pack_diags = validate_packs({folder.name: read_pack_folder(folder) for folder in folders})
    assert pack_diags.ok, [d.format() for d in pack_diags.errors]
    diags = Diagnostics()  # the simulation files' own problems only (the tiny packs have warnings)
    return check_simulations(read_simulation_files(folders), packs, diags), diags


def _errors(diags: Diagnostics) -> list[tuple[str, str, int]]:
    return [(d.code, d.file, d.line) for d in diags.sorted() if d.severity is Severity.ERROR]


def _line(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``fragment``."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return found[occurrence - 1]


# ---- reading -------------------------------------------------------------------------------------
def test_should_read_scripts_into_steps_with_templates_and_their_overrides(tmp_path) -> None:
    scripts, diags = _check(_write(tmp_path))
    assert diags.items == []
    assert scripts == {
        "tax": (
            Script(
                "tax_due_then_payment",
                "tax",
                (
                    Step(("こんにちは〜",), None, "utter_greet", 0.2, 0.02),  # the template, chance replaced
                    Step(
                        ("車の税金、5月中に払えばええんやっけ？", "自動車税のしめきりいつ？"),
                        None,
                        "utter_auto_tax_due_date",
                        rate=0.3,
                    ),
                    Step(
                        ("払い方も知りたいです",), "/auto_tax_payment", "utter_auto_tax_payment", chance=0.7
                    ),
                    Step((), "支払い", "utter_auto_tax_payment"),
                ),
                weight=2.0,
                peak_months=(4, 5),
            ),
            Script(
                "tax_english",
                "tax",
                (Step(("When is the car tax due?",), expect="utter_auto_tax_due_date"),),
                language="en",
            ),
        )
    }
    assert all(type(s.weight) is float for s in scripts["tax"])
    assert all(
        type(v) is float for s in scripts["tax"] for st in s.steps for v in (st.chance, st.rate, st.helpful)
    )


def test_should_load_only_bots_whose_simulation_yml_has_scripts(tmp_path) -> None:
    root = _write(tmp_path)
    assert list(load_simulations(root)) == ["tax"]  # common holds templates only
    (root / "tax" / "simulation.yml").unlink()
    assert load_simulations(root) == {}
    with pytest.raises(SimulationError, match=r"no bot folder .* has a simulation\.yml"):
        load_scripts(root)


# ---- checks against the pack -------------------------------------------------------------------
def test_should_report_an_expect_the_bot_does_not_have_at_its_line_with_the_likely_name(tmp_path) -> None:
    broken = TAX_SIMULATION.replace("expect: utter_auto_tax_due_date", "expect: utter_auto_tax_duedate", 1)
    _, diags = _check(_write(tmp_path, scripts=broken))
    line = _line(broken, "utter_auto_tax_duedate")
    assert _errors(diags) == [("unknown-response", "tax/simulation.yml", line)]
    assert "utter_auto_tax_due_date" in diags.errors[0].hint


def test_should_accept_an_expect_of_common_or_of_the_engine(tmp_path) -> None:
    texts = TAX_SIMULATION.replace("expect: utter_auto_tax_due_date", "expect: utter_thanks", 1)
    texts = texts.replace("expect: utter_auto_tax_due_date", "expect: utter_nlu_fallback", 1)
    _, diags = _check(_write(tmp_path, scripts=texts))
    assert diags.items == []


def test_should_report_a_button_payload_that_names_no_intent_of_the_pack(tmp_path) -> None:
    broken = TAX_SIMULATION.replace("button: /auto_tax_payment", "button: /auto_tax_paying")
    _, diags = _check(_write(tmp_path, scripts=broken))
    assert _errors(diags) == [("unknown-intent", "tax/simulation.yml", _line(broken, "/auto_tax_paying"))]
    assert "/auto_tax_payment" in diags.errors[0].hint
    malformed = TAX_SIMULATION.replace("button: /auto_tax_payment", "button: /Auto tax")
    _, diags = _check(_write(tmp_path, scripts=malformed))
    assert _errors(diags) == [("bad-payload", "tax/simulation.yml", _line(malformed, "/Auto tax"))]


def test_should_report_a_button_title_no_response_offers(tmp_path) -> None:
    broken = TAX_SIMULATION.replace("button: 支払い", "button: 払い方")
    _, diags = _check(_write(tmp_path, scripts=broken))
    assert _errors(diags) == [("unknown-button", "tax/simulation.yml", _line(broken, "button: 払い方"))]
    assert "支払い方法" in diags.errors[0].hint


def test_should_report_probabilities_outside_zero_to_one_each_at_its_line(tmp_path) -> None:
    broken = (
        TAX_SIMULATION.replace("chance: 0.7", "chance: 1.5")
        .replace("rate: 0.3", "rate: -0.1")
        .replace("  - button: 支払い\n", "  - button: 支払い\n    helpful: often\n")
    )
    _, diags = _check(_write(tmp_path, scripts=broken))
    assert _errors(diags) == [
        ("bad-probability", "tax/simulation.yml", _line(broken, "rate: -0.1")),
        ("bad-probability", "tax/simulation.yml", _line(broken, "chance: 1.5")),
        ("bad-probability", "tax/simulation.yml", _line(broken, "helpful: often")),
    ]
    assert all("0 から 1" in d.message and d.hint for d in diags.errors)


def test_should_keep_checking_a_script_after_a_value_it_could_not_read(tmp_path) -> None:
    # a bad probability must not hide a wrong payload further down the same script
    broken = TAX_SIMULATION.replace("rate: 0.3", "rate: 3").replace("/auto_tax_payment", "/auto_tax_paying")
    scripts, diags = _check(_write(tmp_path, scripts=broken))
    assert [code for code, _, _ in _errors(diags)] == ["bad-probability", "unknown-intent"]
    assert [s.name for s in scripts["tax"]] == ["tax_english"]  # the broken script is not played


def test_should_report_a_file_written_for_another_bot(tmp_path) -> None:
    broken = TAX_SIMULATION.replace("bot: tax", "bot: consumer")
    _, diags = _check(_write(tmp_path, scripts=broken))
    assert _errors(diags) == [("bot-mismatch", "tax/simulation.yml", 2)]
    assert "bot: tax" in diags.errors[0].hint


def test_should_report_empty_texts_and_a_step_with_nothing_to_send(tmp_path) -> None:
    broken = TAX_SIMULATION.replace("    - 払い方も知りたいです\n", '    - ""\n').replace(
        "  - button: 支払い\n    expect", "  - expect"
    )
    _, diags = _check(_write(tmp_path, scripts=broken))
    assert _errors(diags) == [
        ("bad-text", "tax/simulation.yml", _line(broken, '- ""')),
        ("empty-step", "tax/simulation.yml", _line(broken, "  - expect: utter_auto_tax_payment")),
    ]
    unquoted = TAX_SIMULATION.replace("- When is the car tax due?", "- no")  # YAML reads no as false
    _, diags = _check(_write(tmp_path, scripts=unquoted))
    assert _errors(diags) == [("bad-text", "tax/simulation.yml", _line(unquoted, "- no"))]
    assert '"' in diags.errors[0].hint


def test_should_report_an_unknown_template_with_the_likely_one(tmp_path) -> None:
    broken = TAX_SIMULATION.replace("use: hello", "use: helo")
    _, diags = _check(_write(tmp_path, scripts=broken))
    assert _errors(diags) == [("unknown-template", "tax/simulation.yml", _line(broken, "use: helo"))]
    assert "hello" in diags.errors[0].hint


def test_should_report_a_templates_wrong_expect_once_in_common(tmp_path) -> None:
    broken = COMMON_SIMULATION.replace("utter_greet", "utter_greeting")
    _, diags = _check(_write(tmp_path, templates=broken))
    assert _errors(diags) == [("unknown-response", "common/simulation.yml", _line(broken, "utter_greeting"))]


def test_should_report_a_template_expect_at_use_when_the_bot_does_not_include_common(tmp_path) -> None:
    bot = TAX["bot.yml"] + "include_common: false\n"
    _, diags = _check(_write(tmp_path, tax_pack={"bot.yml": bot}))
    assert _errors(diags) == [("unknown-response", "tax/simulation.yml", _line(TAX_SIMULATION, "use: hello"))]


def test_should_report_a_language_the_bot_does_not_answer_in(tmp_path) -> None:
    bot = TAX["bot.yml"].replace("languages: [ja, en]", "languages: [ja]")
    _, diags = _check(_write(tmp_path, tax_pack={"bot.yml": bot}))
    assert _errors(diags) == [("bad-language", "tax/simulation.yml", _line(TAX_SIMULATION, "language: en"))]


def test_should_report_a_script_name_used_twice(tmp_path) -> None:
    broken = TAX_SIMULATION.replace("script: tax_english", "script: tax_due_then_payment")
    _, diags = _check(_write(tmp_path, scripts=broken))
    assert _errors(diags) == [
        ("duplicate-script", "tax/simulation.yml", _line(broken, "tax_due_then_payment", 2))
    ]


def test_should_report_weights_months_and_keys_it_does_not_know(tmp_path) -> None:
    broken = (
        TAX_SIMULATION.replace("weight: 2.0", "weight: 0")
        .replace("peak_months: [4, 5]", "peak_months: [4, 13]")
        .replace("    rate: 0.3\n", "    rait: 0.3\n")
    )
    _, diags = _check(_write(tmp_path, scripts=broken))
    assert _errors(diags) == [
        ("bad-weight", "tax/simulation.yml", _line(broken, "weight: 0")),
        ("bad-month", "tax/simulation.yml", _line(broken, "peak_months")),
        ("unknown-key", "tax/simulation.yml", _line(broken, "rait: 0.3")),
    ]
    assert "rate" in diags.errors[-1].hint


def test_load_should_refuse_a_file_it_cannot_read_but_leave_the_pack_checks_to_validate(tmp_path) -> None:
    wrong_expect = TAX_SIMULATION.replace("utter_auto_tax_due_date", "utter_nothing_like_it")
    assert [s.name for s in load_simulations(_write(tmp_path, scripts=wrong_expect))["tax"]] == [
        "tax_due_then_payment",
        "tax_english",
    ]
    root = _write(tmp_path, scripts=TAX_SIMULATION.replace("chance: 0.7", "chance: 7"))
    with pytest.raises(PackError) as raised:
        load_simulations(root)
    assert [(d.code, d.file) for d in raised.value.diagnostics] == [("bad-probability", "tax/simulation.yml")]
    with pytest.raises(SimulationError, match=r"tax/simulation.yml:\d+:\d+.*bad-probability"):
        load_scripts(root)


def test_cli_validate_should_check_simulation_yml_and_name_its_file_and_line(tmp_path) -> None:
    broken = TAX_SIMULATION.replace("button: /auto_tax_payment", "button: /auto_tax_paying")
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, scripts=broken))])
    assert result.exit_code == 1
    assert f"tax/simulation.yml:{_line(broken, '/auto_tax_paying')}:" in result.output
    assert "unknown-intent" in result.output
    assert CliRunner().invoke(app, ["validate", str(_write(tmp_path))]).exit_code == 0


# ---- not part of the pack ------------------------------------------------------------------------
def test_should_leave_simulation_yml_out_of_the_pack_its_digest_and_uploads(tmp_path) -> None:
    from admin.pack_publishing import check_file_names

    root = write_packs(tmp_path / "without")
    digest = load_packs([root]).digest
    with_file = _write(tmp_path / "with")
    assert "simulation.yml" not in read_pack_folder(with_file / "tax")
    assert load_packs([with_file]).digest == digest  # editing the scripts retrains nothing
    with pytest.raises(AppError) as refused:
        check_file_names(["nlu.yml", "simulation.yml"])
    assert refused.value.code == "not_a_pack_file" and "madoguchi simulate" in refused.value.en


# ---- the shipped files ---------------------------------------------------------------------------
def test_every_shipped_simulation_yml_should_validate_against_its_pack() -> None:
    scripts, diags = _check(ROOT / "bots")
    assert diags.items == [], "\n".join(d.format() for d in diags.items)
    residents_bots = {p.name for p in find_pack_folders([ROOT / "bots"])} - {"common"}
    assert set(scripts) == residents_bots and all(scripts.values())
    assert (ROOT / "bots" / "common" / "simulation.yml").is_file()
