"""``rules.yml``, ``forms.yml`` and ``tests.yml``: what happens after an intent is recognised."""

from __future__ import annotations

from typing import Any

from .diagnostics import Diagnostics
from .fields import check_keys, expect_list, expect_map, expect_name, expect_text
from .model import Form, Rule, SlotSpec, Story, TestStep
from .yaml_source import YamlMap

SLOT_KINDS = {"choice", "date", "number", "text"}
SLOT_KEYS = {"type", "entity", "choices", "past_only", "min", "max", "if_unknown"}
STEP_KEYS = {"user", "intent", "bot", "action"}


def parse_rules(data: Any, file: str, diags: Diagnostics) -> dict[str, tuple[Rule, tuple[int, int]]]:
    """Return triggering intent → (rule, position)."""
    result: dict[str, tuple[Rule, tuple[int, int]]] = {}
    mapping = expect_map(data, file, (1, 1), "rules.yml", diags)
    if mapping is None:
        return result
    check_keys(mapping, {"version", "rules"}, {"rules"}, file, "rules.yml", diags)
    rules = (
        expect_list(mapping.get("rules"), file, mapping.at("rules"), "rules", diags)
        if "rules" in mapping
        else None
    )
    for index, raw in enumerate(rules or []):
        assert rules is not None
        rule = expect_map(raw, file, rules.at(index), "rule", diags)
        if rule is None:
            continue
        check_keys(rule, {"rule", "steps"}, {"rule", "steps"}, file, "rule", diags)
        steps = (
            expect_list(rule.get("steps"), file, rule.at("steps"), "steps", diags)
            if "steps" in rule
            else None
        )
        if not steps:
            continue
        first = steps[0]
        if not isinstance(first, YamlMap) or set(first) != {"intent"}:
            diags.error(
                file,
                steps.at(0),
                "rule-shape",
                "rule の最初のステップは「- intent: 名前」にしてください。",
                "例: - intent: cooling_off_check",
            )
            continue
        intent = expect_name(first["intent"], file, first.at("intent"), "intent 名", diags)
        actions = []
        for step_index in range(1, len(steps)):
            step = steps[step_index]
            if not isinstance(step, YamlMap) or set(step) != {"action"}:
                diags.error(
                    file,
                    steps.at(step_index),
                    "rule-shape",
                    "intent の後のステップは「- action: 名前」にしてください。",
                    "例: - action: utter_greet",
                )
                continue
            action = expect_text(step["action"], file, step.at("action"), "action", diags)
            if action:
                actions.append(action)
        if intent is None or not actions:
            continue
        if intent in result:
            diags.error(
                file,
                first.at("intent"),
                "duplicate-rule",
                f"intent「{intent}」の rule が2つあります（最初は {result[intent][1][0]} 行目）。",
                "1つの rule にまとめてください。",
            )
            continue
        name = str(rule.get("rule", intent))
        result[intent] = (Rule(name, intent, tuple(actions)), first.at("intent"))
    return result


def parse_forms(data: Any, file: str, diags: Diagnostics) -> dict[str, tuple[Form, tuple[int, int]]]:
    result: dict[str, tuple[Form, tuple[int, int]]] = {}
    mapping = expect_map(data, file, (1, 1), "forms.yml", diags)
    if mapping is None:
        return result
    check_keys(mapping, {"version", "forms"}, {"forms"}, file, "forms.yml", diags)
    forms = (
        expect_map(mapping.get("forms"), file, mapping.at("forms"), "forms", diags)
        if "forms" in mapping
        else None
    )
    for name, raw in (forms or {}).items():
        assert forms is not None
        form_name = expect_name(name, file, forms.key_pos[name], "フォーム名", diags)
        form = expect_map(raw, file, forms.at(name), f"フォーム「{name}」", diags)
        if form is None or form_name is None:
            continue
        check_keys(
            form,
            {"required_slots", "submit", "on_cancel"},
            {"required_slots", "submit"},
            file,
            f"フォーム「{name}」",
            diags,
        )
        slots_map = (
            expect_map(form.get("required_slots"), file, form.at("required_slots"), "required_slots", diags)
            if "required_slots" in form
            else None
        )
        slots = [s for s in (_slot(n, v, slots_map, file, diags) for n, v in (slots_map or {}).items()) if s]
        submit = (
            expect_text(form.get("submit"), file, form.at("submit"), "submit", diags)
            if "submit" in form
            else None
        )
        on_cancel = str(form["on_cancel"]) if form.get("on_cancel") else None
        if slots and submit:
            result[form_name] = (Form(form_name, tuple(slots), submit, on_cancel), forms.key_pos[name])
    return result


