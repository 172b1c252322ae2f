"""One-off: write bots/<bot>/simulation.yml and bots/common/simulation.yml from the Python scripts in
chat_platform/simulate/scripts.py (which this replaces), then check that the files load back EQUAL.

Mechanical: each Script(...) and step call of the old module is evaluated to its dataclass; a step
made by a helper (hello(), thanks(0.6) …) becomes ``use: <helper>`` plus the fields that differ from
the helper's default; a say()/press() step writes the fields its call wrote or that differ from the
defaults. Comments in the data are carried over. Run from the repository root:
    .venv/bin/python scripts/convert_simulation_scripts.py
"""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import re
import tokenize
from pathlib import Path

import yaml

from chat_platform.simulate import scripts as old

SOURCE = Path("chat_platform/simulate/scripts.py")
BOTS_DIR = Path("bots")
HELPERS = ("hello", "thanks", "bye", "thanks_en", "off_topic")
SECTIONS = {
    "INQUIRY": "inquiry",
    "TAX": "tax",
    "CONSUMER": "consumer",
    "COVID_GENERAL": "covid_general",
    "COVID_TRACING": "covid_tracing",
    "COVID_STICKER": "covid_sticker",
}
STEP_ORDER = ("button", "texts", "expect", "chance", "rate", "helpful")
DEFAULT_STEP = old.Step()

LEGEND = """\
# Keys of a step — texts: what the resident types (one is picked at random). button: pressed when the
# bot's last answer offers it (/intent, the start of its title, or "*" for any button), else one of the
# texts is typed (or the step is skipped). expect: the response the step is written to reach (checked by
# `madoguchi validate`). chance: that the step is sent (default 1.0); rate: that the answer is rated
# (default 0.25); helpful: that the rating says helpful (default 0.8). use: a step of
# common/simulation.yml; keys written beside it replace the template's.
# A script — weight: how often, against this bot's other scripts (default 1.0); peak_months: months
# when it is three times as common; language: en for an English-speaking resident (default ja).
"""


def quote(text: str) -> str:
    plain = not re.match(r"""^[-?:,\[\]{}#&*!|>'"%@`\s]""", text) and " #" not in text and ": " not in text
    if plain and yaml.safe_load(f"k: {text}") == {"k": text}:
        return text
    return json.dumps(text, ensure_ascii=False)


def number(value: float) -> str:
    return repr(float(value))


def comments(source: str) -> dict[int, str]:
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def step_lines(step: old.Step, fields: set[str], indent: str) -> list[str]:
    lines = []
    for name in STEP_ORDER:
        if name not in fields:
            continue
        value = getattr(step, name)
        if name == "texts":
            lines.append(f"{indent}texts:")
            lines.extend(f"{indent}- {quote(text)}" for text in value)
        elif name in ("button", "expect"):
            lines.append(f"{indent}{name}: {quote(value)}")
        else:
            lines.append(f"{indent}{name}: {number(value)}")
    return lines


def differing(step: old.Step, base: old.Step) -> set[str]:
    return {f.name for f in dataclasses.fields(step) if getattr(step, f.name) != getattr(base, f.name)}


