"""The cost settings the cost report uses (``/admin/api/v1/settings/cost``).

Stored in the ``settings`` table under the key ``cost``; until someone saves them, the service
settings ``MADOGUCHI_SHARED_COST_THOUSAND_YEN`` and ``MADOGUCHI_COST_ALLOCATION`` apply.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import Field

from core.storage.models import Setting
from core.web.deps import ServicesDep
from core.web.error_schemas import error_responses

from .. import audit
from ..auth import require_role
from ..reports.cost import SETTING_KEY, CostSettings, load_settings
from .deps import ADMIN_ERRORS, PrincipalDep, SessionDep

router = APIRouter(tags=["reports"], responses=ADMIN_ERRORS)


class CostSettingsOut(CostSettings):
    source: str = Field(description="database (saved through this API) or defaults (service settings)")
    updated_at: datetime | None


def to_utc(moment: datetime) -> datetime:
    """SQLite returns stored UTC timestamps without a time zone; say so."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _out(settings: CostSettings, row: Setting | None) -> CostSettingsOut:
    return CostSettingsOut(
        **settings.model_dump(),
        source="database" if row is not None else "defaults",
        updated_at=to_utc(row.updated_at) if row is not None else None,
    )


@router.get(
    "/settings/cost",
    response_model=CostSettingsOut,
    summary="The shared platform cost (千円/year) and how it is allocated (every role)",
)
def read_cost_settings(
    session: SessionDep, principal: PrincipalDep, services: ServicesDep
) -> CostSettingsOut:
    """``shared_cost_thousand_yen``: the shared platform's yearly cost in thousand yen;
    ``allocation``: split between bots by resident ``messages`` or by ``sessions``."""
    require_role(principal, "strategy", "viewer", "department")
    return _out(*load_settings(session, services.settings))


@router.put(
    "/settings/cost",
    response_model=CostSettingsOut,
    responses=error_responses(400),
    summary="Change the shared platform cost and its allocation (strategy; audited)",
)
def write_cost_settings(
    body: CostSettings, session: SessionDep, principal: PrincipalDep, services: ServicesDep
) -> CostSettingsOut:
    """Replaces both values; the change and the previous values are written to the audit log."""
    require_role(principal, "strategy")
    before, row = load_settings(session, services.settings)
    if row is None:
        row = Setting(key=SETTING_KEY, value=body.model_dump())
        session.add(row)
    else:
        row.value = body.model_dump()
    session.flush()
    audit.record(
        session,
        principal,
        "settings.cost.update",
        f"setting:{SETTING_KEY}",
        {"before": before.model_dump(), "after": body.model_dump()},
    )
    session.refresh(row)
    return _out(body, row)
