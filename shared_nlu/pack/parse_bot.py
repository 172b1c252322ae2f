"""``bot.yml``: who a bot is, whom residents are handed to, and how sure the NLU must be."""

from __future__ import annotations

import re
from typing import Any

from .diagnostics import Diagnostics
from .fields import (
    check_keys,
    expect_date,
    expect_lang_text,
    expect_list,
    expect_map,
    expect_name,
    expect_text,
)
from .model import BotConfig, Contact, Thresholds

BOT_KEYS = {
    "version",
    "id",
    "name",
    "department",
    "description",
    "languages",
    "include_common",
    "service_start",
    "contact",
    "thresholds",
    "routes_to",
}
CONTACT_KEYS = {"name", "phone", "fax", "hours", "url"}
HOURS_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
LANGUAGES = {"ja", "en"}


def parse_bot(data: Any, file: str, folder_name: str, diags: Diagnostics) -> BotConfig | None:
    mapping = expect_map(data, file, (1, 1), "bot.yml", diags)
    if mapping is None:
        return None
    check_keys(
        mapping, BOT_KEYS, {"id", "name", "department", "description", "contact"}, file, "bot.yml", diags
    )
    bot_id = expect_name(mapping.get("id"), file, mapping.at("id"), "id", diags) if "id" in mapping else None
    if bot_id and bot_id != folder_name:
        diags.error(
            file,
            mapping.at("id"),
            "id-mismatch",
            f"id「{bot_id}」がフォルダ名「{folder_name}」と違います。",
            f"「id: {folder_name}」にするか、フォルダ名を id に合わせてください。",
        )
    name = (
        expect_lang_text(mapping.get("name"), file, mapping.at("name"), "name", diags)
        if "name" in mapping
        else {}
    )
    description = (
        expect_lang_text(mapping["description"], file, mapping.at("description"), "description", diags)
        if "description" in mapping
        else {}
    )
    department = expect_text(mapping.get("department"), file, mapping.at("department"), "department", diags)
    languages = _languages(mapping, file, diags)
    contact = _contact(mapping, file, diags) if "contact" in mapping else None
    thresholds = _thresholds(mapping, file, diags)
    include_common = mapping.get("include_common", True)
    if not isinstance(include_common, bool):
        diags.error(
            file,
            mapping.at("include_common"),
            "wrong-type",
            "include_common は true か false で書いてください。",
        )
        include_common = True
    service_start = (
        expect_date(mapping["service_start"], file, mapping.at("service_start"), "service_start", diags)
        if "service_start" in mapping
        else None
    )
    routes_to: list[str] = []
    if "routes_to" in mapping:
        items = expect_list(mapping["routes_to"], file, mapping.at("routes_to"), "routes_to", diags)
        for index, item in enumerate(items or []):
            routed = expect_name(item, file, items.at(index), "routes_to の bot id", diags) if items else None
            if routed:
                routes_to.append(routed)
    if not (bot_id and department and contact and name and description):
        return None
    return BotConfig(
        id=bot_id,
        name=name,
        department=department,
        description=description,
        languages=languages,
        contact=contact,
        include_common=include_common,
        service_start=service_start,
        thresholds=thresholds,
        routes_to=tuple(routes_to),
    )


def _languages(mapping: Any, file: str, diags: Diagnostics) -> tuple[str, ...]:
    if "languages" not in mapping:
        return ("ja",)
    items = expect_list(mapping["languages"], file, mapping.at("languages"), "languages", diags)
    result = []
    for index, lang in enumerate(items or []):
        assert items is not None
        if lang not in LANGUAGES:
            diags.error(
                file,
                items.at(index),
                "bad-language",
                f"言語「{lang}」には対応していません。",
                "ja か en を書いてください。",
            )
        else:
            result.append(lang)
    return tuple(result) or ("ja",)


def _contact(mapping: Any, file: str, diags: Diagnostics) -> Contact | None:
    contact = expect_map(mapping["contact"], file, mapping.at("contact"), "contact", diags)
    if contact is None:
        return None
    check_keys(contact, CONTACT_KEYS, {"name", "phone", "hours"}, file, "contact", diags)
    name = expect_lang_text(contact.get("name"), file, contact.at("name"), "contact の name", diags)
    phone = expect_text(contact.get("phone"), file, contact.at("phone"), "contact の phone", diags)
    hours = expect_text(contact.get("hours"), file, contact.at("hours"), "contact の hours", diags)
    if hours and not HOURS_RE.match(hours.strip()):
        diags.error(
            file,
            contact.at("hours"),
            "bad-hours",
            f"受付時間「{hours}」が読めません。",
            '「hours: "09:00-18:00"」のように 時:分-時:分 で書いてください（平日のみ受付、土日祝・年末年始は休みとして扱います）。',
        )
        hours = None
    fax = str(contact["fax"]) if "fax" in contact else None
    url = str(contact["url"]) if "url" in contact else None
    if not (name and phone and hours):
        return None
    return Contact(name=name, phone=str(phone), hours=hours.strip(), fax=fax, url=url)


def _thresholds(mapping: Any, file: str, diags: Diagnostics) -> Thresholds:
    if "thresholds" not in mapping:
        return Thresholds()
    values = expect_map(mapping["thresholds"], file, mapping.at("thresholds"), "thresholds", diags)
    if values is None:
        return Thresholds()
    keys = ("fallback", "ambiguity", "out_of_scope_margin", "coverage")
    check_keys(values, set(keys), set(), file, "thresholds", diags)
    defaults = Thresholds()
    result = {}
    for key in keys:
        value = values.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            diags.error(
                file,
                values.at(key),
                "bad-threshold",
                f"{key} の値「{value}」は 0 から 1 の数で書いてください。",
                f"例: {key}: 0.3",
            )
            value = getattr(defaults, key)
        result[key] = float(value)
    return Thresholds(**result)
