"""Packs as versions: store, validate, diff and activate one bot's pack.

Every change goes through the validator the runtime uses, run over ALL active packs with this bot's
files replaced, so cross-pack checks (an example under two intents in two packs) apply before
anything is stored. The caller commits and then asks the worker to reload. Adding one example to
nlu.yml as text is :mod:`admin.pack_text`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from core.errors import AppError, with_error_fields
from core.pack_versions import active_sources, files_digest
from core.storage.models import PackVersion, utcnow
from shared_nlu.pack import Diagnostic, Diagnostics, Pack, Severity, validate_packs
from shared_nlu.pack.loader import PACK_FILES
from shared_nlu.pack.simulation import SIMULATION_FILE
from shared_nlu.pack.yaml_source import report_surrogates

from . import audit, lanes
from .auth import Principal

T = TypeVar("T")
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_PACK_BYTES = 1_000_000  # a whole pack is ~50 kB today; a megabyte is a paste error, not a pack


class PackInvalid(AppError):
    """422 listing every problem: errors in any pack (cross-pack checks) and this bot's warnings."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        first = errors[0].format().splitlines()[0] if errors else ""
        super().__init__(
            422,
            "pack_invalid",
            f"パックにエラーが {len(errors)} 件あります。何も保存していません。最初のエラー: {first}",
            f"The pack has {len(errors)} error(s); nothing was stored. First: {first}",
        )

    def body(self, language: str = "ja") -> dict[str, object]:
        return with_error_fields(super().body(language), diagnostics=[d.to_dict() for d in self.diagnostics])


def refusal_detail(exc: AppError) -> dict[str, object]:
    """Why a change was refused, for the audit log: codes and places, never the files' text
    (a message may quote a line, and a line may be a resident's question pasted in)."""
    detail: dict[str, object] = {"status": exc.status, "code": exc.code}
    diagnostics = getattr(exc, "diagnostics", None)
    if diagnostics:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        detail["errors"] = len(errors)
        detail["problems"] = [f"{d.file}:{d.line} {d.code}" for d in errors[:20]]
    if isinstance(exc, lanes.LaneCollision):
        detail["collisions"] = exc.pairs
    return detail


@dataclass(frozen=True)
class Saved:
    """The version now active and the validator's warnings for this bot."""

    version: int
    warnings: list[Diagnostic]
    activated: bool = True


def versions(session: Session, bot_id: str) -> list[PackVersion]:
    """Newest first, without the (large) files and diffs."""
    query = (
        select(PackVersion)
        .where(PackVersion.bot_id == bot_id)
        .options(defer(PackVersion.files), defer(PackVersion.diff))
        .order_by(PackVersion.version.desc())
    )
    return list(session.scalars(query))


def version(session: Session, bot_id: str, number: int) -> PackVersion:
    row = session.scalars(
        select(PackVersion).where(PackVersion.bot_id == bot_id, PackVersion.version == number)
    ).first()
    if row is None:
        raise AppError(
            404,
            "version_not_found",
            f"ボット「{bot_id}」にバージョン {number} はありません。",
            f"Bot {bot_id!r} has no version {number}.",
        )
    return row


def active(session: Session, bot_id: str) -> PackVersion:
    row = session.scalars(
        select(PackVersion).where(PackVersion.bot_id == bot_id, PackVersion.active.is_(True))
    ).first()
    if row is None:
        raise AppError(
            404,
            "no_active_version",
            f"ボット「{bot_id}」に有効なバージョンがありません。",
            f"Bot {bot_id!r} has no active version.",
        )
    return row


def check_file_names(names: list[str]) -> None:
    unknown = [shown(name) for name in names if name not in PACK_FILES]
    if unknown:
        # simulation.yml sits beside the pack files on disk, so it is the one an editor may upload
        demo = SIMULATION_FILE in names
        raise AppError(
            422,
            "not_a_pack_file",
            f"パックのファイルではありません: {', '.join(unknown)}。使えるファイル: {', '.join(PACK_FILES)}"
            + (
                "。simulation.yml は madoguchi simulate の模擬会話で、パックのバージョンには入れません（bots/<bot>/ で編集します）"
                if demo
                else ""
            ),
            f"Not pack files: {', '.join(unknown)}. Pack files are {', '.join(PACK_FILES)}."
            + (
                " simulation.yml holds the conversations of madoguchi simulate; it is no part of a pack version"
                " (edit it in bots/<bot>/)."
                if demo
                else ""
            ),
        )


def check_comment(comment: str | None) -> None:
    """A version's comment is stored as text: no lone surrogate, no control character."""
    if comment is not None and _UNSTORABLE.search(comment):
        raise AppError(
            422,
            "invalid_comment",
            "コメントに文字として読めないコードか制御文字があります。消してから送り直してください。",
            "The comment contains a lone surrogate or a control character; remove it and send again.",
        )