def _slot(name: str, raw: Any, parent: YamlMap | None, file: str, diags: Diagnostics) -> SlotSpec | None:
    assert parent is not None
    slot_name = expect_name(name, file, parent.key_pos[name], "スロット名", diags)
    spec = expect_map(raw, file, parent.at(name), f"スロット「{name}」", diags)
    if spec is None or slot_name is None:
        return None
    check_keys(spec, SLOT_KEYS, {"type"}, file, f"スロット「{name}」", diags)
    kind = spec.get("type")
    if kind not in SLOT_KINDS:
        diags.error(
            file,
            spec.at("type"),
            "slot-type",
            f"スロットの type「{kind}」は使えません。",
            f"使える type: {', '.join(sorted(SLOT_KINDS))}",
        )
        return None
    choices: tuple[str, ...] = ()
    if kind == "choice":
        items = expect_list(spec.get("choices"), file, spec.at("choices"), "choices", diags)
        choices = tuple(str(c) for c in items or [])
        if not choices:
            return None
    entity = str(spec["entity"]) if "entity" in spec else None
    bounds = {k: spec.get(k) for k in ("min", "max")}
    for key, value in bounds.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            diags.error(file, spec.at(key), "wrong-type", f"{key} には数を書いてください。")
            bounds[key] = None
    return SlotSpec(
        name=slot_name,
        kind=str(kind),
        entity=entity,
        choices=choices,
        past_only=bool(spec.get("past_only", False)),
        minimum=bounds["min"],
        maximum=bounds["max"],
        if_unknown=str(spec["if_unknown"]) if spec.get("if_unknown") else None,
    )


def parse_stories(data: Any, file: str, diags: Diagnostics) -> list[Story]:
    mapping = expect_map(data, file, (1, 1), "tests.yml", diags)
    if mapping is None:
        return []
    check_keys(mapping, {"version", "stories"}, {"stories"}, file, "tests.yml", diags)
    stories = (
        expect_list(mapping.get("stories"), file, mapping.at("stories"), "stories", diags)
        if "stories" in mapping
        else None
    )
    result = []
    for index, raw in enumerate(stories or []):
        assert stories is not None
        story = expect_map(raw, file, stories.at(index), "story", diags)
        if story is None:
            continue
        check_keys(story, {"story", "steps"}, {"story", "steps"}, file, "story", diags)
        steps = (
            expect_list(story.get("steps"), file, story.at("steps"), "steps", diags)
            if "steps" in story
            else None
        )
        parsed = []
        for step_index, raw_step in enumerate(steps or []):
            assert steps is not None
            step = expect_map(raw_step, file, steps.at(step_index), "step", diags)
            if step is None:
                continue
            check_keys(step, STEP_KEYS, set(), file, "step", diags)
            if "user" not in step and "action" not in step:
                diags.error(file, step.pos, "step-shape", "ステップには user か action を書いてください。")
                continue
            values = {k: (str(step[k]).strip() if step.get(k) is not None else None) for k in STEP_KEYS}
            parsed.append(TestStep(line=step.pos[0], **values))
        result.append(Story(str(story.get("story", f"story {index + 1}")), tuple(parsed), story.pos[0]))
    return result