def main() -> None:
    source = SOURCE.read_text(encoding="utf-8")
    tree = ast.parse(source)
    notes = comments(source)
    namespace = vars(old)
    templates = {name: getattr(old, name)() for name in HELPERS}

    common = [
        'version: "1"',
        '# Steps that every bot\'s simulation.yml can use by name: "- use: hello". A key written beside',
        '# "use" replaces the template\'s value ("- use: thanks" then "  chance: 0.6"). See',
        "# docs/pack-format.md (simulation.yml) for the keys; this file is not part of the common pack.",
        "templates:",
    ]
    for name in HELPERS:
        function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
        doc = ast.get_docstring(function)
        common.append("")
        common.append(f"  {name}:" + (f"  # {doc}" if doc else ""))
        common.extend(step_lines(templates[name], differing(templates[name], DEFAULT_STEP), "    "))
    (BOTS_DIR / "common" / "simulation.yml").write_text("\n".join(common) + "\n", encoding="utf-8")

    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in SECTIONS
        ):
            continue
        bot = SECTIONS[node.targets[0].id]
        header = next(notes[line] for line in range(node.lineno - 1, 0, -1) if line in notes)
        lines = [
            'version: "1"',
            f"# {header.strip('- ').strip()}",
            "# Resident conversations that `madoguchi simulate` plays in this bot's chat window, for demos",
            "# (docs/pack-format.md, simulation.yml). Not part of the pack: pack versions and uploads leave it out.",
            *LEGEND.splitlines(),
            f"bot: {bot}",
            "scripts:",
        ]
        assert isinstance(node.value, ast.Tuple)
        for call in node.value.elts:
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "Script"
            script = eval(compile(ast.Expression(call), str(SOURCE), "eval"), namespace)
            assert script.bot == bot
            keywords = {k.arg for k in call.keywords}
            lines.append("")
            if call.lineno in notes:
                lines.append(f"# {notes[call.lineno]}")
            lines.append(f"- script: {quote(script.name)}")
            if script.language != "ja" or "language" in keywords:
                lines.append(f"  language: {script.language}")
            if script.weight != 1.0 or "weight" in keywords:
                lines.append(f"  weight: {number(script.weight)}")
            if script.peak_months or "peak_months" in keywords:
                lines.append(f"  peak_months: [{', '.join(str(m) for m in script.peak_months)}]")
            lines.append("  steps:")
            steps_node = call.args[2]
            assert isinstance(steps_node, ast.Tuple) and len(steps_node.elts) == len(script.steps)
            previous_end = steps_node.lineno
            for step_node, step in zip(steps_node.elts, script.steps, strict=True):
                assert isinstance(step_node, ast.Call) and isinstance(step_node.func, ast.Name)
                for line in range(previous_end + 1, step_node.lineno):
                    if line in notes and source.splitlines()[line - 1].strip().startswith("#"):
                        lines.append(f"  # {notes[line]}")
                previous_end = step_node.end_lineno or step_node.lineno
                helper = step_node.func.id
                if helper in HELPERS:
                    lines.append(f"  - use: {helper}")
                    body = step_lines(step, differing(step, templates[helper]), "    ")
                else:
                    assert helper in ("say", "press"), helper
                    written = {k.arg for k in step_node.keywords if k.arg} | differing(step, DEFAULT_STEP)
                    body = step_lines(step, written, "    ")
                    body[0] = "  - " + body[0].lstrip()
                lines.extend(body)
        (BOTS_DIR / bot / "simulation.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    verify()


def verify() -> None:
    """The files load back to the very same dataclasses, in the same order, with the same values
    (repr too: an int where the Python had a float would compare equal but is not the same)."""
    from shared_nlu.pack.simulation import Script, Step, load_simulations

    loaded = load_simulations(BOTS_DIR)
    assert list(loaded) == sorted(old.BOTS), (list(loaded), old.BOTS)
    again = tuple(s for bot in old.BOTS for s in loaded[bot])
    mine = tuple(
        Script(
            s.name,
            s.bot,
            tuple(Step(*dataclasses.astuple(st)) for st in s.steps),
            s.language,
            s.weight,
            s.peak_months,
        )
        for s in old.SCRIPTS
    )  # the old classes, as the new ones
    assert again == mine, "the scripts differ"
    assert repr(again) == repr(mine), "the scripts differ in a value's type"
    for a, b in zip(again, mine, strict=True):
        for x, y in zip(dataclasses.astuple(a), dataclasses.astuple(b), strict=True):
            assert type(x) is type(y), (a.name, x, y)
    steps = sum(len(s.steps) for s in again)
    expects = sum(1 for s in again for st in s.steps if st.expect)
    print(f"equal: {len(again)} scripts, {steps} steps ({expects} with expect) for {len(loaded)} bots")


if __name__ == "__main__":
    main()
