"""Adding a training example to nlu.yml as text, so the editor's layout and comments survive.

Department staff keep nlu.yml in their own layout, with comments saying why an example is there;
loading the YAML and dumping it again would lose both. So an example is added by inserting one line
at the end of the intent's ``examples: |`` block, and the result is parsed again to make sure the
line landed in that intent. The new file is then stored as a version like any other change
(:mod:`admin.packs`).
"""

from __future__ import annotations

import difflib
import re

from sqlalchemy.orm import Session

from chat_platform.errors import AppError
from chat_platform.packs_store import active_sources
from chat_platform.storage.models import PackVersion
from shared_nlu.pack import Diagnostic, Diagnostics, Intent
from shared_nlu.pack.checks import example_key
from shared_nlu.pack.parse_nlu import parse_annotations, parse_nlu
from shared_nlu.pack.yaml_source import parse_yaml_text

from . import audit, lanes, packs
from .auth import Principal

MAX_EXAMPLE_CHARS = 300  # an example is a question a resident types, not a paragraph
_INTENT = re.compile(r"^(?P<indent> *)- +intent: *(?P<q>[\"']?)(?P<name>[A-Za-z0-9_]+)(?P=q) *(#.*)?$")
_SURROGATE = re.compile("[\ud800-\udfff]")  # half a UTF-16 pair: no character, cannot be stored
_EXAMPLES = re.compile(r"^(?P<indent> *)examples: *\|[-+0-9]* *(#.*)?$")


def add_example(
    session: Session,
    principal: Principal,
    bot_id: str,
    intent: str,
    text: str,
    comment: str | None,
    lane_check: lanes.LaneCheck | None = None,
) -> packs.Saved:
    """Append one example to an intent of the active nlu.yml, leaving every other byte as it was."""
    text = _one_line(text)
    packs.check_comment(comment)
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
                422, "unknown_intent", f"ボット「{bot_id}」に intent「{packs.shown(intent)}」はありません。{ja_hint}",
                f"Bot {bot_id!r} has no intent {packs.shown(intent)!r}.{en_hint}",
            )  # fmt: skip
        # checked here as well as by the validator, which allows a repeat inside one intent
        owner = example_owner(active_sources(session)[0], text)
        if owner is not None:
            raise AppError(
                409, "duplicate_example", f"この例文はすでに {owner[0]} の intent「{owner[1]}」にあります。",
                f"This example already exists under intent {owner[1]!r} of bot {owner[0]!r}.",
            )  # fmt: skip
        changed = insert_example(nlu, intent, text)
        if changed is None:
            raise AppError(
                422, "examples_block_not_found", f"nlu.yml の intent「{intent}」の「examples: |」が見つかりません。nlu.yml を直接編集してください。",
                f"Could not find the 'examples: |' block of intent {intent!r} in nlu.yml; edit the file instead.",
            )  # fmt: skip
        files = {**base.files, "nlu.yml": changed}
        return files, packs.validate(session, principal, bot_id, files, lane_check)

    # validated (and the lane check trained) before the lock, as in packs.save
    base, (files, warnings) = packs.prepare_then_lock(session, bot_id, prepare)
    row = packs.insert_version(
        session,
        bot_id,
        files,
        principal.name,
        comment or f"例文を追加: {intent}",
        packs.pack_diff(base.files, files),
    )
    # the example text itself stays out of the audit log: it may come from a resident's message
    audit.record(
        session, principal, "pack.add_example", f"bot:{bot_id}", {"version": row.version, "intent": intent}
    )
    return packs.Saved(row.version, warnings)


def insert_example(nlu: str, intent: str, text: str) -> str | None:
    """``nlu`` with ``    - text`` after the last line of the intent's ``examples: |`` block, or None."""
    lines = re.findall(r"[^\n]*\n|[^\n]+\Z", nlu)
    bodies = [line.rstrip("\r\n") for line in lines]
    start = next((i for i, b in enumerate(bodies) if (m := _INTENT.match(b)) and m["name"] == intent), None)
    if start is None:
        return None
    entry, key = _indent(bodies[start]), None
    for i in range(start + 1, len(bodies)):
        body = bodies[i]
        if body.strip() and not body.lstrip().startswith("#") and _indent(body) <= entry:
            return None  # the next entry began: this intent has no examples block
        if (m := _EXAMPLES.match(body)) and len(m["indent"]) > entry:
            key = i
            break
    if key is None:
        return None
    block, last = None, key
    for i in range(key + 1, len(bodies)):
        if not bodies[i].strip():
            continue  # blank lines belong to the block until a less indented line ends it
        if _indent(bodies[i]) <= (_indent(bodies[key]) if block is None else block - 1):
            break
        block, last = block or _indent(bodies[i]), i
    newline = "\r\n" if lines[last].endswith("\r\n") else "\n"
    if not lines[last].endswith("\n"):
        lines[last] += newline  # the file ended without a newline
    lines.insert(last + 1, f"{' ' * (block or _indent(bodies[key]) + 2)}- {text}{newline}")
    changed = "".join(lines)
    # make sure the line landed in that intent's block, not in a neighbour's
    added = intents_of("check", changed).get(intent)
    return changed if added and any(e.line == last + 2 for e in added.examples) else None


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
            422, "example_too_long", f"例文は{MAX_EXAMPLE_CHARS}文字までです（{len(text)} 文字）。",
            f"An example may have at most {MAX_EXAMPLE_CHARS} characters ({len(text)}).",
        )  # fmt: skip
    return text
