"""The service's machinery (batching, faults, limits, channels, the API schema) is tested on the tiny
bots in tests/packs/, not on the departments' bots/: a department's edit cannot fail these tests.
Here ``database_url``, ``services``, ``client`` and ``tokens`` are those of the test packs."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def database_url(platform_database_url: str) -> str:
    return platform_database_url


@pytest.fixture(scope="session")
def services(platform_services):
    return platform_services


@pytest.fixture(scope="session")
def client(platform_client):
    return platform_client


@pytest.fixture(scope="session")
def tokens(platform_tokens) -> dict[str, str]:
    return platform_tokens
