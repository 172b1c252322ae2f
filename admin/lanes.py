"""Departments stay in their lane: the policy for a pack version that takes another bot's questions.

The measuring is :mod:`shared_nlu.nlu.lanes`. Here: a collision refuses the change with 409 and
every colliding example at its file:line, unless a strategy-role user approves the overlap
(``?allow_overlap=true``); the approval is written to the audit log with the intents it moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.errors import AppError, with_error_fields
from shared_nlu.nlu.engine import NluEngine
from shared_nlu.nlu.lanes import Collision, lane_collisions, summary
from shared_nlu.pack import Diagnostic, Pack, PackSet

from . import audit
from .auth import Principal

APPROVER_ROLE = "strategy"
log = logging.getLogger("madoguchi.admin")


@dataclass(frozen=True)
class LaneCheck:
    """What the check needs from the running worker: the model it serves and a way to train
    one (the worker's, which caches the model, so the reload after the change reuses it)."""

    served: NluEngine
    train: Callable[[PackSet], NluEngine]
    allow_overlap: bool = False


class LaneCollision(AppError):
    """409 naming the intents the change would take and each example at its file:line."""

    def __init__(self, bot_id: str, collisions: list[Collision]) -> None:
        self.diagnostics: list[Diagnostic] = [c.diagnostic() for c in collisions]
        self.pairs = summary(collisions)
        taken = "、".join(dict.fromkeys(f"{c.owner} の「{c.owner_intent}」" for c in collisions))
        first = self.diagnostics[0].format().splitlines()[0]
        super().__init__(
            409,
            "lane_collision",
            f"このバージョンは他のボットの質問を引き取ってしまいます（{taken}、例文 {len(collisions)} 件）。"
            f"何も保存していません。最初の例文: {first}",
            f"This version would take questions of other bots ({', '.join(self.pairs)}); nothing was stored. "
            f"First: {first}",
        )

    def body(self, language: str = "ja") -> dict[str, object]:
        diagnostics = [d.to_dict() for d in self.diagnostics]
        return with_error_fields(super().body(language), collisions=self.pairs, diagnostics=diagnostics)


def check_approver(principal: Principal, check: LaneCheck | None) -> None:
    """Only the strategy department may approve an overlap; asking for it otherwise is refused
    before anything is trained."""
    if check is not None and check.allow_overlap and principal.role != APPROVER_ROLE:
        raise AppError(
            403,
            "overlap_needs_strategy",
            "他のボットと重なる変更の承認（allow_overlap）はスマートシティ戦略部（strategy）だけができます。",
            "Only a strategy-role token may approve an overlap with other bots (allow_overlap).",
        )


def enforce(
    session: Session,
    principal: Principal,
    bot_id: str,
    packs: dict[str, Pack],
    check: LaneCheck | None,
) -> None:
    """Refuse ``bot_id``'s new version in ``packs`` if it takes other bots' questions; with an
    approved overlap, let it through and record what moved in the audit log."""
    if check is None:
        return
    check_approver(principal, check)
    try:
        candidate = check.train(PackSet(packs))
    except Exception as exc:  # a version that cannot be trained could never serve: nothing is stored
        log.error("training a pack version of %s failed: %s", bot_id, exc.__class__.__name__)
        raise AppError(
            422,
            "training_failed",
            "このバージョンで学習できませんでした。何も保存していません。今のバージョンのまま答え続けます。"
            "繰り返すときは例文の数や書き方を見直し、スマートシティ戦略部に連絡してください。",
            "The bots could not be trained on this version; nothing was stored and the current version keeps "
            "answering. If it happens again, check the examples and tell the strategy department.",
        ) from exc
    collisions = lane_collisions([bot_id], check.served, candidate)
    if not collisions:
        return
    if not check.allow_overlap:
        raise LaneCollision(bot_id, collisions)
    audit.record(
        session,
        principal,
        "pack.overlap_approved",
        f"bot:{bot_id}",
        {"collisions": summary(collisions), "examples": len(collisions)},
    )
