"""Adding a training example to nlu.yml as text, so the editor's layout and comments survive.

Department staff keep nlu.yml in their own layout, with comments saying why an example is there;
loading the YAML and dumping it again would lose both. So an example is added by inserting one line
at the end of the intent's ``examples: |`` block, and the result is parsed again to make sure the
line landed in that intent. The new file is then stored as a version like any other change
(:mod:`admin.pack_publishing`).
"""

from __future__ import annotations

import difflib
import re

from sqlalchemy.orm import Session

from core.errors import AppError
from core.pack_versions import active_sources
from core.storage.models import PackVersion
from shared_nlu.constants import MAX_EXAMPLE_CHARS
from shared_nlu.pack import Diagnostic, Diagnostics, Intent
from shared_nlu.pack.checks import example_key
from shared_nlu.pack.parse_nlu import parse_annotations, parse_nlu
from shared_nlu.pack.yaml_source import YamlMap, block_lines, parse_yaml_text

from . import audit, lanes, pack_publishing
from .auth import Principal

_INTENT = re.compile(r"^(?P<indent> *)- +intent: *(?P<q>[\"']?)(?P<name>[A-Za-z0-9_]+)(?P=q) *(#.*)?$")
_SURROGATE = re.compile("[\ud800-\udfff]")  # half a UTF-16 pair: no character, cannot be stored
_EXAMPLES = re.compile(r"^(?P<indent> *)examples: *\|[-+0-9]* *(#.*)?$")
_NEAR_MISSES = re.compile(r"^(?P<indent> *)near_misses: *\|[-+0-9]* *(#.*)?$")
# a key of an intent entry (examples, near_misses) as the first thing on its line
_KEY = re.compile(r"^(?P<indent> *)(?P<key>examples|near_misses) *:")
# what YAML 1.1 cannot hold even in a literal block (PyYAML's "printable" check)
_YAML_UNPRINTABLE = re.compile(r"[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def add_example(
    session: Session,
    principal: Principal,
    bot_id: str,
    intent: str,
    text: str,
    comment: str | None,
    lane_check: lanes.LaneCheck | None = None,
    activate: bool = True,
) -> pack_publishing.Saved:
    """Append one example to an intent of the active nlu.yml, leaving every other byte as it was, as
    a new version: active at once, or a draft to try first (``activate=False``)."""
    text = _one_line(text)
    pack_publishing.check_comment(comment)
    lanes.check_approver(principal, lane_check)

    def prepare(base: PackVersion) -> tuple[dict[str, str], list[Diagnostic]]:
        nlu = base.files.get("nlu.yml", "")
        known = intents_of(bot_id, nlu)
        if intent not in known:
            guess = difflib.get_close_matches(intent, sorted(known), n=1, cutoff=0.5)
            ja_hint, en_hint = (
                (f"「{guess[0]}」のことですか？", f" Did you mean {guess[0]!r}?") if guess else ("", "")
            )
            raise AppError(
                422,
                "unknown_intent",
                f"ボット「{bot_id}」に intent「{pack_publishing.shown(intent)}」はありません。{ja_hint}",
                f"Bot {bot_id!r} has no intent {pack_publishing.shown(intent)!r}.{en_hint}",
            )
        # checked here as well as by the validator, which allows a repeat inside one intent
        owner = example_owner(active_sources(session)[0], text)
        if owner is not None:
            raise AppError(
                409,
                "duplicate_example",
                f"この例文はすでに {owner[0]} の intent「{owner[1]}」にあります。",
                f"This example already exists under intent {owner[1]!r} of bot {owner[0]!r}.",
            )
        changed = insert_example(nlu, intent, text)
        if changed is None:
            raise AppError(
                422,
                "examples_block_not_found",
                f"nlu.yml の intent「{intent}」の「examples: |」が見つかりません。nlu.yml を直接編集してください。",
                f"Could not find the 'examples: |' block of intent {intent!r} in nlu.yml; edit the file instead.",
            )
        files = {**base.files, "nlu.yml": changed}
        return files, pack_publishing.validate(session, principal, bot_id, files, lane_check)

    # validated (and the lane check trained) before the lock, as in pack_publishing.save
    base, (files, warnings) = pack_publishing.prepare_then_lock(session, bot_id, prepare)
    row = pack_publishing.insert_version(
        session,
        bot_id,
        files,
        principal.name,
        comment or f"例文を追加: {intent}",
        pack_publishing.pack_diff(base.files, files),
        activate=activate,
    )
    # the example text itself stays out of the audit log: it may come from a resident's message
    audit.record(
        session,
        principal,
        "pack.add_example",
        f"bot:{bot_id}",
        {"version": row.version, "intent": intent, "draft": not activate},
    )
    return pack_publishing.Saved(row.version, warnings, activated=activate)


