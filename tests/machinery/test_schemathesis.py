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
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.settings import Settings
from madoguchi.app import create_app
from tests.conftest import TEST_PACKS, empty_database, wait_for_reloads

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
BOTS = sorted(p.name for p in TEST_PACKS.iterdir() if (p / "bot.yml").is_file() and p.name != "common")
REAL = {
    "bot_id": st.sampled_from(BOTS),
    "bot": st.sampled_from(BOTS),
    "version": st.just(1),
    "project_id": st.just(1),
    "file_name": st.just("responses.yml"),
}


def _sometimes_real(values: dict[str, Any] | None) -> Any:
    if not values or not any(name in REAL for name in values):
        return st.just(values)
    real = st.fixed_dictionaries({name: REAL.get(name, st.just(value)) for name, value in values.items()})
    return st.one_of(st.just(values), real)


# What a hostile client puts in strings (issue 13): NUL, other control characters and lone
# surrogates (a broken "\ud800" escape), in every string of about a third of the examples. The
# schema's generator never makes a lone surrogate, and makes NUL only now and then. JSON carries
# them all (escaped); a URL or a text/plain body cannot carry a surrogate.
POISONS = ("\x00", "\ud800", "\udfff", "\x07", "\x1b", "\x7f", "a\x00b")
URL_POISONS = ("\x00", "\x07", "\x1b", "a\x00b")


def _strings_in(value: Any) -> int:
    if isinstance(value, str):
        return 1
    if isinstance(value, dict):
        return sum(_strings_in(item) for item in value.values())
    if isinstance(value, list):
        return sum(_strings_in(item) for item in value)
    return 0


def _put(value: Any, picks: Iterator[tuple[str, bool]]) -> Any:
    """``value`` with the next poison before or after each of its strings (keys kept: a poisoned
    key is just an unknown field)."""
    if isinstance(value, str):
        poison, before = next(picks)
        return poison + value if before else value + poison
    if isinstance(value, dict):
        return {key: _put(item, picks) for key, item in value.items()}
    if isinstance(value, list):
        return [_put(item, picks) for item in value]
    return value


def _poisoned(value: Any, poisons: tuple[str, ...], odds: tuple[bool, ...]) -> Any:
    """``value``, or (as often as True is in ``odds``) it with a poison in each of its strings."""
    count = _strings_in(value)
    if not count:
        return st.just(value)
    pick = st.tuples(st.sampled_from(poisons), st.booleans())
    poisoned = st.lists(pick, min_size=count, max_size=count).map(lambda picks: _put(value, iter(picks)))
    return st.sampled_from(odds).flatmap(lambda poison: poisoned if poison else st.just(value))


SOMETIMES, HALF, ALWAYS = (False, False, True), (False, True), (True,)


def _multipart(context: Any) -> bool:
    operation = getattr(context, "operation", None)
    content = (operation.definition.raw.get("requestBody") or {}).get("content", {}) if operation else {}
    return "multipart/form-data" in content


def _hooks(schema: Any, bodies: tuple[bool, ...], parameters: tuple[bool, ...]) -> None:
    def body_hook(context: Any, value: Any) -> Any:
        # a text/plain or multipart body is bytes on the wire: no lone surrogate can be written into it
        return _poisoned(
            value, URL_POISONS if isinstance(value, str) or _multipart(context) else POISONS, bodies
        )

    def parameters_hook(_context: Any, values: Any) -> Any:
        return _sometimes_real(values).flatmap(lambda chosen: _poisoned(chosen, URL_POISONS, parameters))

    schema.hook("flatmap_path_parameters")(parameters_hook)
    schema.hook("flatmap_query")(parameters_hook)
    schema.hook("flatmap_body")(body_hook)


for _schema in (resident_schema, admin_schema):
    _hooks(_schema, bodies=SOMETIMES, parameters=SOMETIMES)

# Every string of the body poisoned (and of the parameters in half the examples, so that the other
# half reaches a real bot), in requests otherwise valid (positive mode, the fuzzing phase only):
# each operation is reached with hostile text in each of its fields.
hostile_resident_schema = schemathesis.openapi.from_dict(_spec("resident"))
hostile_admin_schema = schemathesis.openapi.from_dict(_spec("admin"))
for _schema in (hostile_resident_schema, hostile_admin_schema):
    _schema.config.phases.update(phases=["fuzzing"])
    _schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    _hooks(_schema, bodies=ALWAYS, parameters=HALF)
