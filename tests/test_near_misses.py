"""The ``near_misses`` key of nlu.yml: parsed per intent, validated like examples (a near miss
that is also an example is an error), trained as out of scope, exported to Rasa as out_of_scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from shared_nlu.export import build_project
from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.training_data import NOT_COVERED_LABEL, training_data
from shared_nlu.pack import Severity, load_packs, read_pack_folder, validate_packs
from tests.packs_inline import TAX, write_packs

TODAY = date(2026, 11, 28)
NEAR_MISSES = """\
  near_misses: |
    - 軽油引取税の免税の手続き
    - ゴルフ場利用税はいくら
    - 狩猟税の納め方
"""


def _with_near_misses(block: str = NEAR_MISSES) -> str:
    return TAX["nlu.yml"].replace(
        "    - when is the car tax due\n", "    - when is the car tax due\n" + block, 1
    )


def _validate(root: Path):
    sources = {p.name: read_pack_folder(p) for p in sorted(root.iterdir())}
    return validate_packs(sources, TODAY)[1]


def test_should_parse_near_misses_with_their_lines(tmp_path: Path) -> None:
    packs = load_packs([write_packs(tmp_path, tax={"nlu.yml": _with_near_misses()})], TODAY)
    intent = packs.packs["tax"].intents["auto_tax_due_date"]
    assert intent.near_misses == ("軽油引取税の免税の手続き", "ゴルフ場利用税はいくら", "狩猟税の納め方")
    assert intent.near_miss_lines == (11, 12, 13)
    assert [e.text for e in intent.examples][-1] == "when is the car tax due"  # examples untouched
    assert packs.packs["tax"].intents["auto_tax_payment"].near_misses == ()


def test_should_reject_a_near_miss_that_is_also_an_example_of_any_intent(tmp_path: Path) -> None:
    block = "  near_misses: |\n    - ゴルフ場利用税はいくら\n    - コンビニで払える？\n"
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": _with_near_misses(block)}))
    found = [d for d in diags.errors if d.code == "near-miss-is-example"]
    assert len(found) == 1
    assert found[0].file == "tax/nlu.yml" and found[0].line == 12
    assert "auto_tax_payment" in found[0].message and "near_misses" in found[0].hint


def test_should_explain_a_near_miss_block_written_as_a_list(tmp_path: Path) -> None:
    block = "  near_misses:\n    - ゴルフ場利用税はいくら\n"
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": _with_near_misses(block)}))
    assert any(d.code == "near-misses-format" and d.line == 11 for d in diags.errors)


def test_should_require_the_dash_and_refuse_overlong_near_misses(tmp_path: Path) -> None:
    block = "  near_misses: |\n    ゴルフ場利用税はいくら\n    - " + "あ" * 301 + "\n"
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": _with_near_misses(block)}))
    codes = {(d.code, d.line) for d in diags.errors}
    assert ("example-dash", 11) in codes and ("near-miss-too-long", 12) in codes


def test_should_allow_near_misses_only_on_intents(tmp_path: Path) -> None:
    broken = TAX["nlu.yml"].replace("    - 車の税金\n", "    - 車の税金\n  near_misses: |\n    - 車の保険\n")
    diags = _validate(write_packs(tmp_path, tax={"nlu.yml": broken}))
    assert any(
        d.code == "unknown-key" and "near_misses" in d.message
        for d in diags.items
        if d.severity is Severity.ERROR
    )


def test_should_train_near_misses_as_the_bots_not_covered_label(tmp_path: Path) -> None:
    packs = load_packs([write_packs(tmp_path, tax={"nlu.yml": _with_near_misses()})], TODAY)
    data = training_data(packs)
    labelled = {text: label for text, label in zip(data.texts, data.labels, strict=True)}
    assert labelled["狩猟税の納め方"] == f"tax/{NOT_COVERED_LABEL}"
    engine = NluEngine.train(packs)
    result = engine.parse("狩猟税の納め方", bot="tax")
    assert result.intent == "nlu_fallback"
    assert all(r.name != NOT_COVERED_LABEL for r in result.ranking), "never offered as an answer"


def test_should_export_near_misses_to_rasa_as_out_of_scope_examples(tmp_path: Path) -> None:
    packs = load_packs([write_packs(tmp_path, tax={"nlu.yml": _with_near_misses()})], TODAY)
    project = build_project(packs, "tax")
    intents = {item["intent"]: item["examples"] for item in project.nlu["nlu"] if "intent" in item}
    assert "- 狩猟税の納め方" in intents["out_of_scope"]
    assert "狩猟税" not in intents["auto_tax_due_date"]
    assert "out_of_scope" in project.domain["intents"]
    assert any(
        step == {"intent": "out_of_scope"} for rule in project.rules["rules"] for step in rule["steps"]
    )