def shown(text: str) -> str:
    """``text`` as it may be echoed in an error: a lone surrogate cannot be sent as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def save(
    session: Session,
    principal: Principal,
    bot_id: str,
    changes: dict[str, str | None],
    comment: str | None,
    lane_check: lanes.LaneCheck | None = None,
    *,
    activate: bool = True,
    base_version: int | None = None,
) -> Saved:
    """Store the base version's files with ``changes`` applied (None removes an optional file) as a new
    version: active at once, or a draft (``activate=False``) that residents do not see until it is
    activated. The base is ``base_version``, else the active version, else the newest draft."""
    check_file_names(list(changes))
    check_comment(comment)
    lanes.check_approver(principal, lane_check)
    _check_characters(bot_id, changes)

    def prepare(base: PackVersion) -> tuple[dict[str, str], list[Diagnostic]]:
        files = apply_changes(base.files, changes)
        if sum(len(text.encode()) for text in files.values()) > MAX_PACK_BYTES:
            raise AppError(
                413,
                "pack_too_large",
                f"パックが大きすぎます（上限 {MAX_PACK_BYTES // 1000} kB）。",
                f"The pack is too large (limit {MAX_PACK_BYTES // 1000} kB).",
            )
        if files == base.files:
            raise AppError(
                409,
                "pack_unchanged",
                f"バージョン {base.version} と同じ内容です。保存していません。",
                f"The files are the same as version {base.version}; nothing was stored.",
            )
        return files, validate(session, principal, bot_id, files, lane_check)

    def base() -> PackVersion:
        return (
            version(session, bot_id, base_version) if base_version is not None else base_of(session, bot_id)
        )

    based_on, (files, warnings) = prepare_then_lock(session, bot_id, prepare, base)
    diff = pack_diff(based_on.files, files)
    row = insert_version(session, bot_id, files, principal.name, comment, diff, activate=activate)
    audit.record(
        session,
        principal,
        "pack.upload" if activate else "pack.draft",
        f"bot:{bot_id}",
        {"version": row.version, "based_on": based_on.version, "files": sorted(changes)},
    )
    return Saved(row.version, warnings, activated=activate)


def apply_changes(files: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    """``files`` with ``changes`` applied: a text replaces or adds a file, None removes it."""
    changed = {**files, **{name: text for name, text in changes.items() if text is not None}}
    return {name: text for name, text in changed.items() if changes.get(name, "") is not None}


def base_of(session: Session, bot_id: str) -> PackVersion:
    """What a change builds on: the active version, or for a bot never activated its newest draft."""
    row = session.scalars(
        select(PackVersion).where(PackVersion.bot_id == bot_id, PackVersion.active.is_(True))
    ).first()
    if row is None:
        row = session.scalars(
            select(PackVersion).where(PackVersion.bot_id == bot_id).order_by(PackVersion.version.desc())
        ).first()
    if row is None:
        raise AppError(
            404, "unknown_bot", f"ボット「{bot_id}」はありません。", f"There is no bot {bot_id!r}."
        )
    return row


def activate(
    session: Session,
    principal: Principal,
    bot_id: str,
    number: int,
    lane_check: lanes.LaneCheck | None = None,
    quality: dict[str, object] | None = None,
) -> Saved:
    """Roll back (or forward) to ``number``, re-validated against the other packs as they are now.
    ``quality``: the figures measured for a draft, kept in the audit entry with who activated it."""
    lanes.check_approver(principal, lane_check)

    def prepare(_: PackVersion) -> tuple[PackVersion, list[Diagnostic]]:
        row = version(session, bot_id, number)
        if row.active:
            raise AppError(
                409,
                "already_active",
                f"バージョン {number} はすでに有効です。",
                f"Version {number} is already active.",
            )
        return row, validate(session, principal, bot_id, row.files, lane_check)

    # a bot opened in the admin has no active version before its first activation
    _, (row, warnings) = prepare_then_lock(session, bot_id, prepare, lambda: base_of(session, bot_id))
    current = session.scalar(
        select(PackVersion.version).where(PackVersion.bot_id == bot_id, PackVersion.active.is_(True))
    )
    _deactivate(session, bot_id)
    row.active, row.activated_at = True, utcnow()
    audit.record(
        session,
        principal,
        "pack.activate",
        f"bot:{bot_id}",
        {"version": number, "previous": current, **({"quality": quality} if quality else {})},
    )
    return Saved(number, warnings)


def prepare_then_lock(
    session: Session,
    bot_id: str,
    prepare: Callable[[PackVersion], T],
    base: Callable[[], PackVersion] | None = None,
    attempts: int = 3,
) -> tuple[PackVersion, T]:
    """``prepare(base version)`` (default: the active one), then :func:`lock` — and if another
    change became active in the meantime, start again from it, so concurrent changes build on each other.

    Validation, and the lane check's training above all, take seconds: they run before the lock,
    which on SQLite is the whole database's only writer (residents' messages wait for it).
    """
    for _ in range(attempts):
        live = _active_id(session, bot_id)
        based_on = base() if base is not None else active(session, bot_id)
        prepared = prepare(based_on)
        lock(session, bot_id)
        if _active_id(session, bot_id) == live:
            return based_on, prepared
        session.rollback()  # releases the lock; nothing of this change was written yet
    raise _concurrent_change()


def _active_id(session: Session, bot_id: str) -> int | None:
    return session.scalar(
        select(PackVersion.id).where(PackVersion.bot_id == bot_id, PackVersion.active.is_(True))
    )


def validate(
    session: Session,
    principal: Principal,
    bot_id: str,
    files: dict[str, str],
    lane_check: lanes.LaneCheck | None = None,
) -> list[Diagnostic]:
    """Validate every active pack with ``bot_id``'s files replaced; PackInvalid on any error,
    LaneCollision when the version would take other bots' questions (see :mod:`admin.lanes`)."""
    sources, _ = active_sources(session)
    sources[bot_id] = {name: text.encode("utf-8") for name, text in files.items()}
    packs, diags = validate_packs(sources)  # the bot id is the folder name: bot.yml's id must match it
    mine = [d for d in diags.sorted() if d.file.startswith(f"{bot_id}/")]
    if not diags.ok:
        # a duplicate is reported in whichever pack sorts later, so other packs' errors are listed too
        others = [d for d in diags.sorted() if d.severity is Severity.ERROR and d not in mine]
        raise PackInvalid(mine + others)
    _check_department(principal, bot_id, packs[bot_id])
    lanes.enforce(session, principal, bot_id, packs, lane_check)
    return [d for d in mine if d.severity is Severity.WARNING]


