"""Read a YAML file into plain values that remember where they were written.

Department staff edit these files by hand, so every error must point at a line. PyYAML's node
graph carries positions; we build dicts and lists from it ourselves so that duplicate keys are
caught (PyYAML silently keeps the last one) and every key and item keeps its ``(line, column)``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .diagnostics import Diagnostics

Position = tuple[int, int]

try:  # the C loader is several times faster on large packs; fall back when libyaml is absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class YamlMap(dict[str, Any]):
    """A mapping that knows where it, each key and each value were written (1-based)."""

    pos: Position
    key_pos: dict[str, Position]
    value_pos: dict[str, Position]

    def at(self, key: str) -> Position:
        return self.value_pos.get(key, self.key_pos.get(key, self.pos))


class YamlList(list[Any]):
    """A sequence that knows where it and each item were written (1-based)."""

    pos: Position
    item_pos: list[Position]

    def at(self, index: int) -> Position:
        return self.item_pos[index] if 0 <= index < len(self.item_pos) else self.pos


def _pos(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def parse_yaml_text(text: str, name: str, diagnostics: Diagnostics) -> Any:
    """Parse YAML text; on any problem add a diagnostic (``name`` is the file shown) and return ``None``."""
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            diagnostics.error(
                name,
                (number, indent.index("\t") + 1),
                "tab-indent",
                "行頭にタブ文字があります。YAML の字下げにタブは使えません。",
                "タブを半角スペース（2つ）に置き換えてください。",
            )
            return None
    if report_surrogates(text, name, diagnostics):
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
        if "&" in text and _report_anchors(text, name, diagnostics):
            return None
    except yaml.MarkedYAMLError as exc:
        _report_syntax(exc, text, name, diagnostics)
        return None
    except yaml.reader.ReaderError as exc:  # a control character such as NUL, which YAML forbids
        before = text[: exc.position]
        at = (before.count("\n") + 1, exc.position - before.rfind("\n"))
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        diagnostics.error(
            name,
            at,
            "bad-character",
            f"YAML に書けない制御文字（U+{code:04X}）があります。",
            "この位置の見えない文字を消してください（別のソフトからの貼り付けで紛れ込むことがあります）。",
        )
        return None
    except yaml.YAMLError as exc:
        diagnostics.error(name, (1, 1), "yaml-syntax", f"YAML として読めません: {exc}")
        return None
    if node is None:
        diagnostics.error(
            name,
            (1, 1),
            "empty-file",
            "ファイルが空です。",
            "docs/pack-format.md の例を参考に中身を書くか、不要ならファイルを削除してください。",
        )
        return None
    return _build(node, name, diagnostics, set())


_SURROGATE = re.compile("[\ud800-\udfff]")


def report_surrogates(text: str, name: str, diagnostics: Diagnostics) -> bool:
    """Report a lone surrogate (half of a UTF-16 pair, e.g. ``"\\ud800"`` in a JSON upload): it is
    no character, cannot be stored as UTF-8 and makes the tokenizer raise. True if one was found."""
    found = _SURROGATE.search(text)
    if found is None:
        return False
    before = text[: found.start()]
    at = (before.count("\n") + 1, found.start() - before.rfind("\n"))
    diagnostics.error(name, at, *_surrogate_error(found.group()))
    return True


def _surrogate_error(char: str) -> tuple[str, str, str]:
    return (
        "bad-character",
        f"文字として読めないコード（U+{ord(char):04X}、サロゲートの片割れ）があります。",
        "この位置の文字を消して、正しい文字を入力し直してください（コピー元が壊れている可能性があります）。",
    )


def _report_syntax(exc: yaml.MarkedYAMLError, text: str, name: str, diagnostics: Diagnostics) -> None:
    problem, opened = str(exc.problem or ""), exc.context_mark
    if (
        "quoted scalar" in str(exc.context or "")
        and opened is not None
        and ("end of stream" in problem or "document" in problem)
    ):
        # PyYAML notices an unclosed quote only where the file ends, often hundreds of lines
        # later; the quote that was never closed is where the editor must look
        quote = text[opened.index] if 0 <= opened.index < len(text) else '"'
        end = f"{exc.problem_mark.line + 1} 行目" if exc.problem_mark else "ファイルの終わり"
        diagnostics.error(
            name,
            (opened.line + 1, opened.column + 1),
            "unclosed-quote",
            f"この行で開いた引用符（{quote}）が閉じていません（{end}まで一つの文字列として読まれています）。",
            f"この行の値の最後に {quote} を書き足すか、値の最初の {quote} を消してください。"
            "値の中に \" を書くときは \\\"、' を書くときは '' と書きます。",
        )
        return
    mark = exc.problem_mark or exc.context_mark
    at = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    diagnostics.error(
        name,
        at,
        "yaml-syntax",
        f"YAML の書き方に誤りがあります: {exc.problem or exc.context}",
        _syntax_hint(problem),
    )


def _report_anchors(text: str, name: str, diagnostics: Diagnostics) -> bool:
    """Report every anchor (``&name``); an alias (``*name``) needs one, so this refuses both.

    Run only when the text has a ``&`` at all: the node graph forgets anchors on scalars, so they
    are found in the event stream, which costs a second parse.
    """
    found = False
    for event in yaml.parse(text, Loader=_Loader):
        mark = event.start_mark
        if getattr(event, "anchor", None) is not None and not isinstance(event, yaml.AliasEvent):
            at = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            diagnostics.error(name, at, *_ALIAS_ERROR)
            found = True
    return found


_ALIAS_ERROR = (
    "yaml-alias",
    "YAML のアンカー（&）とエイリアス（*）は使えません。",
    "同じ内容が必要なら、その場所にもう一度書いてください。",
)


def _syntax_hint(problem: str) -> str:
    if "escape" in problem:
        return '"…" の中の \\ は記号の始まりとして読まれます。\\ そのものを書くときは \\\\ と書くか、\' で囲んでください。'
    if "quote" in problem or "end of stream" in problem:
        return "引用符（\" または '）が閉じているか確認してください。"
    if "indent" in problem or "mapping values" in problem or "block" in problem:
        return "字下げ（行頭のスペースの数）が上の行とそろっているか、「キー: 値」のコロンの後にスペースがあるか確認してください。"
    return "この行とその直前の行の字下げ・コロン・引用符を確認してください。"


_constructor = yaml.constructor.SafeConstructor()


def _build(node: yaml.Node, name: str, diagnostics: Diagnostics, seen: set[int]) -> Any:
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        # PyYAML resolves an alias (*name) to the very node its anchor (&name) marked. Packs have no
        # use for them, and expanding them would let a few lines grow into billions of values.
        if id(node) in seen:
            diagnostics.error(name, _pos(node), *_ALIAS_ERROR)
            return None
        seen.add(id(node))
    if not _tag_allowed(node, name, diagnostics):
        diagnostics.dropped(name, _pos(node))
        return None
    if isinstance(node, yaml.MappingNode):
        result = YamlMap()
        result.pos, result.key_pos, result.value_pos = _pos(node), {}, {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                diagnostics.error(
                    name,
                    _pos(key_node),
                    "yaml-merge-key",
                    "マージキー（<<:）は使えません。",
                    "取り込みたいキーと値を、この場所にそのまま書いてください。",
                )
                continue
            key = _build(key_node, name, diagnostics, seen)
            key = str(key) if not isinstance(key, str) else key
            if key in result.key_pos:
                first = result.key_pos[key][0]
                diagnostics.error(
                    name,
                    _pos(key_node),
                    "duplicate-key",
                    f"キー「{key}」が2回書かれています（最初は {first} 行目）。",
                    "どちらか一方にまとめてください。後の方が前の内容を黙って上書きしてしまいます。",
                )
                continue
            result.key_pos[key] = _pos(key_node)
            result.value_pos[key] = _pos(value_node)
            result[key] = _build(value_node, name, diagnostics, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = YamlList()
        items.pos, items.item_pos = _pos(node), []
        for child in node.value:
            items.item_pos.append(_pos(child))
            items.append(_build(child, name, diagnostics, seen))
        return items
    return _scalar(node, name, diagnostics)


_YAML = "tag:yaml.org,2002:"
_MERGE_TAG = _YAML + "merge"
# what plain YAML resolves to without a tag; "value" is what a bare "=" resolves to
_PLAIN_TAGS = {_YAML + kind for kind in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def _tag_allowed(node: yaml.Node, name: str, diagnostics: Diagnostics) -> bool:
    if node.tag in _PLAIN_TAGS or node.tag in (_MERGE_TAG, _YAML + "value"):
        return True
    diagnostics.error(
        name,
        _pos(node),
        "yaml-tag",
        f"YAML のタグ（{node.tag}）は使えません。",
        '値の前の「!」で始まる語を消してください。文字列として「!」を書きたいときは値全体を引用符（"）で囲みます。',
    )
    return False


def _scalar(node: yaml.Node, name: str, diagnostics: Diagnostics) -> Any:
    if node.tag in (_YAML + "value", _MERGE_TAG):
        return node.value  # a bare "=" or "<<" written as a value means the text itself
    try:
        value = _constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        # only a timestamp can fail here (the tags were checked): e.g. 2026-13-45 or 2026-02-30,
        # written like a date, so YAML reads it as one, and there is no such day
        diagnostics.error(
            name,
            _pos(node),
            "bad-date",
            f"「{node.value}」はありえない日付です。",
            "年-月-日 の形で、月は 1〜12、日はその月にある日にしてください（例: 2026-11-28）。",
        )
        diagnostics.dropped(name, _pos(node))
        return None
    if isinstance(value, str) and (found := _SURROGATE.search(value)):  # "\ud800" written as an escape
        diagnostics.error(name, _pos(node), *_surrogate_error(found.group()))
        diagnostics.dropped(name, _pos(node))
        return None
    return value


def block_lines(node_pos: Position, text: str) -> list[tuple[str, Position]]:
    """Split a ``examples: |`` block into its ``- item`` lines with each line's position.

    A literal block's content starts on the line after the ``|``; Rasa's format writes one
    example per line, each starting with ``- ``.
    """
    result: list[tuple[str, Position]] = []
    first_line = node_pos[0] + 1
    for offset, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if not stripped:
            continue
        result.append((stripped, (first_line + offset, 1)))
    return result