HOSTILE_SETTINGS = settings(SETTINGS, max_examples=8)


def _holds_poison(case: Any) -> bool:
    """Whether a poison is in a field the operation reads (unknown fields are ignored, not refused)."""
    texts = list(_all_strings((_declared(case), case.query)))
    encoded = list(_all_strings(case.path_parameters))  # schemathesis keeps them percent-encoded
    return (
        any(poison in text for text in texts for poison in ("\x00", "\x07", "\x1b", "\x7f"))
        or any("\ud800" <= ch <= "\udfff" for text in texts for ch in text)
        or any(poison in text.upper() for text in encoded for poison in ("%00", "%07", "%1B", "%7F"))
    )


def _declared(case: Any) -> Any:
    """The body without the top-level fields its schema does not declare."""
    if not isinstance(case.body, dict) or not case.media_type:
        return case.body
    declared = case.operation.get_body_for_media_type(case.media_type).optimized_schema.get("properties")
    return case.body if declared is None else {k: v for k, v in case.body.items() if k in declared}


def _all_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _all_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _all_strings(item)


@contextmanager
def _fresh_database(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of the module's own: SQLite, or PostgreSQL (which refuses what SQLite
    stores: NUL in text)."""
    from core.storage.migrate import upgrade

    with empty_database(kind, tmp_path_factory.mktemp("schemathesis-db"), "fuzz") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_services(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """ResidentServices on a fresh database of their own (schemathesis writes projects, packs, settings),
    on SQLite and on PostgreSQL."""
    with _fresh_database(request.param, tmp_path_factory) as url:
        yield from _services(url, tmp_path_factory)


def _services(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from madoguchi.app import start_services as start_platform_services

    running = start_platform_services(
        Settings.from_mapping(
            {
                "database_url": url,
                "bots_dir": TEST_PACKS,
                "model_dir": tmp_path_factory.mktemp("st-models"),
                "rate_limit_per_minute": 100000,
                "rate_limit_per_address_per_minute": 100000,
                "rate_limit_sessions_per_address_per_minute": 100000,
                "rate_limit_parse_per_address_per_minute": 100000,
                # a configured LINE channel, so the webhook checks the signature of whatever arrives
                "line_channels": {"tax": {"secret": "fuzz-secret", "token": "fuzz-token"}},
                "line_api_base": "http://127.0.0.1:9",
            }
        )
    )
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


def _as_strategy(case: Any, admin_client: ASGIClient, strategy_token: str) -> Any:
    """Call the admin API as the strategy department, which may do everything."""
    return case.call_and_validate(
        base_url=BASE_URL,
        session=admin_client,
        checks=CHECKS,
        headers={"Authorization": f"Bearer {strategy_token}"},
    )


@resident_schema.parametrize()
@SETTINGS
def test_resident_service_conforms_to_its_schema(case: Any, resident_client: ASGIClient) -> None:
    case.call_and_validate(base_url=BASE_URL, session=resident_client, checks=CHECKS)


@admin_schema.parametrize()
@SETTINGS
def test_admin_service_conforms_to_its_schema(
    case: Any, admin_client: ASGIClient, strategy_token: str
) -> None:
    response = _as_strategy(case, admin_client, strategy_token)
    # the strategy token may do everything: a 401 or 403 would mean the token never arrived
    assert response.status_code not in (401, 403), response.text


@hostile_resident_schema.parametrize()
@HOSTILE_SETTINGS
def test_resident_service_refuses_hostile_strings_with_4xx(case: Any, resident_client: ASGIClient) -> None:
    response = case.call_and_validate(base_url=BASE_URL, session=resident_client, checks=CHECKS)
    if _holds_poison(case):
        assert 400 <= response.status_code < 500, (case.operation.label, response.status_code, response.text)


@hostile_admin_schema.parametrize()
@HOSTILE_SETTINGS
def test_admin_service_refuses_hostile_strings_with_4xx(
    case: Any, admin_client: ASGIClient, strategy_token: str
) -> None:
    response = _as_strategy(case, admin_client, strategy_token)
    if _holds_poison(case):
        assert 400 <= response.status_code < 500, (case.operation.label, response.status_code, response.text)
