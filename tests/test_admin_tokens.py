"""Admin tokens: expiry (``--expires-in``, shown in ``token list``, refused with 401 when past), the
department of a department token checked against the departments that own a bot, and the Bearer
scheme in any case — on SQLite and PostgreSQL, through the command line and the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import DateTime, String, column, create_engine, text, update
from typer.testing import CliRunner

from admin.auth import create_token
from core.storage.models import ApiToken
from madoguchi.cli import app
from tests.conftest import ROOT, bearer, empty_database

ME = "/admin/api/v1/me"
runner = CliRunner()


def cli(services, *args: str):
    env = {
        "MADOGUCHI_DATABASE_URL": services.settings.database_url,
        "MADOGUCHI_BOTS_DIR": str(ROOT / "bots"),
        "COLUMNS": "250",
    }
    return runner.invoke(app, ["token", *args], env=env)


def created(result) -> tuple[int, str]:
    """(token id, token) from ``token create``'s output."""
    assert result.exit_code == 0, result.output
    token_id = int(re.search(r"token (\d+) \(", result.output)[1])  # type: ignore[index]
    return token_id, result.output.strip().splitlines()[-1]


def expire(services, token_id: int, when: datetime) -> None:
    with services.db.session() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(expires_at=when))


# ---- expiry ---------------------------------------------------------------------------------------


def test_should_create_a_token_that_expires_in_the_given_days_and_list_the_date(services, client) -> None:
    token_id, token = created(
        cli(services, "create", "--role", "viewer", "--name", "expiry test", "--expires-in", "30")
    )
    day = f"{datetime.now(UTC) + timedelta(days=30):%Y-%m-%d}"
    assert client.get(ME, headers=bearer(token)).status_code == 200
    listing = cli(services, "list")
    assert listing.exit_code == 0, listing.output
    (row,) = [
        line for line in listing.output.splitlines() if re.search(rf"\b{token_id}\b.*expiry test", line)
    ]
    assert day in row and "expired" not in row
    assert "expires" in listing.output


def test_should_expire_tokens_in_365_days_by_default(services) -> None:
    token_id, _ = created(cli(services, "create", "--role", "viewer", "--name", "default expiry"))
    with services.db.session() as session:
        expires = session.get(ApiToken, token_id).expires_at
    assert expires is not None
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert abs(expires - (datetime.now(UTC) + timedelta(days=365))) < timedelta(minutes=5)


