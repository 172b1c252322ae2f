"""The validator: a valid pack loads into typed objects; each mistake an editor can make is
reported with the right file and line, and validation never stops at the first error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shared_nlu.pack import PackError, Severity, load_packs, read_pack_folder, validate_packs
from tests.packs_inline import COMMON, TAX, write_packs

TODAY = date(2026, 11, 28)


def _validate(root: Path):
    sources = {p.name: read_pack_folder(p) for p in sorted(root.iterdir())}
    return validate_packs(sources, TODAY)[1]


def _codes(diags, severity=Severity.ERROR):
    return {(d.code, d.file, d.line) for d in diags.items if d.severity is severity}


def test_should_load_a_valid_pack_into_typed_objects(tmp_path):
    packs = load_packs([write_packs(tmp_path)], TODAY)
    tax = packs.packs["tax"]
    assert tax.bot.department == "財務・税務"
    assert tax.bot.contact.phone == "06-6910-8001"
    assert [e.text for e in tax.intents["auto_tax_due_date"].examples][:2] == [
        "自動車税の期限はいつですか",
        "自動車税 期限",
    ]
    response = tax.responses["utter_auto_tax_due_date"]
    assert response.checked_on == date(2026, 11, 28)
    assert response.for_language("en")[0].text == "It is due on 31 May."
    assert response.for_language("ja")[0].buttons[0].payload == "/auto_tax_payment"
    assert tax.synonyms[0].value == "自動車税"
    assert packs.common is not None and "greet" in packs.common.intents


def test_should_report_bad_indentation_with_its_line(tmp_path):
    broken = TAX["nlu.yml"].replace(
        "- intent: auto_tax_payment\n", "- intent: auto_tax_payment\n   examples: |\n", 1
    )
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": broken}))
    syntax = [d for d in diags.errors if d.code == "yaml-syntax"]
    assert syntax and syntax[0].file == "tax/nlu.yml" and syntax[0].line in (9, 10, 11)


def test_should_reject_tabs_in_indentation(tmp_path):
    broken = TAX["responses.yml"].replace("    ja:", "\tja:", 1)
    diags = _validate(write_packs(tmp_path, tax={"responses.yml": broken}))
    assert ("tab-indent", "tax/responses.yml", 5) in _codes(diags)


def test_should_report_an_unclosed_quote(tmp_path):
    broken = TAX["bot.yml"].replace('hours: "09:00-18:00"', 'hours: "09:00-18:00')
    diags = _validate(write_packs(tmp_path, tax={"bot.yml": broken}))
    opened = broken.splitlines().index(next(line for line in broken.splitlines() if "hours:" in line)) + 1
    assert any(
        d.code == "unclosed-quote" and d.file == "tax/bot.yml" and d.line == opened and '"' in d.hint
        for d in diags.errors
    )  # where the quote opened, not where the file ends


def test_should_reject_duplicate_keys(tmp_path):
    broken = TAX["bot.yml"].replace("department: 財務・税務\n", "department: 財務・税務\ndepartment: 総務\n")
    diags = _validate(write_packs(tmp_path, tax={"bot.yml": broken}))
    assert ("duplicate-key", "tax/bot.yml", 5) in _codes(diags)


def test_should_suggest_the_key_an_editor_meant(tmp_path):
    broken = TAX["nlu.yml"].replace(
        "  examples: |\n    - 自動車税はどこ", "  exmaples: |\n    - 自動車税はどこ"
    )
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": broken}))
    unknown = [d for d in diags.errors if d.code == "unknown-key"]
    assert unknown and unknown[0].line == 11 and "examples" in unknown[0].hint


def test_should_error_on_too_few_examples_and_warn_below_ten(tmp_path):
    few = (
        TAX["nlu.yml"]
        .replace("    - 納期限を教えて\n    - when is the car tax due\n", "")
        .replace("    - 自動車税 期限\n    - 車の税金いつまでに払うん\n", "")
    )
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": few}))
    assert ("too-few-examples", "tax/nlu.yml", 3) in _codes(diags)
    assert ("few-examples", "tax/nlu.yml", 6) in _codes(diags, Severity.WARNING)


def test_should_find_the_same_example_under_two_intents_and_across_packs(tmp_path):
    dup = TAX["nlu.yml"].replace("    - 支払い方法\n", "    - 自動車税 期限\n    - ありがとう！\n")
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": dup}))
    dups = [d for d in diags.errors if d.code == "duplicate-example"]
    assert {d.line for d in dups} == {15, 16}
    assert any("common" in d.message and "thanks" in d.message for d in dups)


def test_should_require_a_response_or_rule_for_every_intent(tmp_path):
    no_answer = TAX["responses.yml"].split("  utter_auto_tax_payment:")[0]
    diags = _validate(write_packs(tmp_path, tax={"responses.yml": no_answer}))
    assert ("no-response", "tax/nlu.yml", 10) in _codes(diags)


def test_should_reject_rules_and_buttons_naming_missing_intents_or_slots(tmp_path):
    rules = 'version: "3.1"\nrules:\n- rule: r\n  steps:\n  - intent: auto_tax_duedate\n  - action: utter_nothing\n'
    responses = TAX["responses.yml"].replace(
        "payload: /auto_tax_payment", """payload: '/late_payment{"car": "k"}'"""
    )
    responses += "      - text: 期限は {due} です。\n"
    diags = _validate(write_packs(tmp_path, tax={"rules.yml": rules, "responses.yml": responses}))
    codes = _codes(diags)
    assert ("unknown-intent", "tax/rules.yml", 5) in codes
    assert ("unknown-action", "tax/rules.yml", 5) in codes
    assert any(c == "unknown-intent" and f == "tax/responses.yml" for c, f, _ in codes)
    assert any(c == "unknown-slot" and f == "tax/responses.yml" for c, f, _ in codes)
    hint = next(d.hint for d in diags.errors if d.file == "tax/rules.yml" and d.code == "unknown-intent")
    assert "auto_tax_due_date" in hint


def test_should_check_valid_until_is_a_date_and_warn_when_past(tmp_path):
    bad = TAX["responses.yml"].replace(
        "checked_on: 2026-11-28\n    ja:\n      - text: 納期限",
        "checked_on: 2026-11-28\n    valid_until: 来年の3月\n    ja:\n      - text: 納期限",
    )
    past = TAX["responses.yml"].replace(
        "checked_on: 2026-11-28\n    ja:\n      - text: 銀行",
        "checked_on: 2026-11-28\n    valid_until: 2025-03-31\n    ja:\n      - text: 銀行",
    )
    assert ("bad-date", "tax/responses.yml", 5) in _codes(
        _validate(write_packs(tmp_path / "a", tax={"responses.yml": bad}))
    )
    warnings = _codes(_validate(write_packs(tmp_path / "b", tax={"responses.yml": past})), Severity.WARNING)
    assert any(code == "expired" for code, _, _ in warnings)


def test_should_report_a_malformed_regex(tmp_path):
    nlu = TAX["nlu.yml"] + "- regex: phone\n  examples: |\n    - 0\\d{1,4}-(\\d+\n"
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": nlu}))
    assert ("bad-regex", "tax/nlu.yml", 22) in _codes(diags)


def test_should_reject_an_example_too_long_for_a_chat_message(tmp_path):
    nlu = TAX["nlu.yml"].replace("    - 支払い方法\n", "    - " + "とても長い質問" * 50 + "\n")
    assert ("example-too-long", "tax/nlu.yml", 15) in _codes(
        _validate(write_packs(tmp_path, tax={"nlu.yml": nlu}))
    )


def test_should_reject_a_file_that_is_not_utf8(tmp_path):
    root = write_packs(tmp_path)
    (root / "tax" / "responses.yml").write_bytes("version: '3.1'\n# 府税\n".encode("shift_jis"))
    diags = _validate(root)
    assert ("not-utf8", "tax/responses.yml", 2) in _codes(diags)


def test_should_report_every_error_not_just_the_first(tmp_path):
    bot = TAX["bot.yml"].replace("department: 財務・税務\n", "department: 財務・税務\nlanguage: [ja]\n")
    nlu = TAX["nlu.yml"].replace("    - 支払い方法\n", "    - 自動車税 期限\n")
    diags = _validate(write_packs(tmp_path, tax={"bot.yml": bot, "nlu.yml": nlu}))
    assert {"unknown-key", "duplicate-example"} <= {d.code for d in diags.errors}


def test_load_packs_should_raise_with_every_diagnostic(tmp_path):
    root = write_packs(tmp_path, tax={"bot.yml": TAX["bot.yml"].replace("id: tax", "id: taxes")})
    with pytest.raises(PackError) as caught:
        load_packs([root], TODAY)
    assert any(d.code == "id-mismatch" and d.file == "tax/bot.yml" for d in caught.value.diagnostics)


def test_common_inline_pack_is_valid_on_its_own(tmp_path):
    diags = _validate(write_packs(tmp_path))
    assert diags.ok, [d.format() for d in diags.items]
    assert COMMON["bot.yml"]
