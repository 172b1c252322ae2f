"""``simulation.yml``: the resident conversations ``madoguchi simulate`` plays through the chat API.

A bot folder may hold one beside its pack files. Each :class:`Script` is one resident's visit to
that bot: what they type (one of a few phrasings is picked), which button they press, and how likely
they are to rate an answer. The texts are written for the simulator (polite, casual, Kansai dialect,
typos, some English); they are not copies of the training examples in ``nlu.yml``. ``expect`` names
the answer a step is written to reach: ``madoguchi validate`` checks that the bot has it; the
simulator plays whatever the bot really answers.

Buttons are pressed by payload (``/auto_tax_payment``) or by the start of their title (``訪問販売``)
and only if the bot's previous reply offered them; otherwise the step's ``texts`` are typed instead
(or the step is skipped when there are none), as a resident would.

``common/simulation.yml`` holds ``templates``: steps every bot's file uses by name (``use: hello``),
with any key written beside ``use`` replacing the template's value.

The file is demo and test data, not part of the pack: it is not in ``PACK_FILES``, so pack versions,
uploads, the model's digest and the exports leave it out, and editing it retrains nothing. The
simulator reads it from the bots folder on disk.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..constants import BUTTON_PAYLOAD, COMMON_BOT, ENGINE_TEXT_RESPONSES
from .diagnostics import Diagnostics, PackError
from .fields import check_keys, expect_list, expect_map, expect_name
from .loader import find_pack_folders
from .model import Pack
from .parse_bot import LANGUAGES
from .yaml_source import Position, YamlList, YamlMap, parse_yaml_text

SIMULATION_FILE = "simulation.yml"
DEFAULT_RATE = 0.25  # chance that a resident rates an answer they could rate
DEFAULT_HELPFUL = 0.8  # chance that such a rating says "helpful"
ANY_BUTTON = "*"


@dataclass(frozen=True)
class Step:
    """One resident message: typed text (one variant is chosen) or a button press."""

    texts: tuple[str, ...] = ()
    button: str | None = None  # a payload ("/hotline"), a title ("訪問販売") or ANY_BUTTON
    expect: str | None = None  # the response this step is written to reach (utter_…)
    chance: float = 1.0  # probability that the resident sends this step at all
    rate: float = DEFAULT_RATE  # probability of rating the answer (when it can be rated)
    helpful: float = DEFAULT_HELPFUL  # probability that the rating is "helpful"


@dataclass(frozen=True)
class Script:
    name: str
    bot: str  # the bot whose chat window the resident opened
    steps: tuple[Step, ...]
    language: str = "ja"
    weight: float = 1.0  # relative frequency among the bot's scripts
    peak_months: tuple[int, ...] = field(default=())  # months when this script is three times as common


STEP_KEYS = {"texts", "button", "expect", "chance", "rate", "helpful"}
PROBABILITIES = ("chance", "rate", "helpful")
SCRIPT_KEYS = {"script", "language", "weight", "peak_months", "steps"}


@dataclass(frozen=True)
class _Written:
    """Where a step's ``expect`` and ``button`` were written, for the checks against the pack.
    A value taken from a template is checked in common/simulation.yml and reported at ``use``."""

    at: Position
    expect_at: Position
    button_at: Position
    expect_from_template: bool = False
    button_from_template: bool = False


@dataclass(frozen=True)
class _Read:
    """One script as read. One that had a problem is still checked against the pack, as far as
    it could be read, so that one mistake does not hide the others; it is not played."""

    script: Script
    at: Position
    language_at: Position
    written: tuple[_Written, ...]
    complete: bool


@dataclass
class _File:
    bot: str
    file: str
    read: list[_Read] = field(default_factory=list)

    @property
    def scripts(self) -> tuple[Script, ...]:
        return tuple(r.script for r in self.read if r.complete)


@dataclass
class _Templates:
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → Step field → value
    written: dict[str, _Written] = field(default_factory=dict)
    file: str = f"{COMMON_BOT}/{SIMULATION_FILE}"


def read_simulation_files(folders: Iterable[Path]) -> dict[str, bytes]:
    """``simulation.yml`` of each pack folder that has one, by bot id (the folder's name)."""
    return {f.name: (f / SIMULATION_FILE).read_bytes() for f in folders if (f / SIMULATION_FILE).is_file()}


def load_simulations(bots_dir: Path) -> dict[str, tuple[Script, ...]]:
    """Every bot's scripts (bots with a simulation.yml that has scripts, in folder order).

    Raises :class:`PackError` with every problem in how the files are written; the checks against the
    packs (do the responses and intents exist) are ``madoguchi validate``'s: the simulator plays
    whatever the bots answer.
    """
    diags = Diagnostics()
    scripts = check_simulations(read_simulation_files(find_pack_folders([bots_dir])), None, diags)
    if not diags.ok:
        raise PackError(diags.sorted())
    return {bot: found for bot, found in scripts.items() if found}


def check_simulations(
    sources: Mapping[str, bytes], packs: Mapping[str, Pack] | None, diags: Diagnostics
) -> dict[str, tuple[Script, ...]]:
    """Parse every ``simulation.yml`` in ``sources`` (bot id → contents) and, with ``packs``, check
    it against them. Problems go to ``diags``; returns each bot's scripts that could be read."""
    templates = _parse_templates(sources.get(COMMON_BOT), diags)
    files = [
        _parse_file(bot, raw, templates, diags) for bot, raw in sorted(sources.items()) if bot != COMMON_BOT
    ]
    _check_unique_names(files, diags)
    if packs is not None:
        common = packs.get(COMMON_BOT)
        if common is not None:
            for name, written in templates.written.items():
                step = _step(templates.values[name])
                _check_step(step, written, common, None, templates.file, diags)
        for parsed in files:
            pack = packs.get(parsed.bot)
            if pack is not None:  # a pack that did not parse is reported by the pack checks
                _check_against_pack(parsed, pack, common if pack.bot.include_common else None, diags)
    return {parsed.bot: parsed.scripts for parsed in files}


# ---- reading --------------------------------------------------------------------------------------
def _decode(raw: bytes, file: str, diags: Diagnostics) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        diags.error(
            file,
            (raw[: exc.start].count(b"\n") + 1, 1),
            "not-utf8",
            f"ファイルが UTF-8 ではありません（{exc.start} バイト目）。",
            "エディタで文字コードを「UTF-8」にして保存し直してください（Shift_JIS は読めません）。",
        )
        return None
    return parse_yaml_text(text, file, diags)


def _parse_templates(raw: bytes | None, diags: Diagnostics) -> _Templates:
    templates = _Templates()
    file = templates.file
    data = _decode(raw, file, diags) if raw is not None else None
    mapping = expect_map(data, file, (1, 1), SIMULATION_FILE, diags) if data is not None else None
    if mapping is None:
        return templates
    if "scripts" in mapping:
        diags.error(
            file,
            mapping.key_pos["scripts"],
            "scripts-in-common",
            "common には住民が開く窓口がないので、scripts は書けません。",
            "シナリオは、その窓口の bot のフォルダの simulation.yml に書いてください。common には templates だけを書きます。",
        )
    check_keys(mapping, {"version", "templates", "scripts"}, {"templates"}, file, SIMULATION_FILE, diags)
    named = expect_map(mapping.get("templates"), file, mapping.at("templates"), "templates", diags)
    for name, raw_step in (named or {}).items():
        assert named is not None
        at = named.key_pos[name]
        if expect_name(name, file, at, "template の名前", diags) is None:
            continue
        step = expect_map(raw_step, file, named.at(name), f"template「{name}」", diags)
        if step is None:
            continue
        check_keys(step, STEP_KEYS, set(), file, f"template「{name}」", diags)
        values = _step_values(step, file, diags)
        if not values.get("texts") and not values.get("button"):
            _empty_step(file, at, diags)
            continue
        templates.values[name] = values
        templates.written[name] = _Written(at, step.at("expect"), step.at("button"))
    return templates


def _parse_file(bot: str, raw: bytes, templates: _Templates, diags: Diagnostics) -> _File:
    parsed = _File(bot, f"{bot}/{SIMULATION_FILE}")
    file = parsed.file
    mapping = expect_map(_decode(raw, file, diags), file, (1, 1), SIMULATION_FILE, diags)
    if mapping is None:
        return parsed
    if "templates" in mapping:
        diags.error(
            file,
            mapping.key_pos["templates"],
            "templates-not-in-common",
            "templates は common/simulation.yml にだけ書けます。",
            "共通のステップは common/simulation.yml の templates に移すか、このファイルのステップにそのまま書いてください。",
        )
    check_keys(
        mapping, {"version", "bot", "scripts", "templates"}, {"bot", "scripts"}, file, SIMULATION_FILE, diags
    )
    if "bot" in mapping:
        named = expect_name(mapping["bot"], file, mapping.at("bot"), "bot", diags)
        if named is not None and named != bot:
            diags.error(
                file,
                mapping.at("bot"),
                "bot-mismatch",
                f"bot「{named}」がフォルダ名「{bot}」と違います。このファイルのシナリオは {bot} の窓口で再生されます。",
                f"「bot: {bot}」にするか、ファイルを bots/{named}/ に移してください。",
            )
    scripts = expect_list(mapping.get("scripts"), file, mapping.at("scripts"), "scripts", diags)
    for index, raw_script in enumerate(scripts or []):
        assert scripts is not None
        script = expect_map(raw_script, file, scripts.at(index), "script", diags)
        if script is not None:
            _parse_script(script, parsed, templates, diags)
    return parsed


def _parse_script(script: YamlMap, parsed: _File, templates: _Templates, diags: Diagnostics) -> None:
    file = parsed.file
    check_keys(script, SCRIPT_KEYS, {"script", "steps"}, file, "script", diags)
    name = expect_name(script.get("script"), file, script.at("script"), "script の名前", diags)
    language = script.get("language", "ja")
    language_ok = isinstance(language, str) and language in LANGUAGES
    if not language_ok:
        diags.error(
            file,
            script.at("language"),
            "bad-language",
            f"言語「{language}」には対応していません。",
            "ja か en を書いてください（書かなければ ja です）。",
        )
    weight = script.get("weight", 1.0)
    weight_ok = isinstance(weight, int | float) and not isinstance(weight, bool) and weight > 0
    if not weight_ok:
        diags.error(
            file,
            script.at("weight"),
            "bad-weight",
            f"weight の値「{weight}」は 0 より大きい数で書いてください。",
            "同じ bot のほかのシナリオと比べた出やすさです（書かなければ 1.0）。例: weight: 1.5",
        )
    months = _months(script, file, diags)
    steps: list[Step] = []
    written: list[_Written] = []
    complete = True
    raw_steps = (
        expect_list(script.get("steps"), file, script.at("steps"), "steps", diags)
        if "steps" in script
        else None
    )
    if raw_steps is not None and not raw_steps:
        diags.error(
            file,
            script.at("steps"),
            "no-steps",
            "steps が空です。",
            "住民が送るメッセージを「- texts: …」の形で1つ以上書いてください。",
        )
    for index, raw_step in enumerate(raw_steps or []):
        assert raw_steps is not None
        step = expect_map(raw_step, file, raw_steps.at(index), "step", diags)
        if step is None:
            continue
        found = _parse_step(step, file, templates, diags)
        if found is not None:
            steps.append(found[0])
            written.append(found[1])
        complete = complete and found is not None and found[2]
    complete = complete and name is not None and language_ok and weight_ok and months is not None
    parsed.read.append(
        _Read(
            Script(
                name or "",
                parsed.bot,
                tuple(steps),
                language if language_ok else "ja",
                float(weight) if weight_ok else 1.0,
                months or (),
            ),
            script.at("script"),
            script.at("language"),
            tuple(written),
            complete and bool(steps),
        )
    )


def _months(script: YamlMap, file: str, diags: Diagnostics) -> tuple[int, ...] | None:
    if "peak_months" not in script:
        return ()
    months = expect_list(script["peak_months"], file, script.at("peak_months"), "peak_months", diags)
    if months is None:
        return None
    result = []
    for index, month in enumerate(months):
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            diags.error(
                file,
                months.at(index),
                "bad-month",
                f"peak_months の「{month}」は月（1〜12 の整数）ではありません。",
                "このシナリオが3倍出やすくなる月を数字で書いてください。例: peak_months: [4, 5]",
            )
            return None
        result.append(month)
    return tuple(result)


def _parse_step(
    step: YamlMap, file: str, templates: _Templates, diags: Diagnostics
) -> tuple[Step, _Written, bool] | None:
    """The step, where its values were written, and whether all of them could be read (a value
    that could not be read was reported and is left at its default)."""
    check_keys(step, STEP_KEYS | {"use"}, set(), file, "step", diags)
    own = _step_values(step, file, diags)
    values: dict[str, Any] = {}
    if "use" in step:
        name = expect_name(step["use"], file, step.at("use"), "use", diags)
        if name is None:
            return None
        if name not in templates.values:
            known = sorted(templates.values)
            guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            diags.error(
                file,
                step.at("use"),
                "unknown-template",
                f"template「{name}」が common/simulation.yml にありません。",
                f"「{guess[0]}」のことですか？"
                if guess
                else f"使える template: {', '.join(known) or '（なし）'}。common/simulation.yml の templates に追加することもできます。",
            )
            return None
        values.update(templates.values[name])
    values.update(own)
    complete = len(own) == len(set(step) & STEP_KEYS)
    if not values.get("texts") and not values.get("button"):
        if complete:  # else the texts or button written here could not be read, and that was reported
            _empty_step(file, step.pos, diags)
        return None
    written = _Written(
        step.pos,
        step.at("expect") if "expect" in own else step.at("use"),
        step.at("button") if "button" in own else step.at("use"),
        expect_from_template="use" in step and "expect" not in own,
        button_from_template="use" in step and "button" not in own,
    )
    return _step(values), written, complete


def _step(values: Mapping[str, Any]) -> Step:
    return Step(**values)


def _step_values(step: YamlMap, file: str, diags: Diagnostics) -> dict[str, Any]:
    """The Step fields written in ``step`` that could be read (problems go to ``diags``)."""
    values: dict[str, Any] = {}
    if "texts" in step:
        texts = _texts(step["texts"], file, step.at("texts"), diags)
        if texts is not None:
            values["texts"] = texts
    if "button" in step:
        button = step["button"]
        if isinstance(button, str) and button.strip():
            values["button"] = button
        else:
            diags.error(
                file,
                step.at("button"),
                "bad-button",
                "button には押すボタンを文字列で書いてください。",
                "「/intent 名」（例: /auto_tax_payment）、ボタンの文字の最初の部分（例: 訪問販売）、"
                'どれでもよいときは "*" と書きます。',
            )
    if "expect" in step:
        expect = expect_name(step["expect"], file, step.at("expect"), "expect", diags)
        if expect is not None:
            values["expect"] = expect
    for key in PROBABILITIES:
        if key not in step:
            continue
        value = step[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            diags.error(
                file,
                step.at(key),
                "bad-probability",
                f"{key} の値「{value}」は 0 から 1 の数で書いてください。",
                f"{_MEANING[key]}。例: {key}: 0.3",
            )
            continue
        values[key] = float(value)
    return values


_MEANING = {
    "chance": "住民がこのステップを送る確率です（書かなければ 1.0＝必ず送る）",
    "rate": f"答えを評価する確率です（書かなければ {DEFAULT_RATE}）",
    "helpful": f"その評価が「役に立った」になる確率です（書かなければ {DEFAULT_HELPFUL}）",
}


def _texts(value: Any, file: str, at: Position, diags: Diagnostics) -> tuple[str, ...] | None:
    items = expect_list(value, file, at, "texts", diags)
    if items is None:
        return None
    if not items:
        diags.error(
            file,
            at,
            "empty-texts",
            "texts が空です。",
            "住民が入力する文を「- 」で始まる行で1つ以上書いてください。",
        )
        return None
    result = []
    for index, text in enumerate(items):
        if isinstance(text, str) and text.strip():
            result.append(text)
            continue
        kind = "空" if text is None or (isinstance(text, str)) else f"文字列でない値（{_kind(text)}）"
        diags.error(
            file,
            items.at(index),
            "bad-text",
            f"texts の文が{kind}です。",
            '住民が入力する文を書いてください。yes・no・on・off、日付や数だけの文は "…" で囲みます（例: - "10"）。',
        )
        return None
    return tuple(result)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, date):
        return "日付"
    if isinstance(value, int | float):
        return "数"
    return (
        "リスト"
        if isinstance(value, YamlList)
        else "マッピング"
        if isinstance(value, YamlMap)
        else type(value).__name__
    )


def _empty_step(file: str, at: Position, diags: Diagnostics) -> None:
    diags.error(
        file,
        at,
        "empty-step",
        "このステップには texts も button もありません。",
        "住民が入力する文を texts に、押すボタンを button に書いてください。",
    )


def _check_unique_names(files: list[_File], diags: Diagnostics) -> None:
    seen: dict[str, tuple[str, Position]] = {}
    for parsed in files:
        for read in parsed.read:
            script, at = read.script, read.at
            if not script.name:
                continue
            if script.name in seen:
                first_file, first_at = seen[script.name]
                diags.error(
                    parsed.file,
                    at,
                    "duplicate-script",
                    f"script「{script.name}」は {first_file} の {first_at[0]} 行目にもあります。",
                    "シナリオの名前はすべての bot を通して一つにしてください（例: 先頭に bot の id を付ける）。",
                )
            else:
                seen[script.name] = (parsed.file, at)


# ---- checks against the pack ----------------------------------------------------------------------
def _check_against_pack(parsed: _File, pack: Pack, common: Pack | None, diags: Diagnostics) -> None:
    for read in parsed.read:
        script, language_at = read.script, read.language_at
        if script.language not in pack.bot.languages:
            diags.error(
                parsed.file,
                language_at,
                "bad-language",
                f"bot「{pack.id}」は言語「{script.language}」で答えません（bot.yml の languages: {', '.join(pack.bot.languages)}）。",
                f"language を {' か '.join(pack.bot.languages)} にしてください。",
            )
        for step, where in zip(script.steps, read.written, strict=True):
            _check_step(step, where, pack, common, parsed.file, diags)


def _check_step(
    step: Step, where: _Written, pack: Pack, common: Pack | None, file: str, diags: Diagnostics
) -> None:
    responses = (
        set(pack.responses) | (set(common.responses) if common else set()) | set(ENGINE_TEXT_RESPONSES)
    )
    # a template's own mistake is reported once, in common/simulation.yml, not at every use
    template_wrong = where.expect_from_template and common is not None and step.expect not in common.responses
    if step.expect is not None and step.expect not in responses and not template_wrong:
        guess = difflib.get_close_matches(step.expect, sorted(responses), n=1, cutoff=0.6)
        diags.error(
            file,
            where.expect_at,
            "unknown-response",
            f"expect の応答「{step.expect}」は bot「{pack.id}」にありません{'（common も含めて）' if common else ''}。",
            f"「{guess[0]}」のことですか？"
            if guess
            else f"{pack.id}/responses.yml にある応答の名前（utter_…）を書くか、行き先が決まらないステップなら expect を消してください。",
        )
    if step.button is None or step.button == ANY_BUTTON:
        return
    if where.button_from_template and common is not None and not _button_known(step.button, common, None):
        return  # the template's own mistake, reported in common/simulation.yml
    if step.button.startswith("/"):
        matched = BUTTON_PAYLOAD.match(step.button)
        intents = set(pack.intents) | (set(common.intents) if common else set())
        if matched is None:
            diags.error(
                file,
                where.button_at,
                "bad-payload",
                f"button「{step.button}」はボタンの payload として読めません。",
                "「/intent 名」の形で書いてください（例: /auto_tax_payment）。",
            )
        elif matched["intent"] not in intents:
            guess = difflib.get_close_matches(matched["intent"], sorted(intents), n=1, cutoff=0.6)
            diags.error(
                file,
                where.button_at,
                "unknown-intent",
                f"button の intent「{matched['intent']}」は bot「{pack.id}」にありません。",
                f"「/{guess[0]}」のことですか？"
                if guess
                else f"{pack.id}/nlu.yml にある intent の名前を書いてください。",
            )
        return
    if not _button_known(step.button, pack, common):
        titles = sorted(_titles(pack) | (_titles(common) if common else set()))
        guess = difflib.get_close_matches(step.button, titles, n=3, cutoff=0.4)
        diags.error(
            file,
            where.button_at,
            "unknown-button",
            f"「{step.button}」で始まる文字のボタンは bot「{pack.id}」の応答にありません（押されずに texts が入力されます）。",
            f"候補: {'、'.join(guess)}"
            if guess
            else "responses.yml のボタンの title の最初の部分か「/intent 名」を書いてください。",
        )


def _button_known(button: str, pack: Pack, common: Pack | None) -> bool:
    if button.startswith("/"):
        matched = BUTTON_PAYLOAD.match(button)
        intents = set(pack.intents) | (set(common.intents) if common else set())
        return matched is not None and matched["intent"] in intents
    titles = _titles(pack) | (_titles(common) if common else set())
    return any(title.startswith(button) for title in titles)


def _titles(pack: Pack) -> set[str]:
    return {
        button.title
        for response in pack.responses.values()
        for variants in response.variants.values()
        for variant in variants
        for button in variant.buttons
    }
