"""Who the calling token is (``/admin/api/v1/me``): what the dashboard shows and offers."""

from __future__ import annotations

from typing import Literal, cast

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core.web.deps import ServicesDep
from core.web.error_schemas import error_responses

from ..projects import unserved_bots
from .deps import PrincipalDep, SessionDep

# any token may ask about itself, so there is no 403; 422 is listed because FastAPI documents one for
# the Authorization header parameter anyway, and this way with the body our error handler really sends
router = APIRouter(tags=["tokens"], responses=error_responses(401, 422, 503))
Role = Literal["strategy", "department", "viewer"]  # admin.auth.ROLES, spelled out for the schema


class MeOut(BaseModel):
    name: str = Field(description="the name the token was created with")
    role: Role
    department: str | None = Field(
        description="the department a department token is scoped to; null otherwise"
    )
    editable_bots: list[str] = Field(
        description="ids of the bots whose packs this token may change (upload, activate, add examples), "
        "sorted; empty for a viewer"
    )


@router.get("/me", response_model=MeOut, summary="The calling token: name, role, department, editable bots")
def me(principal: PrincipalDep, services: ServicesDep, session: SessionDep) -> MeOut:
    # the same packs and rule the pack endpoints check, so the dashboard offers exactly what they allow
    bots = services.runtime.current.packs.bots()
    editable = {pack.id for pack in bots if principal.can_edit_department(pack.bot.department)}
    served = set(services.runtime.current.packs.packs)
    editable |= {
        p.bot_id
        for p in unserved_bots(session, served)
        if p.bot_id and principal.can_edit_department(p.department)
    }
    return MeOut(
        name=principal.name,
        role=cast(Role, principal.role),  # create_token stores only ROLES; the model validates it again
        department=principal.department,
        editable_bots=sorted(editable),
    )
