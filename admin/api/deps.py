"""Admin request dependencies: a database session per request, and the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from core.web.deps import ServicesDep
from core.web.error_schemas import error_responses

from ..auth import Principal, authenticate


def db_session(services: ServicesDep) -> Iterator[Session]:
    """Commits when the endpoint returns, rolls back when it raises."""
    with services.db.session() as session:
        yield session


# scope="function": committed when the endpoint returns, BEFORE the response is sent. With the
# default scope the commit ran after the response had started: a write the database refused at
# the commit (NUL in a text on PostgreSQL) had already been answered 200, and was neither stored
# nor audited. Now a failed commit is answered with its error (422, 409 or 503).
SessionDep = Annotated[Session, Depends(db_session, scope="function")]
# what any admin endpoint can answer: no or a bad token, a role or department that may not, bad
# parameters, the database unreachable (every admin router declares these; routes add their own)
ADMIN_ERRORS = error_responses(401, 403, 422, 503)
# the largest value an INTEGER column holds on PostgreSQL: a larger id or amount is refused with 422,
# never sent to the database (SQLite overflows in the driver, PostgreSQL raises a DataError)
DB_INT_MAX = 2_147_483_647


def principal(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> Principal:
    return authenticate(session, authorization)


PrincipalDep = Annotated[Principal, Depends(principal)]