def insert_example(nlu: str, intent: str, text: str) -> str | None:
    """``nlu`` with ``    - text`` after the last line of the intent's ``examples: |`` block, or None."""
    lines = _split(nlu)
    keys = _intent_keys(lines, intent)
    if keys is None or "examples" not in keys or not _EXAMPLES.match(_body(lines[keys["examples"]])):
        return None
    changed, at = _append_to_block(lines, keys["examples"], text)
    # make sure the line landed in that intent's block, not in a neighbour's
    added = intents_of("check", changed).get(intent)
    return changed if added and any(e.line == at for e in added.examples) else None


def insert_near_miss(nlu: str, intent: str, text: str) -> str | None:
    """``nlu`` with ``- text`` at the end of the intent's ``near_misses: |`` block, or None.

    Without such a block, one is started right after the intent's ``examples: |`` block, indented
    like it; every other line stays as it was (comments, blank lines, the file's line endings).
    None when the intent, or its examples block, is not found, or near_misses is not written as a
    ``|`` block (a list written some other way is left for the editor).
    """
    lines = _split(nlu)
    keys = _intent_keys(lines, intent)
    if keys is None:
        return None
    if "near_misses" in keys:
        if not _NEAR_MISSES.match(_body(lines[keys["near_misses"]])):
            return None
        changed, at = _append_to_block(lines, keys["near_misses"], text)
    elif "examples" in keys and _EXAMPLES.match(_body(lines[keys["examples"]])):
        key = keys["examples"]
        last, block = _block_end(lines, key)
        newline = _newline_after(lines, last)
        indent = " " * _indent(_body(lines[key]))
        lines[last + 1 : last + 1] = [
            f"{indent}near_misses: |{newline}",
            f"{' ' * block}- {text}{newline}",
        ]
        changed, at = "".join(lines), last + 3
    else:
        return None
    # make sure the line landed in that intent's near misses, read back from the YAML itself
    return changed if (text, at) in near_misses_of("check", changed).get(intent, []) else None


def near_misses_of(bot_id: str, nlu: str) -> dict[str, list[tuple[str, int]]]:
    """Each intent's near misses in ``nlu`` as (text, 1-based line), read from the YAML as written.

    Read here rather than from the pack model so that the admin's checks do not depend on how the
    validator treats the key; {} if the file does not parse.
    """
    data = parse_yaml_text(nlu, f"{bot_id}/nlu.yml", Diagnostics())
    entries = data.get("nlu") if isinstance(data, YamlMap) else None
    found: dict[str, list[tuple[str, int]]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, YamlMap) and isinstance(entry.get("near_misses"), str):
            lines = block_lines(entry.at("near_misses"), entry["near_misses"])
            items = [(text[2:].strip(), at[0]) for text, at in lines if text.startswith("- ")]
            found.setdefault(str(entry.get("intent")), []).extend(items)
    return found


def near_miss_line(text: str) -> str:
    """``text`` (a stored, masked message) as one line a ``|`` block can hold; 422 if empty or too long.

    Every kind of line break and space run becomes one space (a message may span lines); characters
    YAML cannot hold at all (control characters) are dropped. Nothing else changes: in a literal
    block the text needs no quoting.
    """
    line = " ".join(_YAML_UNPRINTABLE.sub("", text).split())
    if not line:
        raise AppError(
            422,
            "empty_question",
            "質問が空です。対象外の例として追加できません。",
            "The question is empty; there is nothing to add as a near miss.",
        )
    if len(line) > MAX_EXAMPLE_CHARS:
        raise AppError(
            422,
            "question_too_long",
            f"質問が長すぎます（{len(line)} 文字、上限 {MAX_EXAMPLE_CHARS} 文字）。要点だけを nlu.yml の near_misses に手で書いてください。",
            f"The question is too long ({len(line)} characters, at most {MAX_EXAMPLE_CHARS}); "
            "write its gist into near_misses in nlu.yml by hand.",
        )
    return line


