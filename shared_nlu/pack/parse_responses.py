"""``responses.yml``: the answers, as in a Rasa domain, plus languages and validity dates."""

from __future__ import annotations

from typing import Any

from ..constants import RESPONSE_PREFIX
from .diagnostics import Diagnostics
from .fields import check_keys, expect_date, expect_list, expect_map, expect_text
from .model import Button, Response, Variant
from .yaml_source import YamlList, YamlMap

RESPONSE_KEYS = {"ja", "en", "checked_on", "valid_until"}
VARIANT_KEYS = {"text", "buttons"}
BUTTON_KEYS = {"title", "payload"}


def parse_responses(data: Any, file: str, diags: Diagnostics) -> dict[str, tuple[Response, tuple[int, int]]]:
    """Return response name → (response, where it was written)."""
    result: dict[str, tuple[Response, tuple[int, int]]] = {}
    mapping = expect_map(data, file, (1, 1), "responses.yml", diags)
    if mapping is None:
        return result
    check_keys(mapping, {"version", "responses"}, {"responses"}, file, "responses.yml", diags)
    responses = expect_map(mapping.get("responses"), file, mapping.at("responses"), "responses", diags)
    for name, body in (responses or {}).items():
        assert responses is not None
        at = responses.key_pos[name]
        if not name.startswith(RESPONSE_PREFIX):
            diags.error(
                file,
                at,
                "response-name",
                f"応答名「{name}」は utter_ で始めてください。",
                f"例: utter_{name}",
            )
            continue
        response = _parse_response(name, body, file, responses.at(name), diags)
        if response is not None:
            result[name] = (response, at)
    return result


def _parse_response(
    name: str, body: Any, file: str, at: tuple[int, int], diags: Diagnostics
) -> Response | None:
    if isinstance(body, YamlList):  # Rasa's plain form: Japanese variants only
        variants = _variants(body, file, name, diags)
        return Response(name, {"ja": variants}) if variants else None
    mapping = expect_map(body, file, at, f"応答「{name}」", diags)
    if mapping is None:
        return None
    check_keys(mapping, RESPONSE_KEYS, {"ja"}, file, f"応答「{name}」", diags)
    by_language: dict[str, tuple[Variant, ...]] = {}
    for lang in ("ja", "en"):
        if lang in mapping:
            items = expect_list(mapping[lang], file, mapping.at(lang), f"応答「{name}」の {lang}", diags)
            if items is not None:
                by_language[lang] = _variants(items, file, name, diags)
    checked_on = (
        expect_date(mapping["checked_on"], file, mapping.at("checked_on"), "checked_on", diags)
        if "checked_on" in mapping
        else None
    )
    valid_until = (
        expect_date(mapping["valid_until"], file, mapping.at("valid_until"), "valid_until", diags)
        if "valid_until" in mapping
        else None
    )
    if not by_language.get("ja"):
        return None
    return Response(name, by_language, checked_on, valid_until)


def _variants(items: YamlList, file: str, name: str, diags: Diagnostics) -> tuple[Variant, ...]:
    variants = []
    for index, item in enumerate(items):
        variant = expect_map(item, file, items.at(index), f"応答「{name}」の各文", diags)
        if variant is None:
            continue
        check_keys(variant, VARIANT_KEYS, {"text"}, file, f"応答「{name}」の各文", diags)
        text = (
            expect_text(variant.get("text"), file, variant.at("text"), "text", diags)
            if "text" in variant
            else None
        )
        buttons = _buttons(variant, file, diags) if "buttons" in variant else ()
        if text:
            variants.append(Variant(text.strip(), buttons))
    return tuple(variants)


def _buttons(variant: YamlMap, file: str, diags: Diagnostics) -> tuple[Button, ...]:
    items = expect_list(variant["buttons"], file, variant.at("buttons"), "buttons", diags)
    buttons = []
    for index, item in enumerate(items or []):
        assert items is not None
        button = expect_map(item, file, items.at(index), "ボタン", diags)
        if button is None:
            continue
        check_keys(button, BUTTON_KEYS, BUTTON_KEYS, file, "ボタン", diags)
        title = expect_text(button.get("title"), file, button.at("title"), "ボタンの title", diags)
        payload = expect_text(button.get("payload"), file, button.at("payload"), "ボタンの payload", diags)
        if title and payload:
            buttons.append(Button(title.strip(), payload.strip()))
    return tuple(buttons)