def pack_diff(old: dict[str, str], new: dict[str, str]) -> str:
    """A unified diff, file by file, with git's ``a/`` ``b/`` headers (``/dev/null`` for added/removed)."""
    parts: list[str] = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before != after:
            parts.extend(
                difflib.unified_diff(
                    _lines(before),
                    _lines(after),
                    f"a/{name}" if before is not None else "/dev/null",
                    f"b/{name}" if after is not None else "/dev/null",
                )
            )
    return "".join(parts)


def lock(session: Session, bot_id: str) -> None:
    """Serialise changes to one bot: a concurrent change waits, then sees this one's version."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks; a write (even one touching no row) takes the database's write lock now
        session.execute(update(PackVersion).where(PackVersion.id == -1).values(active=False))
    else:
        session.execute(
            select(PackVersion.id)
            .where(PackVersion.bot_id == bot_id)
            .order_by(PackVersion.id)
            .with_for_update()
        )


def insert_version(
    session: Session,
    bot_id: str,
    files: dict[str, str],
    author: str,
    comment: str | None,
    diff: str,
    activate: bool = True,
) -> PackVersion:
    """Add ``files`` as ``bot_id``'s next version, active in place of the current one (or a draft).

    Call after :func:`lock` and :func:`validate`; raises 409 ``concurrent_change`` if another
    worker stored the same version number first.
    """
    latest = session.scalar(select(func.max(PackVersion.version)).where(PackVersion.bot_id == bot_id))
    row = PackVersion(
        bot_id=bot_id,
        version=(latest or 0) + 1,
        files=files,
        digest=files_digest(files),
        author=author,
        comment=comment,
        diff=diff,
        active=activate,
        activated_at=utcnow() if activate else None,
    )
    try:
        with session.begin_nested():  # the unique (bot_id, version) is the last guard behind lock()
            if activate:
                _deactivate(session, bot_id)
            session.add(row)
    except IntegrityError as exc:
        raise _concurrent_change() from exc
    return row


def _concurrent_change() -> AppError:
    return AppError(
        409,
        "concurrent_change",
        "同時に別の変更が保存されました。最新のバージョンを読み込んでからやり直してください。",
        "Another change was saved at the same time. Reload the latest version and try again.",
    )


def _check_characters(bot_id: str, changes: dict[str, str | None]) -> None:
    """A lone surrogate (``"\\ud800"`` in the JSON) is no character and cannot be stored: say where."""
    diagnostics = Diagnostics()
    for name, text in sorted(changes.items()):
        if text is not None:
            report_surrogates(text, f"{bot_id}/{name}", diagnostics)
    if not diagnostics.ok:
        raise PackInvalid(diagnostics.sorted())


def _deactivate(session: Session, bot_id: str) -> None:
    session.execute(
        update(PackVersion)
        .where(PackVersion.bot_id == bot_id, PackVersion.active.is_(True))
        .values(active=False)
    )


def _check_department(principal: Principal, bot_id: str, pack: Pack) -> None:
    # the department in bot.yml decides who may edit the bot; a department token may not give it away
    if principal.role == "department" and pack.bot.department != principal.department:
        raise AppError(
            403,
            "department_change",
            f"bot.yml の department は「{principal.department}」のままにしてください。",
            f"bot.yml's department must stay {principal.department!r}; ask the strategy department to move {bot_id!r}.",
        )


def _lines(text: str | None) -> list[str]:
    if text is None:
        return []
    lines = re.findall(r"[^\n]*\n|[^\n]+\Z", text)
    return [line if line.endswith("\n") else line + "\n" for line in lines]