def _split(text: str) -> list[str]:
    """Lines with their line endings (the last may have none)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _intent_keys(lines: list[str], intent: str) -> dict[str, int] | None:
    """Line index of each block key (examples, near_misses) of ``- intent: <intent>``; None if no such intent."""
    bodies = [_body(line) for line in lines]
    start = next((i for i, b in enumerate(bodies) if (m := _INTENT.match(b)) and m["name"] == intent), None)
    if start is None:
        return None
    entry, keys = _indent(bodies[start]), {}
    for i in range(start + 1, len(bodies)):
        body = bodies[i]
        if body.strip() and not body.lstrip().startswith("#") and _indent(body) <= entry:
            break  # the next entry began
        if (m := _KEY.match(body)) and len(m["indent"]) > entry and m["key"] not in keys:
            keys[m["key"]] = i
    return keys


def _block_end(lines: list[str], key: int) -> tuple[int, int]:
    """(index of the last line of the block under ``key``, the block's indent)."""
    bodies = [_body(line) for line in lines]
    block, last = None, key
    for i in range(key + 1, len(bodies)):
        if not bodies[i].strip():
            continue  # blank lines belong to the block until a less indented line ends it
        if _indent(bodies[i]) <= (_indent(bodies[key]) if block is None else block - 1):
            break
        block, last = block or _indent(bodies[i]), i
    return last, block or _indent(bodies[key]) + 2


def _newline_after(lines: list[str], last: int) -> str:
    """The file's line ending; adds it to line ``last`` when the file ended there without one."""
    newline = "\r\n" if lines[last].endswith("\r\n") else "\n"
    if not lines[last].endswith("\n"):
        lines[last] += newline
    return newline


def _append_to_block(lines: list[str], key: int, text: str) -> tuple[str, int]:
    """The file with ``- text`` after the block under ``key``, and that line's 1-based number."""
    last, block = _block_end(lines, key)
    newline = _newline_after(lines, last)
    lines.insert(last + 1, f"{' ' * block}- {text}{newline}")
    return "".join(lines), last + 2


def intents_of(bot_id: str, nlu: str) -> dict[str, Intent]:
    """The intents ``nlu`` (the text of ``bot_id``'s nlu.yml) defines, by name; {} if it does not parse."""
    scratch = Diagnostics()  # the full validation reports problems; here only the intents matter
    return parse_nlu(parse_yaml_text(nlu, f"{bot_id}/nlu.yml", scratch), f"{bot_id}/nlu.yml", scratch).intents


def example_owner(sources: dict[str, dict[str, bytes]], text: str) -> tuple[str, str] | None:
    """(bot, intent) of an example that is the same as ``text`` for the duplicate check, if any."""
    key = example_key(parse_annotations(text, "", (0, 0), Diagnostics())[0])
    for bot_id, files in sorted(sources.items()):
        for intent in intents_of(bot_id, files.get("nlu.yml", b"").decode("utf-8-sig")).values():
            if any(example_key(e.text) == key for e in intent.examples):
                return bot_id, intent.name
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _one_line(text: str) -> str:
    """``text`` stripped; 422 unless it is one non-empty line of at most MAX_EXAMPLE_CHARS characters."""
    text = text.strip()
    if not text or any(ch in text for ch in "\r\n\v\f\x85\u2028\u2029") or _SURROGATE.search(text):
        raise AppError(
            422,
            "invalid_example",
            "例文は空でない1行にしてください（文字として読めないコードも使えません）。",
            "The example must be one non-empty line of real characters.",
        )
    if len(text) > MAX_EXAMPLE_CHARS:
        raise AppError(
            422,
            "example_too_long",
            f"例文は{MAX_EXAMPLE_CHARS}文字までです（{len(text)} 文字）。",
            f"An example may have at most {MAX_EXAMPLE_CHARS} characters ({len(text)}).",
        )
    return text
