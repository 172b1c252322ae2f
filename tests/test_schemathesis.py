"""Property-based API tests: schemathesis drives every operation of both services from their OpenAPI schema.

The resident service (widget API, Rasa channels, LINE webhook, operations) and the admin service
(registry, reports, cost settings, packs; called with a strategy token) are built as production runs
them (``public`` only / ``admin`` only) on one SQLite database of their own and called in process
through their ASGI apps. For a bounded, derandomized number of examples per operation — valid and
deliberately invalid input — no response may be a 5xx, every status must be one the schema declares,
and every body (errors too) must have the declared shape and content type.

The operations are collected from the schema the app code generates (``app.openapi()``, no database
needed), so each one is its own test; the fixture checks that the running app serves that same schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chat_platform.app import create_app
from chat_platform.settings import Settings
from tests.conftest import wait_for_reloads

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = "http://testserver"
EXAMPLES = 12  # per operation: the whole module stays well under 90 s
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# derandomized: the same examples every run, so what fails here fails in CI too
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
SERVICES = {"resident": {"public": True, "admin": False}, "admin": {"public": False, "admin": True}}


def _spec(service: str) -> dict[str, Any]:
    return create_app(Settings(), watch=False, **SERVICES[service]).openapi()


resident_schema = schemathesis.openapi.from_dict(_spec("resident"))
admin_schema = schemathesis.openapi.from_dict(_spec("admin"))

# Random strings almost never name a bot, so half the examples get a real one: the requests then reach
# the NLU, the dialogue, the pack validator and the reports instead of stopping at "unknown bot".
BOTS = sorted(p.name for p in (ROOT / "bots").iterdir() if (p / "bot.yml").is_file() and p.name != "common")
REAL = {"bot_id": st.sampled_from(BOTS), "bot": st.sampled_from(BOTS), "version": st.just(1),
        "project_id": st.just(1), "file_name": st.just("responses.yml")}  # fmt: skip


def _sometimes_real(values: dict[str, Any] | None) -> Any:
    if not values or not any(name in REAL for name in values):
        return st.just(values)
    real = st.fixed_dictionaries({name: REAL.get(name, st.just(value)) for name, value in values.items()})
    return st.one_of(st.just(values), real)


for _schema in (resident_schema, admin_schema):
    _schema.hook("flatmap_path_parameters")(lambda _context, values: _sometimes_real(values))
admin_schema.hook("flatmap_query")(lambda _context, values: _sometimes_real(values))


@pytest.fixture(scope="module")
def fuzz_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Services on a fresh SQLite database of their own (schemathesis writes projects, packs, settings)."""
    from chat_platform.services import Services
    from chat_platform.storage.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis-db') / 'madoguchi.db'}"
    upgrade(url)
    running = Services.start(
        Settings.from_mapping(
            {"database_url": url, "bots_dir": ROOT / "bots", "model_dir": tmp_path_factory.mktemp("st-models"),
             "rate_limit_per_minute": 100000, "rate_limit_per_address_per_minute": 100000,
             "rate_limit_sessions_per_address_per_minute": 100000, "rate_limit_parse_per_address_per_minute": 100000,
             # a configured LINE channel, so the webhook checks the signature of whatever arrives
             "line_channels": {"tax": {"secret": "fuzz-secret", "token": "fuzz-token"}},
             "line_api_base": "http://127.0.0.1:9"}
        )
    )  # fmt: skip
    yield running
    wait_for_reloads(timeout=60)  # a pack upload may still be training in the background
    running.stop()


def _client(services: Any, service: str) -> Iterator[ASGIClient]:
    app = create_app(services=services, watch=False, **SERVICES[service])
    with get_client(app) as client:  # runs the app's lifespan once for the whole module
        assert client.get("/openapi.json").json() == _spec(service), "the running app serves another schema"
        yield client


@pytest.fixture(scope="module")
def resident_client(fuzz_services: Any) -> Iterator[ASGIClient]:
    yield from _client(fuzz_services, "resident")


@pytest.fixture(scope="module")
def admin_client(fuzz_services: Any) -> Iterator[ASGIClient]:
    yield from _client(fuzz_services, "admin")


@pytest.fixture(scope="module")
def strategy_token(fuzz_services: Any) -> str:
    from admin.auth import create_token

    with fuzz_services.db.session() as session:
        return create_token(session, "strategy", "schemathesis")[0]


@resident_schema.parametrize()
@SETTINGS
def test_resident_service_conforms_to_its_schema(case: Any, resident_client: ASGIClient) -> None:
    case.call_and_validate(base_url=BASE_URL, session=resident_client, checks=CHECKS)


@admin_schema.parametrize()
@SETTINGS
def test_admin_service_conforms_to_its_schema(
    case: Any, admin_client: ASGIClient, strategy_token: str
) -> None:
    response = case.call_and_validate(
        base_url=BASE_URL, session=admin_client, checks=CHECKS,
        headers={"Authorization": f"Bearer {strategy_token}"},
    )  # fmt: skip
    # the strategy token may do everything: a 401 or 403 would mean the token never arrived
    assert response.status_code not in (401, 403), response.text
