"""Small checks shared by the file parsers: allowed keys, types, names, dates."""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Any

from .diagnostics import Diagnostics
from .yaml_source import Position, YamlList, YamlMap

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def check_keys(
    mapping: YamlMap, allowed: set[str], required: set[str], file: str, what: str, diags: Diagnostics
) -> None:
    """Report unknown keys (with a did-you-mean) and missing required keys."""
    for key in mapping:
        if key not in allowed:
            guess = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            hint = (
                f"「{guess[0]}」のことですか？"
                if guess
                else f"{what}に書けるキー: {', '.join(sorted(allowed))}"
            )
            diags.error(
                file, mapping.key_pos[key], "unknown-key", f"{what}に不明なキー「{key}」があります。", hint
            )
    for key in sorted(required - set(mapping)):
        diags.error(
            file,
            mapping.pos,
            "missing-key",
            f"{what}に必須のキー「{key}」がありません。",
            f"「{key}: …」を追加してください。",
        )


def expect_map(value: Any, file: str, at: Position, what: str, diags: Diagnostics) -> YamlMap | None:
    if isinstance(value, YamlMap):
        return value
    diags.error(
        file, at, "wrong-type", f"{what}は「キー: 値」の形（マッピング）で書いてください。", _found(value)
    )
    return None


def expect_list(value: Any, file: str, at: Position, what: str, diags: Diagnostics) -> YamlList | None:
    if isinstance(value, YamlList):
        return value
    diags.error(file, at, "wrong-type", f"{what}は「- 」で始まる行のリストで書いてください。", _found(value))
    return None


def expect_text(value: Any, file: str, at: Position, what: str, diags: Diagnostics) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    diags.error(file, at, "wrong-type", f"{what}には文字列を書いてください。", _found(value))
    return None


def expect_name(value: Any, file: str, at: Position, what: str, diags: Diagnostics) -> str | None:
    text = expect_text(value, file, at, what, diags)
    if text is None:
        return None
    if not NAME_RE.match(text):
        diags.error(
            file,
            at,
            "bad-name",
            f"{what}「{text}」に使えない文字があります。",
            "半角の小文字英字・数字・アンダースコア（_）だけで、英字から始めてください（例: auto_tax_due_date）。",
        )
        return None
    return text


def expect_date(value: Any, file: str, at: Position, key: str, diags: Diagnostics) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    diags.error(
        file,
        at,
        "bad-date",
        f"「{key}」の値「{value}」は日付として読めません。",
        f"「{key}: 2026-11-28」のように 年-月-日 の形で書いてください。",
    )
    return None


def expect_lang_text(value: Any, file: str, at: Position, what: str, diags: Diagnostics) -> dict[str, str]:
    """``{ja: …, en: …}`` or a plain string (taken as Japanese)."""
    if isinstance(value, str):
        return {"ja": value}
    mapping = expect_map(value, file, at, what, diags)
    if mapping is None:
        return {}
    check_keys(mapping, {"ja", "en"}, {"ja"}, file, what, diags)
    result: dict[str, str] = {}
    for lang in ("ja", "en"):
        if lang in mapping:
            text = expect_text(mapping[lang], file, mapping.at(lang), f"{what}の {lang}", diags)
            if text:
                result[lang] = text.strip()
    return result


def _found(value: Any) -> str:
    if value is None:
        return "値が空です。コロンの後に値を書くか、字下げを確認してください。"
    kinds: dict[type, str] = {YamlMap: "マッピング", YamlList: "リスト", str: "文字列"}
    kind = kinds.get(type(value), type(value).__name__)
    return f"今は{kind}が書かれています。"
