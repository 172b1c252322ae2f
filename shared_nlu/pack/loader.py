"""Load packs: files → validated :class:`Pack` objects, or every problem found on the way.

Packs come from folders on disk (``bots/``) or from versions stored by the admin service, so the
loader works on file contents (name → bytes); both paths go through the same validator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..clock import today_in_japan
from ..constants import ACTION_CONTRACTS, COMMON_BOT, FALLBACK_INTENT, ActionContract
from .checks import Positions, check_duplicate_examples, check_pack
from .diagnostics import Diagnostic, Diagnostics, PackError
from .model import Pack
from .near_misses import check_near_miss_duplicates
from .parse_bot import parse_bot
from .parse_dialogue import parse_forms, parse_rules, parse_stories
from .parse_faq import parse_faq
from .parse_nlu import parse_nlu
from .parse_responses import parse_responses
from .yaml_source import parse_yaml_text

PACK_FILES = ("bot.yml", "nlu.yml", "responses.yml", "rules.yml", "forms.yml", "tests.yml", "faq.yml")
REQUIRED_FILES = ("bot.yml", "nlu.yml", "responses.yml")


@dataclass(frozen=True)
class PackSet:
    """Every bot's pack, keyed by bot id, and a hash of all their files (the model's identity)."""

    packs: dict[str, Pack]
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def common(self) -> Pack | None:
        return self.packs.get(COMMON_BOT)

    @property
    def digest(self) -> str:
        return packs_digest(self.packs.values())

    def bots(self) -> list[Pack]:
        """Packs residents talk to (every pack except ``common``)."""
        return [p for bot_id, p in sorted(self.packs.items()) if bot_id != COMMON_BOT]


def packs_digest(packs: Iterable[Pack]) -> str:
    """SHA-256 over every file of every pack: a trained model belongs to exactly one digest."""
    digest = hashlib.sha256()
    for pack in sorted(packs, key=lambda p: p.id):
        for name, text in sorted(pack.source.items()):
            digest.update(f"{pack.id}/{name}\0{text}\0".encode())
    return digest.hexdigest()


def read_pack_folder(folder: Path) -> dict[str, bytes]:
    """The pack files present in ``folder`` (missing optional files are simply absent)."""
    return {name: (folder / name).read_bytes() for name in PACK_FILES if (folder / name).is_file()}


def find_pack_folders(paths: list[Path]) -> list[Path]:
    """Each path is a pack folder (has bot.yml) or a folder of pack folders such as ``bots/``."""
    folders: list[Path] = []
    for path in paths:
        if (path / "bot.yml").is_file():
            folders.append(path)
        elif path.is_dir():
            folders.extend(sorted(p for p in path.iterdir() if (p / "bot.yml").is_file()))
    return folders


def parse_pack(
    bot_id: str, files: Mapping[str, bytes], diags: Diagnostics, today: date | None = None
) -> tuple[Pack | None, Positions]:
    """Parse one pack's files; problems go to ``diags``. Cross-pack checks happen in :func:`validate_packs`."""
    where = Positions()
    texts: dict[str, str] = {}
    data: dict[str, object] = {}
    for name in REQUIRED_FILES:
        if name not in files:
            diags.error(
                f"{bot_id}/{name}",
                (0, 0),
                "missing-file",
                f"{name} がありません。",
                "docs/pack-format.md の例を参考に作成してください。",
            )
    for name, raw in files.items():
        display = f"{bot_id}/{name}"
        if name not in PACK_FILES:
            diags.warning(
                display,
                (0, 0),
                "unknown-file",
                f"{name} はパックのファイルとして読みません。",
                f"使えるファイル: {', '.join(PACK_FILES)}",
            )
            continue
        try:
            texts[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            where.unreadable.add(name)
            diags.error(
                display,
                (line, 1),
                "not-utf8",
                f"ファイルが UTF-8 ではありません（{exc.start} バイト目）。",
                "エディタで文字コードを「UTF-8」にして保存し直してください（Shift_JIS は読めません）。",
            )
            continue
        data[name] = parse_yaml_text(texts[name], display, diags)
        if data[name] is None:
            where.unreadable.add(name)
    bot = (
        parse_bot(data["bot.yml"], f"{bot_id}/bot.yml", bot_id, diags)
        if data.get("bot.yml") is not None
        else None
    )
    nlu = (
        parse_nlu(data.get("nlu.yml"), f"{bot_id}/nlu.yml", diags)
        if data.get("nlu.yml") is not None
        else None
    )
    responses = (
        parse_responses(data["responses.yml"], f"{bot_id}/responses.yml", diags)
        if data.get("responses.yml") is not None
        else {}
    )
    rules = (
        parse_rules(data["rules.yml"], f"{bot_id}/rules.yml", diags)
        if data.get("rules.yml") is not None
        else {}
    )
    forms = (
        parse_forms(data["forms.yml"], f"{bot_id}/forms.yml", diags)
        if data.get("forms.yml") is not None
        else {}
    )
    stories = (
        parse_stories(data["tests.yml"], f"{bot_id}/tests.yml", diags)
        if data.get("tests.yml") is not None
        else []
    )
    faq = parse_faq(data["faq.yml"], f"{bot_id}/faq.yml", diags) if data.get("faq.yml") is not None else None
    if bot is None or nlu is None:
        return None, where
    if faq is not None:
        for name in sorted(set(faq.intents) & set(nlu.intents)):
            diags.error(
                f"{bot_id}/faq.yml",
                (1, 1),
                "duplicate-intent",
                f"intent「{name}」が nlu.yml と faq.yml の両方にあります。",
                "faq.yml の id を変えてください。",
            )
        nlu.intents = {**faq.intents, **nlu.intents}
        responses = {**{k: (v, (1, 1)) for k, v in faq.responses.items()}, **responses}
    where.intents = nlu.intent_pos
    where.responses = {name: at for name, (_, at) in responses.items()}
    where.rules = {name: at for name, (_, at) in rules.items()}
    where.forms = {name: at for name, (_, at) in forms.items()}
    pack = Pack(
        bot=bot,
        intents=nlu.intents,
        responses={name: r for name, (r, _) in responses.items()},
        synonyms=tuple(nlu.synonyms),
        regexes=nlu.regexes,
        lookups=nlu.lookups,
        forms={name: f for name, (f, _) in forms.items()},
        rules={name: r for name, (r, _) in rules.items()},
        stories=tuple(stories),
        faq_intents=frozenset(faq.intents) if faq is not None else frozenset(),
        source=texts,
    )
    return pack, where


def validate_packs(
    sources: Mapping[str, Mapping[str, bytes]],
    today: date | None = None,
    actions: Mapping[str, ActionContract] = ACTION_CONTRACTS,
) -> tuple[dict[str, Pack], Diagnostics]:
    """Parse and cross-check every pack. ``sources`` maps bot id → file name → contents;
    ``actions`` are the Python actions packs may call, by name (by default the engine's own)."""
    today = today or today_in_japan()  # valid_until dates are days in Japan
    diags = Diagnostics()
    parsed: dict[str, tuple[Pack, Positions]] = {}
    for bot_id, files in sorted(sources.items()):
        pack, where = parse_pack(bot_id, files, diags, today)
        if pack is not None:
            parsed[bot_id] = (pack, where)
    common = parsed.get(COMMON_BOT, (None, None))[0]
    for pack, where in parsed.values():
        if pack.bot.include_common and pack.id != COMMON_BOT and common is None and COMMON_BOT not in sources:
            diags.error(
                f"{pack.id}/bot.yml",
                (1, 1),
                "no-common",
                "共通パック common が見つかりません。",
                "bots/common を一緒に読み込むか、「include_common: false」にしてください。",
            )
        for routed in pack.bot.routes_to:
            if routed not in sources:
                diags.error(
                    f"{pack.id}/bot.yml",
                    (1, 1),
                    "unknown-bot",
                    f"routes_to の bot「{routed}」がありません。",
                    f"読み込んだ bot: {', '.join(sorted(sources))}",
                )
        check_pack(pack, common, where, actions, today, diags)
    check_duplicate_examples([p for p, _ in parsed.values()], {k: w for k, (_, w) in parsed.items()}, diags)
    check_near_miss_duplicates([p for p, _ in parsed.values()], diags)
    _check_stories({k: p for k, (p, _) in parsed.items()}, diags)
    return {k: p for k, (p, _) in parsed.items()}, diags


def _check_stories(packs: dict[str, Pack], diags: Diagnostics) -> None:
    common = packs.get(COMMON_BOT)
    for pack in packs.values():
        own = set(pack.intents) | (set(common.intents) if common and pack.bot.include_common else set())
        for story in pack.stories:
            for step in story.steps:
                at = (step.line, 1)
                if step.bot and step.bot not in packs:
                    diags.error(
                        f"{pack.id}/tests.yml", at, "unknown-bot", f"テストの bot「{step.bot}」がありません。"
                    )
                    continue
                target = packs.get(step.bot) if step.bot else None
                known = own | (set(target.intents) if target else set()) | {FALLBACK_INTENT}
                if step.intent and step.intent not in known:
                    diags.error(
                        f"{pack.id}/tests.yml",
                        at,
                        "unknown-intent",
                        f"テストの intent「{step.intent}」はこの bot にありません。",
                        "別の bot の intent なら「bot: その bot の id」も書いてください。",
                    )


def load_packs(paths: list[Path], today: date | None = None) -> PackSet:
    """Load and validate every pack under ``paths``; raise :class:`PackError` listing all errors."""
    folders = find_pack_folders(paths)
    if not folders:
        raise PackError([])
    sources = {folder.name: read_pack_folder(folder) for folder in folders}
    packs, diags = validate_packs(sources, today)
    if not diags.ok:
        raise PackError(diags.sorted())
    for folder in folders:
        packs[folder.name] = _with_path(packs[folder.name], folder)
    return PackSet(packs, tuple(diags.warnings))


def _with_path(pack: Pack, folder: Path) -> Pack:
    from dataclasses import replace

    return replace(pack, path=folder)
