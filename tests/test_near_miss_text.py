"""Writing a near miss into nlu.yml as text (admin/pack_text.py): only the near miss lines change.

These read the YAML back with PyYAML (and the admin's own near_misses reader), not with the pack
validator, which learns the ``near_misses`` key in the coverage work.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from admin.pack_text import insert_near_miss, intents_of, near_miss_line, near_misses_of
from core.errors import AppError

BOTS = Path(__file__).resolve().parents[1] / "bots"
NLU_FILES = sorted(BOTS.glob("*/nlu.yml"))
TEXT = "インフルエンザの予防接種はどこで"


def added_lines(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if it removes or changes any."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    assert not [line for line in diff if line.startswith("- ")], "a line was removed or changed"
    return [line[2:] for line in diff if line.startswith("+ ")]


def near_misses_by_pyyaml(nlu: str) -> dict[str, list[str]]:
    entries = yaml.safe_load(nlu)["nlu"]
    return {
        e["intent"]: [line[2:] for line in e["near_misses"].splitlines() if line.strip()]
        for e in entries
        if "intent" in e and isinstance(e.get("near_misses"), str)
    }


@pytest.mark.parametrize("path", NLU_FILES, ids=lambda p: p.parent.name)
def test_should_add_a_near_miss_to_every_intent_of_every_shipped_pack(path: Path) -> None:
    nlu = path.read_text(encoding="utf-8")
    bot = path.parent.name
    before = intents_of(bot, nlu)
    assert before
    shipped = near_misses_by_pyyaml(nlu)  # the near misses the pack already has
    for intent in before:
        changed = insert_near_miss(nlu, intent, TEXT)
        assert changed is not None, intent
        block = [] if intent in shipped else ["  near_misses: |\n"]
        assert added_lines(nlu, changed) == [*block, f"    - {TEXT}\n"], intent
        assert near_misses_by_pyyaml(changed) == {**shipped, intent: [*shipped.get(intent, []), TEXT]}
        assert near_misses_of(bot, changed)[intent][-1][0] == TEXT
        # the examples, and every other intent, are read exactly as before
        after = intents_of(bot, changed)
        assert [(i.name, [e.text for e in i.examples]) for i in after.values()] == [
            (i.name, [e.text for e in i.examples]) for i in before.values()
        ]
        again = insert_near_miss(changed, intent, "二つ目")
        assert again is not None and added_lines(changed, again) == ["    - 二つ目\n"]
        assert near_misses_by_pyyaml(again) == {**shipped, intent: [*shipped.get(intent, []), TEXT, "二つ目"]}


LAYOUT = """\
version: "3.1"
nlu:
# 予防接種（担当: 感染症対策課）
- intent: "vaccination"   # 名前を引用符で書いても同じ
  # 例文はワクチンの予約・会場・費用
  examples: |
    - ワクチンの予約はどこで

    - 接種券をなくした
  # ここまで
- intent: testing
  near_misses: |   # 対象外の例
    - 風疹の抗体検査
  examples: |
    - PCR検査はどこで
- intent: flow_list
  examples: |
    - x
  near_misses: [a, b]
- intent: no_block
  examples:
    - y
"""


def test_should_keep_comments_blank_lines_and_quoting_around_the_new_block() -> None:
    changed = insert_near_miss(LAYOUT, "vaccination", TEXT)
    assert changed is not None
    lines = changed.splitlines()
    at = lines.index("    - 接種券をなくした")
    assert lines[at + 1 : at + 4] == ["  near_misses: |", f"    - {TEXT}", "  # ここまで"]
    assert added_lines(LAYOUT, changed) == ["  near_misses: |\n", f"    - {TEXT}\n"]
    # an existing block is appended to, wherever it stands in the entry
    changed = insert_near_miss(LAYOUT, "testing", "はしかの抗体検査")
    assert changed is not None
    assert near_misses_by_pyyaml(changed)["testing"] == ["風疹の抗体検査", "はしかの抗体検査"]
    assert added_lines(LAYOUT, changed) == ["    - はしかの抗体検査\n"]
    # forms the editor must change by hand
    assert insert_near_miss(LAYOUT, "flow_list", TEXT) is None
    assert insert_near_miss(LAYOUT, "no_block", TEXT) is None
    assert insert_near_miss(LAYOUT, "unknown", TEXT) is None


def test_should_follow_the_files_line_endings_and_a_missing_last_newline() -> None:
    crlf = LAYOUT.replace("\n", "\r\n")
    changed = insert_near_miss(crlf, "vaccination", TEXT)
    assert changed is not None and "\n" not in changed.replace("\r\n", "")
    assert f"  near_misses: |\r\n    - {TEXT}\r\n" in changed
    bare = 'version: "3.1"\nnlu:\n- intent: a\n  examples: |\n    - x'
    assert insert_near_miss(bare, "a", "z") == bare + "\n  near_misses: |\n    - z\n"


@pytest.mark.parametrize(
    "text",
    [
        "\"引用符\" と 'アポストロフィ'",
        "- 先頭がハイフン",
        "# 先頭がシャープ",
        "a: b # c",
        "{波かっこ} [角かっこ]",
        "*alias &anchor !tag",
        "% @ ` |",
        "   前後の空白   ",
        "タブ\tを含む",
        "100% 😀 ＠",
    ],
)
def test_should_write_any_one_line_text_so_that_yaml_reads_it_back_unchanged(text: str) -> None:
    line = near_miss_line(text)
    changed = insert_near_miss(LAYOUT, "vaccination", line)
    assert changed is not None
    assert near_misses_by_pyyaml(changed)["vaccination"] == [line]
    assert line == " ".join(text.split())


def test_should_make_one_line_of_a_message_and_refuse_an_empty_or_long_one() -> None:
    assert near_miss_line("一行目\n二行目\r\n三\u2028四\x85五") == "一行目 二行目 三 四 五"
    assert near_miss_line("制御\x00文字\x1b[31m") == "制御文字[31m"
    for text, code in (
        ("  \n ", "empty_question"),
        ("\x00\x01", "empty_question"),
        ("あ" * 301, "question_too_long"),
    ):
        with pytest.raises(AppError) as refused:
            near_miss_line(text)
        assert (refused.value.status, refused.value.code) == (422, code)
    assert near_miss_line("あ" * 300) == "あ" * 300
