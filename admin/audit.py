"""The audit log: every change through the admin API or command line (who, what, when)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.storage.models import AuditEntry

from .auth import Principal


def record(
    session: Session, actor: Principal | str, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Add an entry in the caller's transaction, so a change and its audit entry commit together.

    ``detail`` must not hold secrets or residents' text: token values never go here.
    """
    name, role = (actor.name, actor.role) if isinstance(actor, Principal) else (actor, "cli")
    session.add(AuditEntry(actor=name, role=role, action=action, target=target[:200], detail=detail or {}))
