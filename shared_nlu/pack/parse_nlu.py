"""``nlu.yml`` in Rasa 3 format: intents with examples, synonyms, regexes and lookup tables."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..constants import MAX_EXAMPLE_CHARS
from .diagnostics import Diagnostics
from .fields import check_keys, expect_list, expect_map, expect_name, expect_text
from .model import EntitySpan, Example, Intent, Synonym
from .near_misses import NEAR_MISSES_KEY, near_miss_texts
from .yaml_source import Position, YamlMap, block_lines

MIN_EXAMPLES_ERROR = 3
MIN_EXAMPLES_WARNING = 10
KINDS = ("intent", "synonym", "regex", "lookup")

# [text](entity) or [text]{"entity": "…", "value": "…"}
_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<entity>[^()]+)\)|(?P<json>\{[^{}]*\}))")


@dataclass
class NluData:
    intents: dict[str, Intent] = field(default_factory=dict)
    synonyms: list[Synonym] = field(default_factory=list)
    regexes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    intent_pos: dict[str, Position] = field(default_factory=dict)


def parse_nlu(data: Any, file: str, diags: Diagnostics) -> NluData:
    result = NluData()
    mapping = expect_map(data, file, (1, 1), "nlu.yml", diags)
    if mapping is None:
        return result
    check_keys(mapping, {"version", "nlu"}, {"nlu"}, file, "nlu.yml", diags)
    entries = (
        expect_list(mapping.get("nlu"), file, mapping.at("nlu"), "nlu", diags) if "nlu" in mapping else None
    )
    for index, entry in enumerate(entries or []):
        at = entries.at(index) if entries else (1, 1)
        item = expect_map(entry, file, at, "nlu の各項目", diags)
        if item is not None:
            _parse_entry(item, file, result, diags)
    return result


def _parse_entry(item: YamlMap, file: str, result: NluData, diags: Diagnostics) -> None:
    kinds = [k for k in KINDS if k in item]
    if len(kinds) != 1:
        check_keys(item, {*KINDS, "examples"}, set(), file, "nlu の項目", diags)
        diags.error(
            file,
            item.pos,
            "entry-kind",
            "nlu の各項目には intent / synonym / regex / lookup のどれか1つを書いてください。",
            "例: 「- intent: greet」の次の行に「  examples: |」。",
        )
        return
    kind = kinds[0]
    allowed = {kind, "examples", NEAR_MISSES_KEY} if kind == "intent" else {kind, "examples"}
    check_keys(item, allowed, {kind, "examples"}, file, f"{kind} の項目", diags)
    name_pos = item.at(kind)
    lines = _example_lines(item, file, diags)
    if kind == "intent":
        name = expect_name(item[kind], file, name_pos, "intent 名", diags)
        if name is None:
            return
        if name in result.intents:
            diags.error(
                file,
                name_pos,
                "duplicate-intent",
                f"intent「{name}」が2回定義されています（最初は {result.intent_pos[name][0]} 行目）。",
                "例文を1つの「- intent:」の下にまとめてください。",
            )
            return
        result.intent_pos[name] = name_pos
        examples = tuple(_examples(name, name_pos, lines, file, diags))
        misses = near_miss_texts(_example_lines(item, file, diags, NEAR_MISSES_KEY), file, diags)
        result.intents[name] = Intent(
            name, examples, tuple(t for t, _ in misses), tuple(line for _, line in misses)
        )
        return
    label = expect_text(item[kind], file, name_pos, f"{kind} の名前", diags)
    if label is None:
        return
    values = tuple(text for text, _ in lines)
    if kind == "synonym":
        result.synonyms.append(Synonym(label, values))
    elif kind == "lookup":
        result.lookups[label] = values
    else:
        for text, at in lines:
            try:
                re.compile(text)
            except re.error as exc:
                diags.error(
                    file,
                    at,
                    "bad-regex",
                    f"正規表現「{text}」が正しくありません: {exc.msg}",
                    "かっこ ( ) や [ ] が閉じているか、記号の前に \\ が必要か確認してください。",
                )
        result.regexes[label] = values


def _example_lines(
    item: YamlMap, file: str, diags: Diagnostics, key: str = "examples"
) -> list[tuple[str, Position]]:
    raw = item.get(key)
    at = item.at(key)
    if raw is None:
        return []
    if not isinstance(raw, str):
        diags.error(
            file,
            at,
            f"{key.replace('_', '-')}-format",
            f"{key} は「{key}: |」の次の行から「- 例文」を1行ずつ書いてください。",
            f"「{key}:」の後に「|」を付け忘れていないか確認してください。",
        )
        return []
    lines = []
    for text, line_at in block_lines(at, raw):
        if not text.startswith("- "):
            diags.error(
                file,
                line_at,
                "example-dash",
                f"例文「{text[:30]}」の先頭に「- 」がありません。",
                "各例文は「- 」（ハイフンと半角スペース）で始めてください。",
            )
            continue
        lines.append((text[2:].strip(), line_at))
    return lines


def _examples(
    intent: str, name_pos: Position, lines: list[tuple[str, Position]], file: str, diags: Diagnostics
) -> list[Example]:
    examples = []
    for raw, at in lines:
        text, spans = parse_annotations(raw, file, at, diags)
        if not text:
            continue
        if len(text) > MAX_EXAMPLE_CHARS:
            diags.error(
                file,
                at,
                "example-too-long",
                f"例文が {len(text)} 文字あり、チャットの1メッセージとしては長すぎます（上限 {MAX_EXAMPLE_CHARS} 文字）。",
                "要点だけの短い文に分けてください。",
            )
            continue
        examples.append(Example(text, spans, at[0]))
    count = len(examples)
    if count < MIN_EXAMPLES_ERROR:
        diags.error(
            file,
            name_pos,
            "too-few-examples",
            f"intent「{intent}」の例文が {count} 件しかありません（最低 {MIN_EXAMPLES_ERROR} 件）。",
            f"住民が実際に書きそうな言い方を {MIN_EXAMPLES_WARNING} 件以上追加してください。",
        )
    elif count < MIN_EXAMPLES_WARNING:
        diags.warning(
            file,
            name_pos,
            "few-examples",
            f"intent「{intent}」の例文が {count} 件です。{MIN_EXAMPLES_WARNING} 件以上あると正しく答えられる率が上がります。",
            "くだけた言い方・関西弁・ひらがなだけ・短いキーワードなどを追加してください。",
        )
    return examples


def parse_annotations(
    raw: str, file: str, at: Position, diags: Diagnostics
) -> tuple[str, tuple[EntitySpan, ...]]:
    """Strip ``[text](entity)`` marks, returning the plain text and the marked spans."""
    spans: list[EntitySpan] = []
    plain: list[str] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(raw):
        before = raw[cursor : match.start()]
        plain.append(before)
        length += len(before)
        value_text = match["text"]
        entity, value = match["entity"], value_text
        if match["json"]:
            try:
                spec = json.loads(match["json"])
                entity, value = spec["entity"], str(spec.get("value", value_text))
            except (ValueError, KeyError, TypeError):
                diags.error(
                    file,
                    at,
                    "bad-annotation",
                    f"エンティティ指定「{match.group(0)}」が読めません。",
                    '「[マルチ]{"entity": "transaction_type", "value": "連鎖販売取引"}」の形で書いてください。',
                )
                entity = None
        if entity:
            spans.append(EntitySpan(entity.strip(), value, length, length + len(value_text)))
        plain.append(value_text)
        length += len(value_text)
        cursor = match.end()
    plain.append(raw[cursor:])
    return "".join(plain).strip(), tuple(spans)
