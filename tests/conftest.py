"""Shared fixtures, each trained once per test session: the real packs in bots/ (``real_*``, and the
``services`` / ``client`` / ``tokens`` of the tests that are about department content or edit real
packs) and the test packs in tests/packs/ (``platform_*``: tiny bots for the tests of the service's
machinery, so that a department's edit in bots/ cannot fail them; see tests/packs/README.md)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from shared_nlu.dialogue.engine import DialogueEngine
from shared_nlu.nlu import NluEngine
from shared_nlu.pack import PackSet, load_packs

ROOT = Path(__file__).resolve().parents[1]


def recycle_desk_faq() -> list[tuple[str, str]]:
    """A small department's FAQ spreadsheet as (question, answer) rows (tests/data/recycle_desk_faq.tsv)."""
    lines = (ROOT / "tests" / "data" / "recycle_desk_faq.tsv").read_text(encoding="utf-8").splitlines()
    return [(q, a) for q, a in (line.split("\t") for line in lines if line and not line.startswith("#"))]


TEST_PACKS = ROOT / "tests" / "packs"


@pytest.fixture(scope="session")
def real_packs() -> PackSet:
    return load_packs([ROOT / "bots"])


@pytest.fixture(scope="session")
def real_nlu(real_packs: PackSet) -> NluEngine:
    return NluEngine.train(real_packs)


@pytest.fixture(scope="session")
def real_dialogue(real_nlu: NluEngine) -> DialogueEngine:
    return DialogueEngine(real_nlu)


@pytest.fixture(scope="session")
def platform_packs() -> PackSet:
    return load_packs([TEST_PACKS])


@pytest.fixture(scope="session")
def platform_nlu(platform_packs: PackSet) -> NluEngine:
    return NluEngine.train(platform_packs)


POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=2):
            return True
    except Exception:
        return False


def _fresh_database(url: str) -> None:
    from core.storage.migrate import downgrade, upgrade

    downgrade(url, "base")
    upgrade(url)


@contextmanager
def empty_database(kind: str, folder: Path, name: str) -> Iterator[str]:
    """An empty database of a test's own: ``kind`` "sqlite" is a file in ``folder``; "postgresql"
    is a database created for this process (``madoguchi_<name>_<pid>``, so parallel runs never see
    each other's rows) and dropped afterwards. Without PostgreSQL the test is skipped locally and
    fails under CI=true."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'madoguchi.db'}"
        return
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable; CI must test against it")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    import psycopg

    database = f"madoguchi_{name}_{os.getpid()}"
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=test"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{database}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Every test that uses the database runs on SQLite and on PostgreSQL (CI has both), each on
    a migrated database of its own (``empty_database``)."""
    with empty_database(request.param, tmp_path_factory.mktemp("db"), "test") as url:
        _fresh_database(url)
        yield url


def start_services(database_url: str, bots_dir: Path, model_dir: Path):
    """A worker on ``database_url`` serving the packs of ``bots_dir``, with limits no test reaches
    unless it lowers them."""
    from core.settings import Settings
    from madoguchi.app import start_services as start_platform_services

    settings = Settings.from_mapping(
        {
            "database_url": database_url,
            "bots_dir": bots_dir,
            "model_dir": model_dir,
            "rate_limit_per_minute": 1000,
            "rate_limit_per_address_per_minute": 100000,
            "rate_limit_sessions_per_address_per_minute": 100000,
            "rate_limit_parse_per_address_per_minute": 100000,
        }
    )
    return start_platform_services(settings)


def app_client(services: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from madoguchi.app import create_app

    with TestClient(create_app(services=services, watch=False)) as test_client:
        yield test_client


def make_tokens(services: Any) -> dict[str, str]:
    """One admin token per role: strategy, viewer, and department tokens for 府民文化 and 財務・税務."""
    from admin.auth import create_token

    made = {}
    with services.db.session() as session:
        made["strategy"] = create_token(session, "strategy", "test strategy")[0]
        made["viewer"] = create_token(session, "viewer", "test viewer")[0]
        made["fumin"] = create_token(session, "department", "test 府民文化", "府民文化")[0]
        made["zaimu"] = create_token(session, "department", "test 財務・税務", "財務・税務")[0]
    return made


# ---- the real packs of bots/ ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def services(database_url: str, tmp_path_factory: pytest.TempPathFactory):
    running = start_services(database_url, ROOT / "bots", tmp_path_factory.mktemp("models"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(services):
    yield from app_client(services)


@pytest.fixture(scope="session")
def tokens(services) -> dict[str, str]:
    return make_tokens(services)


# ---- the test packs of tests/packs/, on a database of their own (pack versions are stored there) ---
@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def platform_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with empty_database(request.param, tmp_path_factory.mktemp("platform-db"), "platform") as url:
        _fresh_database(url)
        yield url


@pytest.fixture(scope="session")
def platform_services(platform_database_url: str, tmp_path_factory: pytest.TempPathFactory):
    running = start_services(platform_database_url, TEST_PACKS, tmp_path_factory.mktemp("platform-models"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def platform_client(platform_services):
    yield from app_client(platform_services)


@pytest.fixture(scope="session")
def platform_tokens(platform_services) -> dict[str, str]:
    return make_tokens(platform_services)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_for_reloads(timeout: float | None = None) -> None:
    """Join the background pack reloads (threads named ``madoguchi-reload``) still running."""
    for thread in threading.enumerate():
        if thread.name == "madoguchi-reload":
            thread.join(timeout)


def settle(services: Any) -> None:
    """Wait until the server's bots are built from the active pack versions (no reload running)."""
    for _ in range(5):
        wait_for_reloads()
        if not services.reload_if_changed(wait=True):
            return
    raise AssertionError("the bots did not settle on the active versions")


def on_test_packs() -> tuple[Any, Any, Any, Any]:
    """``database_url, services, client, tokens = on_test_packs()`` at the top of a test module
    puts it on the tiny bots of tests/packs/ (their ``platform_*`` fixtures) instead of the
    departments' bots/, so that a department's edit of its pack cannot fail it (tests/packs/README.md).
    Defined in here, not at this module's level, so they switch only the module that asks."""

    @pytest.fixture(scope="session", name="database_url")
    def database_url(platform_database_url: str) -> str:
        return platform_database_url

    @pytest.fixture(scope="session", name="services")
    def services(platform_services: Any) -> Any:
        return platform_services

    @pytest.fixture(scope="session", name="client")
    def client(platform_client: Any) -> Any:
        return platform_client

    @pytest.fixture(scope="session", name="tokens")
    def tokens(platform_tokens: dict[str, str]) -> dict[str, str]:
        return platform_tokens

    return database_url, services, client, tokens
