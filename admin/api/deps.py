"""Admin request dependencies: a database session per request, and the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from chat_platform.api.deps import ServicesDep
from chat_platform.api.schemas import error_responses

from ..auth import Principal, authenticate


def db_session(services: ServicesDep) -> Iterator[Session]:
    """Commits when the endpoint returns, rolls back when it raises."""
    with services.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session)]
# what any admin endpoint can answer: no or a bad token, a role or department that may not, bad
# parameters, the database unreachable (every admin router declares these; routes add their own)
ADMIN_ERRORS = error_responses(401, 403, 422, 503)
# the largest value an INTEGER column holds on PostgreSQL: a larger id or amount is refused with 422,
# never sent to the database (SQLite overflows in the driver, PostgreSQL raises a DataError)
DB_INT_MAX = 2_147_483_647


def principal(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> Principal:
    return authenticate(session, authorization)


PrincipalDep = Annotated[Principal, Depends(principal)]
