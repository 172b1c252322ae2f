"""``madoguchi export-rasa``: every shipped pack becomes a Rasa 3.x project whose files keep Rasa's
documented keys and shapes, and whose NLU data reads back to exactly the pack's examples."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from chat_platform.cli import export as export_cli
from shared_nlu.export import build_project, write_project
from shared_nlu.export.rasa import TOKENIZER_SOURCE
from shared_nlu.pack import Diagnostics, PackSet, load_packs
from shared_nlu.pack.parse_nlu import parse_nlu
from shared_nlu.pack.yaml_source import parse_yaml_text
from tests.packs_inline import COMMON, write_pack
from tests.test_faq import FAQ_BOT

BOTS = ["common", "consumer", "covid_general", "covid_sticker", "covid_tracing", "inquiry", "tax"]

# --- Rasa 3.6's documented keys (rasa/shared/utils/schemas/*.yml, docs: domain, forms, rules, NLU) ---
S: dict[str, Any] = {"type": str}
ANY: dict[str, Any] = {}


def obj(keys: dict[str, Any], *required: str) -> dict[str, Any]:
    return {"type": dict, "keys": keys, "required": required}


def seq(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": list, "items": item}


def one_of(*shapes: dict[str, Any]) -> dict[str, Any]:
    return {"one_of": shapes}


NLU = obj(
    {
        "version": S,
        "nlu": seq(
            one_of(
                *(
                    obj({kind: S, "examples": S, "metadata": ANY}, kind, "examples")
                    for kind in ("intent", "synonym", "regex", "lookup")
                )
            )
        ),
    }
)
BUTTONS = seq(obj({"title": S, "payload": S}, "title", "payload"))
CONDITION = seq(obj({"type": {"enum": ["slot"]}, "name": S, "value": ANY}, "type", "name"))
VARIANT = obj(
    {
        "id": S,
        "text": S,
        "image": S,
        "custom": ANY,
        "buttons": BUTTONS,
        "button_type": S,
        "quick_replies": BUTTONS,
        "attachment": ANY,
        "elements": ANY,
        "channel": S,
        "metadata": {"type": dict},
        "condition": CONDITION,
    }
)
MAPPING = obj(
    {
        "type": {"enum": ["from_entity", "from_text", "from_intent", "from_trigger_intent", "custom"]},
        "entity": S,
        "intent": ANY,
        "not_intent": ANY,
        "value": ANY,
        "role": S,
        "group": S,
        "action": S,
        "conditions": seq(obj({"active_loop": S, "requested_slot": S}, "active_loop")),
    },
    "type",
)
SLOT = obj(
    {
        "type": {"enum": ["text", "bool", "categorical", "float", "list", "any"]},
        "influence_conversation": {"type": bool},
        "mappings": seq(MAPPING),
        "initial_value": ANY,
        "values": seq(S),
        "min_value": ANY,
        "max_value": ANY,
    },
    "type",
    "mappings",
)
DOMAIN = obj(
    {
        "version": S,
        "intents": seq(S),
        "entities": seq(S),
        "slots": {"type": dict, "values": SLOT},
        "forms": {
            "type": dict,
            "values": obj({"required_slots": seq(S), "ignored_intents": ANY}, "required_slots"),
        },
        "actions": seq(S),
        "responses": {"type": dict, "values": seq(VARIANT)},
        "session_config": ANY,
        "config": ANY,
        "e2e_actions": ANY,
    },
    "version",
    "intents",
    "responses",
)
STEP = one_of(
    obj({"intent": S, "user": S, "entities": ANY}, "intent"),
    obj({"action": S}, "action"),
    obj({"active_loop": {"type": (str, type(None))}}, "active_loop"),
    obj({"slot_was_set": seq(ANY)}, "slot_was_set"),
)
RULES = obj(
    {
        "version": S,
        "rules": seq(
            obj(
                {
                    "rule": S,
                    "steps": seq(STEP),
                    "condition": seq(ANY),
                    "conversation_start": ANY,
                    "wait_for_user_input": ANY,
                    "metadata": ANY,
                },
                "rule",
                "steps",
            )
        ),
    },
    "version",
    "rules",
)
COMPONENTS = {
    "addons.ja_tokenizer.JapaneseScriptTokenizer",
    "RegexFeaturizer",
    "CountVectorsFeaturizer",
    "DIETClassifier",
    "EntitySynonymMapper",
    "RegexEntityExtractor",
    "FallbackClassifier",
    "RulePolicy",
}
CONFIG = obj(
    {
        "recipe": S,
        "assistant_id": S,
        "language": S,
        "pipeline": seq({"type": dict, "required": ("name",)}),
        "policies": seq({"type": dict, "required": ("name",)}),
    },
    "language",
    "pipeline",
    "policies",
)


def problems(value: Any, shape: dict[str, Any], where: str = "") -> list[str]:
    """Everything in ``value`` that ``shape`` does not allow: unknown keys, wrong types, missing keys."""
    if "one_of" in shape:
        return (
            [] if any(not problems(value, s, where) for s in shape["one_of"]) else [f"{where}: no shape fits"]
        )
    if "type" in shape and not isinstance(value, shape["type"]):
        return [f"{where}: {type(value).__name__} is not {shape['type']}"]
    if "enum" in shape and value not in shape["enum"]:
        return [f"{where}: {value!r} not one of {shape['enum']}"]
    found = [f"{where}: missing {k}" for k in shape.get("required", ()) if k not in value]
    for key, item in value.items() if isinstance(value, dict) else ():
        if "keys" in shape:
            found += (
                problems(item, shape["keys"][key], f"{where}.{key}")
                if key in shape["keys"]
                else [f"{where}: unknown key {key}"]
            )
        elif "values" in shape:
            found += problems(item, shape["values"], f"{where}.{key}")
    for index, item in enumerate(value) if "items" in shape else ():
        found += problems(item, shape["items"], f"{where}[{index}]")
    return found


@pytest.fixture(scope="module")
def exported(real_packs: PackSet, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for bot in BOTS:
        folder = tmp_path_factory.mktemp(bot)
        write_project(build_project(real_packs, bot), folder)
        out[bot] = {
            name: yaml.safe_load((folder / name).read_text(encoding="utf-8"))
            for name in ("config.yml", "domain.yml", "data/nlu.yml", "data/rules.yml")
        }
        out[bot]["README.txt"] = (folder / "README.txt").read_text(encoding="utf-8")
    return out


def _source_packs(packs: PackSet, bot: str) -> list[Any]:
    pack = packs.packs[bot]
    return [pack, packs.packs["common"]] if pack.bot.include_common else [pack]


def _read_nlu(document: dict[str, Any]) -> Any:
    """Read exported NLU data back with Madoguchi's own parser (the pack format is Rasa's)."""
    diags = Diagnostics()
    nlu = parse_nlu(
        parse_yaml_text(yaml.safe_dump(document, allow_unicode=True), "nlu.yml", diags), "nlu.yml", diags
    )
    errors = [d for d in diags.errors if d.code != "too-few-examples"]  # FAQ entries have one example
    assert not errors, [d.format() for d in errors]
    return nlu


def test_the_shipped_bots_are_all_exported() -> None:
    assert sorted(p.name for p in Path("bots").iterdir() if (p / "bot.yml").is_file()) == BOTS


@pytest.mark.parametrize("bot", BOTS)
def test_every_file_keeps_to_rasas_documented_keys(exported: dict[str, dict[str, Any]], bot: str) -> None:
    files = exported[bot]
    for name, shape in (
        ("data/nlu.yml", NLU),
        ("domain.yml", DOMAIN),
        ("data/rules.yml", RULES),
        ("config.yml", CONFIG),
    ):
        assert problems(files[name], shape, name) == []
    assert files["domain.yml"]["version"] == files["data/nlu.yml"]["version"] == "3.1"
    assert files["config.yml"]["language"] == "ja"
    assert {
        c["name"] for c in files["config.yml"]["pipeline"] + files["config.yml"]["policies"]
    } <= COMPONENTS


@pytest.mark.parametrize("bot", BOTS)
def test_every_intent_keeps_every_example_and_the_round_trip_is_exact(
    exported: dict[str, dict[str, Any]], real_packs: PackSet, bot: str
) -> None:
    nlu = _read_nlu(exported[bot]["data/nlu.yml"])
    original = {
        name: intent for pack in _source_packs(real_packs, bot) for name, intent in pack.intents.items()
    }
    assert set(nlu.intents) == set(original) == set(exported[bot]["domain.yml"]["intents"])
    # Rasa has no near-miss key: every intent's near misses follow the out-of-scope examples.
    near_misses: list[str] = []
    for intent in original.values():
        near_misses += [t for t in intent.near_misses if t not in near_misses]
    assert near_misses or bot == "common", "the shipped bot packs have near misses"
    for name, intent in original.items():
        back = nlu.intents[name].examples
        expected = [(e.text, e.entities) for e in intent.examples]
        if name == "out_of_scope":
            expected += [(text, ()) for text in near_misses if (text, ()) not in expected]
        assert [(e.text, e.entities) for e in back] == expected
    count = sum(len(i.examples) for i in original.values()) + len(near_misses)
    assert (
        sum(len(i.examples) for i in nlu.intents.values())
        == count
        == build_project(real_packs, bot).example_count
    )


@pytest.mark.parametrize("bot", BOTS)
def test_every_intent_has_a_rule_to_something_the_domain_defines(
    exported: dict[str, dict[str, Any]], bot: str
) -> None:
    domain, rules = exported[bot]["domain.yml"], exported[bot]["data/rules.yml"]["rules"]
    known = set(domain["responses"]) | set(domain.get("forms", {})) | set(domain.get("actions", []))
    answered = {r["steps"][0]["intent"]: r for r in rules if "intent" in r["steps"][0]}
    assert set(domain["intents"]) | {"nlu_fallback"} <= set(answered)
    for rule in rules:
        assert {s["action"] for s in rule["steps"] if "action" in s} <= known, rule["rule"]
    payloads = [
        b["payload"]
        for variants in domain["responses"].values()
        for v in variants
        for b in v.get("buttons", [])
    ]
    assert {re.match(r"/(\w+)", p)[1] for p in payloads} <= set(domain["intents"])  # type: ignore[index]


@pytest.mark.parametrize("bot", BOTS)
def test_english_answers_are_conditional_variants_and_dates_are_metadata(
    exported: dict[str, dict[str, Any]], real_packs: PackSet, bot: str
) -> None:
    responses = exported[bot]["domain.yml"]["responses"]
    own = real_packs.packs[bot].responses
    for pack in _source_packs(real_packs, bot):
        for name, response in pack.responses.items():
            if name == "utter_nlu_fallback":
                continue
            if pack.id == "common" and name in own and bot != "common":
                continue  # the bot's own wording replaces common's (checked as the bot's response)
            variants = responses[name]
            english = [
                v
                for v in variants
                if v.get("condition") == [{"type": "slot", "name": "language", "value": "en"}]
            ]
            assert len(english) == len(response.variants.get("en", ()))
            assert len(variants) - len(english) == len(response.variants["ja"])
            if response.checked_on:
                assert all(v["metadata"]["checked_on"] == response.checked_on.isoformat() for v in variants)
            if response.valid_until:
                assert all(v["metadata"]["valid_until"] == response.valid_until.isoformat() for v in variants)
    assert "{contact_phone}" not in str(responses) and "utter_default" in responses


def test_consumer_keeps_forms_slots_synonyms_lookups_and_annotations(
    exported: dict[str, dict[str, Any]],
) -> None:
    domain, nlu = exported["consumer"]["domain.yml"], exported["consumer"]["data/nlu.yml"]
    assert domain["forms"] == {"cooling_off_check": {"required_slots": ["transaction_type", "received_date"]}}
    assert domain["slots"]["transaction_type"]["type"] == "categorical"
    assert "訪問購入" in domain["slots"]["transaction_type"]["values"]
    assert domain["slots"]["received_date"]["mappings"][0] == {
        "type": "from_entity",
        "entity": "date",
        "conditions": [{"active_loop": "cooling_off_check", "requested_slot": "received_date"}],
    }
    assert {"transaction_type", "date"} <= set(domain["entities"])
    assert "action_cooling_off_result" in domain["actions"]
    assert {"days_left", "period_days"} <= set(domain["slots"])  # filled by the Python action
    kinds = {next(iter(item)) for item in nlu["nlu"]}
    assert {"intent", "synonym", "lookup"} <= kinds
    text = yaml.safe_dump(nlu, allow_unicode=True)
    assert "[訪問販売](transaction_type)" in text
    assert '[マルチ]{"entity": "transaction_type", "value": "連鎖販売取引"}' in text
    rules = exported["consumer"]["data/rules.yml"]["rules"]
    assert any(s == {"active_loop": "cooling_off_check"} for r in rules for s in r["steps"])
    assert any(r.get("condition") == [{"active_loop": "cooling_off_check"}] for r in rules)
    assert "action_cooling_off_result" in exported["consumer"]["README.txt"]
    names = [c["name"] for c in exported["consumer"]["config.yml"]["pipeline"]]
    assert names.index("RegexEntityExtractor") < names.index("EntitySynonymMapper")  # maps what it finds
    assert "押し買い" in exported["consumer"]["config.yml"]["pipeline"][0]["dictionary"]


def test_tax_has_synonyms_and_its_fallback_threshold(
    exported: dict[str, dict[str, Any]], real_packs: PackSet
) -> None:
    nlu = exported["tax"]["data/nlu.yml"]["nlu"]
    assert len([i for i in nlu if "synonym" in i]) == len(real_packs.packs["tax"].synonyms) + len(
        real_packs.packs["common"].synonyms
    )
    fallback = next(c for c in exported["tax"]["config.yml"]["pipeline"] if c["name"] == "FallbackClassifier")
    assert fallback["threshold"] == real_packs.packs["tax"].bot.thresholds.fallback


def test_the_front_door_can_take_its_routed_bots_along(real_packs: PackSet, tmp_path: Path) -> None:
    project = build_project(real_packs, "inquiry", with_routed=True)
    write_project(project, tmp_path)
    domain = yaml.safe_load((tmp_path / "domain.yml").read_text(encoding="utf-8"))
    assert (
        "tax__auto_tax_due_date" in domain["intents"]
        and "utter_tax__auto_tax_due_date" in domain["responses"]
    )
    assert "greet" in domain["intents"] and "tax__greet" not in domain["intents"]
    assert "cooling_off_check" in domain["forms"]
    payloads = {
        b["payload"]
        for v in domain["responses"]["utter_consumer__cooling_off_about"]
        for b in v.get("buttons", [])
    }
    assert "/consumer__cooling_off_check" in payloads
    routed = sum(len(real_packs.packs[b].intents) for b in real_packs.packs["inquiry"].bot.routes_to)
    assert len(domain["intents"]) == len(build_project(real_packs, "inquiry").domain["intents"]) + routed
    with pytest.raises(ValueError, match="routes to no other bot"):
        build_project(real_packs, "tax", with_routed=True)


def test_faq_entries_become_intents_with_one_example(tmp_path: Path) -> None:
    write_pack(tmp_path / "bots", "common", COMMON)
    write_pack(tmp_path / "bots", "gomi", FAQ_BOT)
    project = build_project(load_packs([tmp_path / "bots"]), "gomi")
    assert "faq_q1" in project.domain["intents"] and "utter_faq_q1" in project.domain["responses"]
    assert len(_read_nlu(project.nlu).intents["faq_q1"].examples) == 1
    assert "3 FAQ entries" in project.readme


def test_entity_annotations_line_up_with_the_exported_tokenizer(real_packs: PackSet) -> None:
    """Rasa drops an entity whose edges fall inside a token, so the tokenizer must split at them."""
    compile(TOKENIZER_SOURCE, "ja_tokenizer.py", "exec")
    namespace: dict[str, Any] = {}
    exec(TOKENIZER_SOURCE.split("# ---- the Rasa component ----")[0], namespace)  # the part without rasa
    split, pattern = namespace["split"], namespace["dictionary_pattern"]
    for bot in BOTS:
        dictionary = pattern(build_project(real_packs, bot).config["pipeline"][0]["dictionary"])
        for pack in _source_packs(real_packs, bot):
            for example in (e for intent in pack.intents.values() for e in intent.examples):
                edges = {
                    edge
                    for word, start in split(example.text, dictionary)
                    for edge in (start, start + len(word))
                }
                for span in example.entities:
                    assert {span.start, span.end} <= edges, (example.text, span)
    words = [
        word
        for word, _ in split("押し買いでした。車の税金っていつ？ cooling-off 2026年", pattern(["押し買い"]))
    ]
    assert words == ["押し買い", "でした", "車", "の", "税金", "っていつ", "cooling", "off", "2026", "年"]


def test_the_command_writes_the_project(tmp_path: Path) -> None:
    app = typer.Typer()
    export_cli.register(app)
    app.callback()(lambda: None)
    result = CliRunner().invoke(app, ["export-rasa", "--bot", "consumer", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "out").rglob("*") if p.is_file()} >= {
        "config.yml",
        "domain.yml",
        "nlu.yml",
        "rules.yml",
        "README.txt",
        "ja_tokenizer.py",
    }
    assert CliRunner().invoke(app, ["export-rasa", "--bot", "nope", str(tmp_path / "x")]).exit_code == 2
    assert (
        CliRunner()
        .invoke(app, ["export-rasa", "--bot", "tax", "--with-routed", str(tmp_path / "y")])
        .exit_code
        == 2
    )
