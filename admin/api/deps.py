"""Admin request dependencies: a database session per request, and the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from chat_platform.api.deps import ServicesDep

from ..auth import Principal, authenticate


def db_session(services: ServicesDep) -> Iterator[Session]:
    """Commits when the endpoint returns, rolls back when it raises."""
    with services.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session)]


def principal(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> Principal:
    return authenticate(session, authorization)


PrincipalDep = Annotated[Principal, Depends(principal)]
