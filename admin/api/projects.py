"""The project registry: list and edit projects, retire a bot (``/admin/api/v1/projects``, ``/bots``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select

from core.errors import AppError
from core.storage.models import Project
from core.web.deps import ServicesDep
from core.web.error_schemas import error_responses
from shared_nlu.clock import today_in_japan
from shared_nlu.constants import COMMON_BOT

from .. import audit
from ..auth import require_department, require_role
from ..projects import check_kind
from .deps import ADMIN_ERRORS, DB_INT_MAX, PrincipalDep, SessionDep

router = APIRouter(tags=["registry"], responses=ADMIN_ERRORS)


class ProjectOut(BaseModel):
    id: int
    fiscal_year: int
    department: str
    name: str
    kind: str
    budget_thousand_yen: int | None = Field(description="事業費 (thousand yen); null when not entered")
    sub_projects: int = Field(description="件数")
    main_project: str | None
    bot_id: str | None
    status: str
    retired_on: date | None
    retirement_message: str | None
    service_start: date | None
    vendor_before: str | None
    budget_before_thousand_yen: int | None = Field(
        description="yearly cost as a separate system before consolidation"
    )

    model_config = {"from_attributes": True}


class ProjectIn(BaseModel):
    fiscal_year: int = Field(ge=2000, le=2100)
    department: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["街のDX", "庁内DX"]
    budget_thousand_yen: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    sub_projects: int = Field(default=1, ge=0, le=DB_INT_MAX)
    main_project: str | None = Field(default=None, max_length=200)
    bot_id: str | None = Field(default=None, max_length=64)
    service_start: date | None = None
    vendor_before: str | None = Field(default=None, max_length=200)
    budget_before_thousand_yen: int | None = Field(default=None, ge=0, le=DB_INT_MAX)


class ProjectPatch(BaseModel):
    """Only the fields given are changed. Retiring: status "retired" with the message residents see."""

    budget_thousand_yen: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    sub_projects: int | None = Field(default=None, ge=0, le=DB_INT_MAX, description="not null")
    main_project: str | None = Field(default=None, max_length=200)
    status: Literal["active", "retired"] | None = Field(default=None, description="not null")
    retired_on: date | None = None
    retirement_message: str | None = Field(default=None, max_length=1000)
    service_start: date | None = None
    vendor_before: str | None = Field(default=None, max_length=200)
    budget_before_thousand_yen: int | None = Field(default=None, ge=0, le=DB_INT_MAX)

    @field_validator("status", "sub_projects")
    @classmethod
    def _given_not_null(cls, value: Any) -> Any:
        """Leaving these out keeps them; an explicit null would store a project without them."""
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class BotOut(BaseModel):
    id: str
    name: dict[str, str]
    department: str
    project: ProjectOut | None
    pack_digest: str = Field(description="of the packs being served; empty for a bot not served yet")
    live: bool = Field(description="residents can talk to it: a version of its pack is active and served")
    widget_snippet: str | None = Field(
        description="the script tag that puts this bot's chat on a web page (live bots)"
    )


@router.get(
    "/projects",
    response_model=list[ProjectOut],
    summary="Projects, filterable by fiscal year, kind and department",
)
def list_projects(
    session: SessionDep,
    principal: PrincipalDep,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    kind: str | None = None,
    department: str | None = None,
) -> list[Project]:
    check_kind(kind)
    query = select(Project).order_by(Project.fiscal_year, Project.department, Project.kind, Project.id)
    if fiscal_year is not None:
        query = query.where(Project.fiscal_year == fiscal_year)
    if kind is not None:
        query = query.where(Project.kind == kind)
    if department is not None:
        query = query.where(Project.department == department)
    if principal.role == "department":
        query = query.where(Project.department == principal.department)
    return list(session.scalars(query))


@router.post(
    "/projects",
    response_model=ProjectOut,
    status_code=201,
    responses=error_responses(400, 409),
    summary="Register a project (strategy)",
)
def create_project(
    body: ProjectIn, session: SessionDep, principal: PrincipalDep, services: ServicesDep
) -> Project:
    require_role(principal, "strategy")
    if body.bot_id is not None and body.bot_id not in services.runtime.current.bot_ids():
        raise AppError(
            422, "unknown_bot", f"ボット「{body.bot_id}」はありません。", f"There is no bot {body.bot_id!r}."
        )
    duplicate = session.scalars(
        select(Project.id).where(
            Project.fiscal_year == body.fiscal_year,
            Project.department == body.department,
            Project.kind == body.kind,
            Project.name == body.name,
        )
    ).first()
    if duplicate is not None:
        raise AppError(
            409,
            "duplicate_project",
            "同じ年度・部局・区分・名前の事業がすでにあります。",
            "A project with this year, department, kind and name exists.",
        )
    project = Project(**body.model_dump(), source="manual")
    session.add(project)
    session.flush()
    audit.record(session, principal, "project.create", f"project:{project.id}", body.model_dump(mode="json"))
    return project


@router.patch(
    "/projects/{project_id}",
    response_model=ProjectOut,
    responses=error_responses(400, 404),
    summary="Change a project, e.g. retire a bot (strategy)",
)
def update_project(
    project_id: Annotated[int, Path(le=DB_INT_MAX)],
    body: ProjectPatch,
    session: SessionDep,
    principal: PrincipalDep,
) -> Project:
    require_role(principal, "strategy")
    project = session.get(Project, project_id)
    if project is None:
        raise AppError(
            404,
            "project_not_found",
            f"事業 {project_id} はありません。",
            f"There is no project {project_id}.",
        )
    changes = body.model_dump(exclude_unset=True)
    if changes.get("status") == "retired" and not (
        changes.get("retirement_message") or project.retirement_message
    ):
        raise AppError(
            422,
            "retirement_message_required",
            "廃止するボットには、住民に表示するメッセージ（retirement_message）が必要です。",
            "Retiring a bot needs the message residents will see (retirement_message).",
        )
    if changes.get("status") == "retired" and "retired_on" not in changes and project.retired_on is None:
        changes["retired_on"] = today_in_japan()  # the day in Osaka, not the server's
    for key, value in changes.items():
        setattr(project, key, value)
    audit.record(
        session, principal, "project.update", f"project:{project.id}", {k: str(v) for k, v in changes.items()}
    )
    return project


@router.get("/bots", response_model=list[BotOut], summary="The bots, with their project and active pack")
def list_bots(session: SessionDep, principal: PrincipalDep, services: ServicesDep) -> list[BotOut]:
    from ..projects import bot_projects, unserved_bots

    projects = bot_projects(session)
    result = []
    for pack in services.runtime.current.packs.bots():
        if not principal.can_see_department(pack.bot.department):
            continue
        project = projects.get(pack.id)
        result.append(
            BotOut(
                id=pack.id,
                name=pack.bot.name,
                department=pack.bot.department,
                project=ProjectOut.model_validate(project) if project else None,
                pack_digest=services.runtime.current.packs.digest[:12],
                live=True,
                widget_snippet=widget_snippet(pack.id),
            )
        )
    served = {pack.id for pack in services.runtime.current.packs.packs.values()}
    for project in unserved_bots(session, served):
        if principal.can_see_department(project.department):
            result.append(
                BotOut(
                    id=project.bot_id or "",
                    name={"ja": project.name},
                    department=project.department,
                    project=ProjectOut.model_validate(project),
                    pack_digest="",
                    live=False,
                    widget_snippet=None,
                )
            )
    return result


def widget_snippet(bot_id: str) -> str:
    """The tag a department pastes into its page; the script's address is this server's, so the
    dashboard completes it with its own origin (``/static/…`` here)."""
    return f'<script src="/static/madoguchi-widget.js" data-bot="{bot_id}" data-lang="ja" defer></script>'


def bot_department(services: ServicesDep, bot_id: str) -> str:
    """The department of ``bot_id``; 404 for an unknown bot. For department-scoped endpoints.

    A bot being served answers from its pack; a bot opened in the admin but never activated (only
    drafts) from its project record, so its department can fill and try it before residents see it.
    """
    packs = services.runtime.current.packs.packs
    if bot_id in packs and bot_id != COMMON_BOT:
        return packs[bot_id].bot.department
    if bot_id != COMMON_BOT and len(bot_id) <= 64:
        with services.db.session() as session:
            department = session.scalars(
                select(Project.department)
                .where(Project.bot_id == bot_id, Project.source == "admin")
                .order_by(Project.fiscal_year.desc())
            ).first()
        if department is not None:
            return department
    raise AppError(
        404, "unknown_bot", f"ボット「{bot_id[:64]}」はありません。", f"There is no bot {bot_id[:64]!r}."
    )


def check_bot_access(services: ServicesDep, principal: PrincipalDep, bot_id: str) -> None:
    require_department(principal, bot_department(services, bot_id), f"ボット「{bot_id}」")
