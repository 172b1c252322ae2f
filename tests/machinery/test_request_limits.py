"""Per-address limits on conversation starts and on parse, and the client address behind trusted
proxies (``MADOGUCHI_TRUSTED_PROXIES``), on SQLite and PostgreSQL.

Each test gets a worker of its own with small limits (its own settings and chat service on the shared
database and trained bots) and talks from addresses no other test uses, since the counters are shared
by the whole database and count per minute.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from chat_platform.resident_services import ResidentServices
from core.storage.models import Conversation
from core.web.proxies import client_of, parse_networks
from madoguchi.app import create_app

_hosts = itertools.count(1)


def fresh_address() -> str:
    """An address no other test (or earlier run on this database) has counted against."""
    n = next(_hosts) + int(time.time()) % 50_000 * 100
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def same_minute() -> None:
    """Wait for a fresh minute when this one is nearly over: the counters count per clock minute."""
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


@contextmanager
def worker(services: ResidentServices, peer: str, **settings: object) -> Iterator[TestClient]:
    """The app with ``settings`` changed, on the shared database and bots; requests come from ``peer``."""
    changed = replace(services.settings, **settings)
    variant = ResidentServices(changed, services.db, services.runtime)
    try:
        with TestClient(
            create_app(settings=changed, services=variant, watch=False), client=(peer, 50000)
        ) as client:
            yield client
    finally:
        variant.batcher.stop()


def conversations(services: ResidentServices) -> int:
    with services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Conversation)) or 0)


# ---- conversation starts ---------------------------------------------------------------------------


def test_should_refuse_conversation_starts_over_the_address_limit_and_store_none_of_them(services) -> None:
    same_minute()
    with worker(services, fresh_address(), rate_limit_sessions_per_address_per_minute=5) as client:
        before = conversations(services)
        statuses = [client.post("/api/v1/bots/tax/sessions", json={}).status_code for _ in range(12)]
        assert statuses == [200] * 5 + [429] * 7
        assert conversations(services) == before + 5  # the refused ones are neither stored nor reported
        refused = client.post("/api/v1/bots/tax/sessions", json={})
        error = refused.json()["error"]
        assert error["code"] == "rate_limited" and "会話の開始" in error["message"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_should_count_conversation_starts_per_address(services) -> None:
    same_minute()
    limits = {"rate_limit_sessions_per_address_per_minute": 2}
    with (
        worker(services, fresh_address(), **limits) as one,
        worker(services, fresh_address(), **limits) as two,
    ):
        assert [one.post("/api/v1/bots/tax/sessions").status_code for _ in range(3)] == [200, 200, 429]
        assert [two.post("/api/v1/bots/consumer/sessions").status_code for _ in range(3)] == [200, 200, 429]


def test_should_still_answer_messages_of_open_conversations_when_starts_are_used_up(services) -> None:
    same_minute()
    with worker(services, fresh_address(), rate_limit_sessions_per_address_per_minute=1) as client:
        session_id = client.post("/api/v1/bots/tax/sessions").json()["session_id"]
        assert client.post("/api/v1/bots/tax/sessions").status_code == 429
        reply = client.post(
            "/api/v1/bots/tax/messages", json={"session_id": session_id, "text": "自動車税の納期限"}
        )
        assert reply.status_code == 200, reply.text


# ---- parse ------------------------------------------------------------------------------------------


def test_should_limit_parse_per_address_on_both_parse_endpoints_counting_bad_requests_too(services) -> None:
    same_minute()
    with worker(services, fresh_address(), rate_limit_parse_per_address_per_minute=4) as client:
        assert client.post("/model/parse", json={"text": "自動車税"}).status_code == 200
        assert client.post("/bots/tax/model/parse", json={"text": "自動車税"}).status_code == 200
        assert client.post("/model/parse", json={"txet": "typo"}).status_code == 422  # counted all the same
        assert client.post("/bots/tax/model/parse", content=b"not json").status_code in (400, 422)
        for path in ("/model/parse", "/bots/tax/model/parse"):
            refused = client.post(path, json={"text": "自動車税"})
            assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited", (
                refused.text
            )
            assert "retry-after" in refused.headers
    with worker(services, fresh_address(), rate_limit_parse_per_address_per_minute=4) as other:
        assert other.post("/model/parse", json={"text": "自動車税"}).status_code == 200


# ---- trusted proxies --------------------------------------------------------------------------------


def test_should_count_the_forwarded_client_when_the_peer_is_a_trusted_proxy(services) -> None:
    same_minute()
    proxy = fresh_address()
    limits = {"rate_limit_sessions_per_address_per_minute": 2, "trusted_proxies": (proxy,)}
    resident_a, resident_b = fresh_address(), fresh_address()
    with worker(services, proxy, **limits) as client:

        def start(forwarded: str) -> int:
            return client.post(
                "/api/v1/bots/tax/sessions", headers={"X-Forwarded-For": forwarded}
            ).status_code

        # what a resident writes left of the proxy's own entry does not matter: the rightmost counts
        assert [start(f"1.2.3.{n}, {resident_a}") for n in range(3)] == [200, 200, 429]
        assert [start(resident_b) for _ in range(3)] == [200, 200, 429]


def test_should_ignore_forwarded_for_from_a_peer_that_is_not_trusted(services) -> None:
    same_minute()
    untrusted = fresh_address()
    # by default no proxy is trusted; and a configured one that is not the peer does not count either
    for trusted in ((), ("192.0.2.0/24",)):
        peer = fresh_address()
        limits = {"rate_limit_sessions_per_address_per_minute": 2, "trusted_proxies": trusted}
        with worker(services, peer, **limits) as client:
            statuses = [
                client.post(
                    "/api/v1/bots/tax/sessions", headers={"X-Forwarded-For": f"198.51.100.{n}, {untrusted}"}
                ).status_code
                for n in range(3)
            ]
            assert statuses == [200, 200, 429], (trusted, statuses)


def test_should_use_the_forwarded_address_for_the_message_limit_too(services) -> None:
    same_minute()
    proxy = fresh_address()
    limits = {"rate_limit_per_address_per_minute": 2, "trusted_proxies": (f"{proxy}/32",)}
    with worker(services, proxy, **limits) as client:
        session_id = client.post("/api/v1/bots/tax/sessions").json()["session_id"]

        def send(forwarded: str) -> int:
            body = {"session_id": session_id, "text": "自動車税の納期限"}
            response = client.post(
                "/api/v1/bots/tax/messages", json=body, headers={"X-Forwarded-For": forwarded}
            )
            return response.status_code

        first, second = fresh_address(), fresh_address()
        assert [send(first) for _ in range(3)] == [200, 200, 429]
        assert send(second) == 200


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], [], "203.0.113.9"),  # nothing trusted: header ignored
        ("203.0.113.9", ["198.51.100.1"], ["10.0.0.0/8"], "203.0.113.9"),  # peer not trusted
        ("10.0.0.2", ["198.51.100.1"], ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", ["6.6.6.6, 198.51.100.1"], ["10.0.0.0/8"], "198.51.100.1"),  # leftmost is made up
        ("10.0.0.2", ["6.6.6.6, 198.51.100.1, 10.0.0.7"], ["10.0.0.0/8"], "198.51.100.1"),  # two proxies
        ("10.0.0.2", ["6.6.6.6", "198.51.100.1"], ["10.0.0.0/8"], "198.51.100.1"),  # header sent twice
        ("10.0.0.2", ["10.0.0.9, 10.0.0.8"], ["10.0.0.0/8"], "10.0.0.9"),  # all inside: the outermost
        ("10.0.0.2", [], ["10.0.0.0/8"], "10.0.0.2"),  # no header
        ("10.0.0.2", ["unknown"], ["10.0.0.0/8"], "10.0.0.2"),  # garbage where the proxy's entry should be
        ("10.0.0.2", ["198.51.100.1:5123"], ["10.0.0.2"], "198.51.100.1"),  # a port on the hop
        ("2001:db8::5", ["2001:db8:1::7"], ["2001:db8::/64"], "2001:db8:1::7"),
        ("::ffff:10.0.0.2", ["[2001:db8:1::7]:443"], ["10.0.0.0/8"], "2001:db8:1::7"),
    ],
)
def test_should_pick_the_rightmost_untrusted_hop(peer, forwarded, trusted, client) -> None:
    assert client_of(peer, forwarded, parse_networks(trusted)) == client


def test_should_refuse_a_trusted_proxy_setting_that_is_not_an_address(services) -> None:
    with pytest.raises(ValueError, match=r"MADOGUCHI_TRUSTED_PROXIES: '10\.0\.0\.0/33'"):
        create_app(
            settings=replace(services.settings, trusted_proxies=("10.0.0.1", "10.0.0.0/33")),
            services=services,
        )


def test_serve_should_stop_with_a_clear_message_on_a_bad_trusted_proxy(tmp_path) -> None:
    from typer.testing import CliRunner

    from madoguchi.cli import app

    env = {
        "MADOGUCHI_TRUSTED_PROXIES": "10.0.0.1, lb.example.org",
        "MADOGUCHI_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    result = CliRunner().invoke(app, ["serve", "--port", "1"], env=env)
    assert result.exit_code == 2 and "lb.example.org" in result.output and "CIDR" in result.output, (
        result.output
    )
    assert not (tmp_path / "x.db").exists()  # stopped before it touched anything
