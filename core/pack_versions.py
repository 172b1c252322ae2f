"""Where the running service gets its packs: the active version of each bot in the database.

On first start the database has no versions; each folder in ``bots/`` becomes version 1 of its
bot. From then on the admin API adds versions and activates one per bot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_nlu.nlu.engine import NluEngine
from shared_nlu.pack import PackSet, find_pack_folders, read_pack_folder

from .storage.models import PackVersion, utcnow

Sources = dict[str, dict[str, bytes]]


def files_digest(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name, text in sorted(files.items()):
        digest.update(f"{name}\0{text}\0".encode())
    return digest.hexdigest()


def seed_from_disk(session: Session, bots_dir: Path, author: str = "bots/") -> list[str]:
    """Store each pack folder as version 1 of a bot that has no version yet; return those bots."""
    known = set(session.scalars(select(PackVersion.bot_id).distinct()))
    seeded = []
    for folder in find_pack_folders([bots_dir]):
        if folder.name in known:
            continue
        files = {name: raw.decode("utf-8") for name, raw in read_pack_folder(folder).items()}
        session.add(
            PackVersion(
                bot_id=folder.name,
                version=1,
                files=files,
                digest=files_digest(files),
                author=author,
                comment="initial version from bots/",
                active=True,
                activated_at=utcnow(),
            )
        )
        seeded.append(folder.name)
    session.flush()
    return seeded


def active_versions(session: Session) -> list[PackVersion]:
    return list(
        session.scalars(select(PackVersion).where(PackVersion.active.is_(True)).order_by(PackVersion.bot_id))
    )


def active_sources(session: Session) -> tuple[Sources, str]:
    """The active files of every bot, and a fingerprint that changes when any activation changes."""
    versions = active_versions(session)
    sources = {v.bot_id: {name: text.encode("utf-8") for name, text in v.files.items()} for v in versions}
    fingerprint = ",".join(f"{v.bot_id}:{v.version}" for v in versions)
    return sources, fingerprint


def active_fingerprint(session: Session) -> str:
    rows = session.execute(
        select(PackVersion.bot_id, PackVersion.version)
        .where(PackVersion.active.is_(True))
        .order_by(PackVersion.bot_id)
    )
    return ",".join(f"{bot}:{version}" for bot, version in rows)


def sync_from_disk(
    session: Session,
    bots_dir: Path,
    author: str = "bots/ (reload)",
    lanes: tuple[NluEngine, Callable[[PackSet], NluEngine]] | None = None,
) -> list[str]:
    """Store every pack folder whose files differ from its bot's active version as a new active
    version — after validating all packs together; raises PackError and stores nothing if any
    pack is invalid. This is what a reload signal does for operators who edit ``bots/`` on disk.

    With ``lanes`` (the served model and a way to train one), a change that would take other
    bots' questions is refused too (PackError with each example at its file:line): on disk
    nobody can approve it; a strategy-role user can, by uploading it through the admin API.
    """
    from shared_nlu.nlu.lanes import lane_collisions
    from shared_nlu.pack import PackError, validate_packs

    active = {v.bot_id: v for v in active_versions(session)}
    changed: dict[str, dict[str, str]] = {}
    for folder in find_pack_folders([bots_dir]):
        files = {
            name: raw.decode("utf-8", errors="replace") for name, raw in read_pack_folder(folder).items()
        }
        current = active.get(folder.name)
        if current is None or current.files != files:
            changed[folder.name] = files
    if not changed:
        return []
    sources = {bot: {n: t.encode() for n, t in v.files.items()} for bot, v in active.items()}
    sources.update({bot: {n: t.encode() for n, t in files.items()} for bot, files in changed.items()})
    packs, diagnostics = validate_packs(sources)
    if not diagnostics.ok:
        raise PackError(diagnostics.sorted())
    if lanes is not None:
        served, train = lanes
        collisions = lane_collisions(changed, served, train(PackSet(packs)))
        if collisions:
            raise PackError([c.diagnostic() for c in collisions])
    for bot, files in changed.items():
        previous = active.get(bot)
        number = (
            session.scalar(select(func.max(PackVersion.version)).where(PackVersion.bot_id == bot)) or 0
        ) + 1
        if previous is not None:
            previous.active = False
        session.add(
            PackVersion(
                bot_id=bot,
                version=number,
                files=files,
                digest=files_digest(files),
                author=author,
                comment="reloaded from bots/",
                active=True,
                activated_at=utcnow(),
            )
        )
    session.flush()
    return sorted(changed)
