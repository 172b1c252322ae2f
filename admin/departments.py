"""Which departments own a bot: the only departments a department token can be made for.

A department token is scoped to its department's bots (the ``department:`` of each bot's
``bot.yml``). Made for a department that owns none, or for a misspelling of one, it can do nothing
and hides the mistake; so ``create_token`` checks the name against this list.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.pack_versions import active_versions
from core.storage.models import Project
from shared_nlu.constants import COMMON_BOT


def departments_with_bots(session: Session, bots_dir: Path | None = None) -> list[str]:
    """The departments in the active pack versions' ``bot.yml``; before the first start stored any
    version (a fresh database), those of the packs in ``bots_dir``, which the first start will store."""
    texts = [v.files.get("bot.yml", "") for v in active_versions(session) if v.bot_id != COMMON_BOT]
    if not texts and bots_dir is not None and bots_dir.is_dir():
        texts = [
            path.read_text(encoding="utf-8")
            for path in sorted(bots_dir.glob("*/bot.yml"))
            if path.parent.name != COMMON_BOT
        ]
    # a bot opened in the admin owns its department before its first version is activated: the
    # department's token is what fills and activates it
    opened = session.scalars(
        select(Project.department).where(Project.source == "admin", Project.bot_id.is_not(None))
    )
    return sorted(set(_departments(texts)) | set(opened))


def _departments(texts: Iterable[str]) -> Iterable[str]:
    for text in texts:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:  # a stored version was validated; a file on disk may not be yet
            continue
        department = data.get("department") if isinstance(data, dict) else None
        if isinstance(department, str) and department.strip():
            yield department.strip()
