"""A write refused by a unique constraint answers 409 "reload and retry"; a database that cannot be
reached still answers 503, on SQLite and PostgreSQL.

The races are made deterministic: right after the request's own check for an existing row has run,
another connection commits that row, exactly as a concurrent request would between the check and
the insert.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from core.storage.models import Project, Rating
from tests.conftest import bearer


@contextmanager
def committed_between_check_and_insert(services, check: str, write: Callable[[Any], None]) -> Iterator[None]:
    """While active, the first statement that contains ``check`` is followed by ``write(session)``
    committed on another connection."""
    fired = False

    def race(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal fired
        if not fired and check in statement:
            fired = True
            with services.db.session() as other:
                write(other)

    event.listen(services.db.engine, "after_cursor_execute", race)
    try:
        yield
    finally:
        event.remove(services.db.engine, "after_cursor_execute", race)
    assert fired, f"no statement contained {check!r}: the race was not staged"


def answer(client) -> tuple[str, str]:
    """(session id, message id) of a fresh, rateable answer of the tax bot."""
    session_id = client.post("/api/v1/bots/tax/sessions", json={}).json()["session_id"]
    reply = client.post(
        "/api/v1/bots/tax/messages", json={"session_id": session_id, "text": "自動車税の納期限はいつですか"}
    )
    message = next(m for m in reply.json()["messages"] if m["rateable"])
    return session_id, message["id"]


def test_should_answer_409_when_the_same_answer_is_rated_twice_at_once(client, services) -> None:
    # Given an answer that another request rates just after this one checked it was not rated yet
    session_id, message_id = answer(client)

    def other_rating(session) -> None:
        session.add(Rating(message_id=message_id, conversation_id=session_id, bot_id="tax", helpful=False))

    with committed_between_check_and_insert(services, "FROM ratings", other_rating):
        # When this request stores its rating
        response = client.post(
            f"/api/v1/messages/{message_id}/rating",
            json={"session_id": session_id, "helpful": True},
            headers={"Accept-Language": "en"},
        )
    # Then it is told the answer changed at the same moment and to reload, not that the service is down
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "conflict" and "Reload and try again" in error["message"]
    assert "retry-after" not in response.headers
    # and the rating stored first is the one kept
    with services.db.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Rating).where(Rating.message_id == message_id))
            == 1
        )
        assert session.get(Rating, message_id).helpful is False


def test_should_answer_409_in_japanese_when_a_project_is_registered_twice_at_once(
    client, services, tokens
) -> None:
    if services.db.is_sqlite:
        # an admin request writes its token's last_used_at before the duplicate check, which takes
        # SQLite's one write lock: a second registration waits, then finds the first (duplicate_project)
        pytest.skip("on SQLite admin writes are serialised, so this race cannot happen")
    # Given a project that another request registers just after this one checked for a duplicate
    body = {
        "fiscal_year": 2030,
        "department": "商工",
        "name": f"同時登録 {uuid.uuid4().hex[:8]}",
        "kind": "街のDX",
    }

    def other_project(session) -> None:
        session.add(Project(**body, source="manual"))

    try:
        with committed_between_check_and_insert(services, "FROM projects", other_project):
            # When this request inserts it
            response = client.post("/admin/api/v1/projects", json=body, headers=bearer(tokens["strategy"]))
        # Then the editor reads, in Japanese, that it exists or changed and to reload (English alongside)
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["code"] == "conflict" and "再読み込み" in error["message"]
        assert "Reload and try again" in error["message_en"]
    finally:
        with services.db.session() as session:
            session.execute(delete(Project).where(Project.name == body["name"]))


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [
        (IntegrityError, 409, "conflict"),
        (OperationalError, 503, "unavailable"),  # the server went away or refused the connection
        (InterfaceError, 503, "unavailable"),  # the driver lost its connection
    ],
)
def test_should_answer_conflicts_with_409_and_lost_connections_with_503(
    client, services, monkeypatch, raised: type[Exception], status: int, code: str
) -> None:
    # Given a database that raises one of the driver's errors when an answer is rated
    session_id, message_id = answer(client)

    def failing(*_args: Any) -> None:
        raise raised("INSERT INTO ratings …", {}, Exception("from the driver"))

    monkeypatch.setattr(services.chat, "rate", failing)
    # When the answer is rated
    response = client.post(
        f"/api/v1/messages/{message_id}/rating", json={"session_id": session_id, "helpful": True}
    )
    # Then only a refused write is a conflict; a lost connection is a 503 to retry after a pause
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert ("retry-after" in response.headers) is (status == 503)