def test_should_refuse_an_expired_token_with_401_saying_to_create_a_new_one(services, client) -> None:
    token_id, token = created(cli(services, "create", "--role", "strategy", "--name", "soon expired"))
    expire(services, token_id, datetime.now(UTC) - timedelta(seconds=1))
    for path in (ME, "/admin/api/v1/projects", "/admin/api/v1/bots/tax/packs"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 401, (path, response.text)
        error = response.json()["error"]
        assert error["code"] == "token_expired" and "madoguchi token create" in error["message"]
        assert "有効期限" in error["message"]
    english = client.get(ME, headers={**bearer(token), "Accept-Language": "en"}).json()["error"]
    assert "expired" in english["message"] and "madoguchi token create" in english["message"]
    listing = cli(services, "list").output
    (row,) = [line for line in listing.splitlines() if "soon expired" in line]
    assert "(expired)" in row
    # a day later than now is still good
    expire(services, token_id, datetime.now(UTC) + timedelta(days=1))
    assert client.get(ME, headers=bearer(token)).status_code == 200


def test_should_keep_accepting_a_token_without_an_expiry(services, client) -> None:
    with services.db.session() as session:
        token, record = create_token(session, "viewer", "no expiry")
        token_id = record.id
    expire(services, token_id, None)  # type: ignore[arg-type]
    assert client.get(ME, headers=bearer(token)).status_code == 200
    (row,) = [line for line in cli(services, "list").output.splitlines() if "no expiry" in line]
    assert "never" in row


@pytest.mark.parametrize("days", ["0", "-1", "3651", "soon"])
def test_should_refuse_an_expiry_out_of_range(services, days: str) -> None:
    result = cli(services, "create", "--role", "viewer", "--expires-in", days)
    assert result.exit_code == 2, result.output


@contextmanager
def scratch_database(kind: str, tmp_path) -> Iterator[str]:
    """An empty database of its own (the migration test goes back to 0003 and up again)."""
    with empty_database(kind, tmp_path, "tokens") as url:
        yield url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_should_give_tokens_made_before_the_migration_a_year_and_none_to_revoked_ones(kind, tmp_path) -> None:
    from core.storage.migrate import downgrade, upgrade

    with scratch_database(kind, tmp_path) as url:
        upgrade(url, "0003")
        engine = create_engine(url)
        with engine.begin() as connection:
            for prefix, revoked in (("mdg_old", None), ("mdg_gone", datetime(2026, 1, 1, tzinfo=UTC))):
                connection.execute(
                    text(
                        "INSERT INTO api_tokens (token_hash, prefix, role, name, created_at, revoked_at) "
                        "VALUES (:hash, :prefix, 'viewer', :prefix, :created, :revoked)"
                    ),
                    {
                        "hash": prefix * 4,
                        "prefix": prefix,
                        "created": datetime(2025, 1, 1, tzinfo=UTC),
                        "revoked": revoked,
                    },
                )
        upgrade(url)
        with engine.connect() as connection:
            stored = text("SELECT prefix, expires_at FROM api_tokens").columns(
                column("prefix", String), column("expires_at", DateTime(timezone=True))
            )
            rows = dict(connection.execute(stored).all())
        expires = rows["mdg_old"] if rows["mdg_old"].tzinfo else rows["mdg_old"].replace(tzinfo=UTC)
        assert abs(expires - (datetime.now(UTC) + timedelta(days=365))) < timedelta(minutes=5)
        assert rows["mdg_gone"] is None
        downgrade(url, "0003")  # and back: the column goes, the tokens stay
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 2
        engine.dispose()


# ---- department names ------------------------------------------------------------------------------


def test_should_refuse_a_department_token_for_a_department_that_owns_no_bot(services) -> None:
    # 都市整備 is in the project inventory but owns no bot; 府民分化 is a misspelling of 府民文化
    for department in ("都市整備", "府民分化", "財務", "nobody"):
        with services.db.session() as session, pytest.raises(ValueError) as refused:
            create_token(session, "department", "wrong department", department)
        message = str(refused.value)
        assert repr(department) in message
        for known in ("府民文化", "財務・税務", "健康医療", "スマートシティ戦略"):
            assert known in message, message
        result = cli(services, "create", "--role", "department", "--department", department)
        assert result.exit_code == 2
        assert "府民文化" in result.output and "財務・税務" in result.output, result.output
    with services.db.session() as session:  # nothing was stored
        assert (
            session.query(ApiToken)
            .filter(ApiToken.name.in_(["wrong department", "department:nobody"]))
            .count()
            == 0
        )


def test_should_create_a_department_token_for_a_department_that_owns_a_bot(services, client) -> None:
    _, token = created(cli(services, "create", "--role", "department", "--department", "健康医療"))
    me = client.get(ME, headers=bearer(token)).json()
    assert me["department"] == "健康医療" and me["editable_bots"] == ["covid_general"]


def test_should_know_the_departments_of_the_packs_on_disk_before_the_first_start(tmp_path) -> None:
    from admin.departments import departments_with_bots
    from core.storage.database import Database
    from core.storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    db = Database(url)
    with db.session() as session:
        assert departments_with_bots(session) == []
        assert departments_with_bots(session, ROOT / "bots") == sorted(
            ["健康医療", "スマートシティ戦略", "府民文化", "財務・税務"]
        )
        with pytest.raises(ValueError, match="start the server once"):
            create_token(session, "department", "x", "府民文化")
        assert (
            create_token(session, "department", "x", "府民文化", bots_dir=ROOT / "bots")[1].department
            == "府民文化"
        )
    db.dispose()


# ---- the scheme ------------------------------------------------------------------------------------


def test_should_accept_the_bearer_scheme_in_any_case(client, tokens) -> None:
    token = tokens["viewer"]
    for scheme in ("Bearer", "bearer", "BEARER", "bEaReR"):
        response = client.get(ME, headers={"Authorization": f"{scheme} {token}"})
        assert response.status_code == 200, (scheme, response.text)
    for spaced in (f"  bearer   {token}  ", f"Bearer\t{token}"):
        assert client.get(ME, headers={"Authorization": spaced}).status_code == 200, spaced
    for header in (f"Basic {token}", "Bearer", "bearer ", f"Bearer{token}", token, f"Token {token}"):
        response = client.get(ME, headers={"Authorization": header})
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized", header
