"""Operating the chat service: rate limits, CORS, retention purge, reloading packs edited on disk."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from chat_platform.resident_services import ResidentServices
from core.settings import Settings
from core.storage.migrate import upgrade
from core.storage.models import Conversation, Message
from madoguchi.app import create_app
from madoguchi.app import start_services as start_platform_services
from madoguchi.cli import app as cli
from tests.conftest import TEST_PACKS


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def start(tmp_path: Path, model_dir: Path, bots: Path = TEST_PACKS, **overrides: object) -> ResidentServices:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    upgrade(url)
    return start_platform_services(
        Settings.from_mapping({"database_url": url, "bots_dir": bots, "model_dir": model_dir, **overrides})
    )


def test_should_limit_messages_per_session_with_retry_after(tmp_path, model_dir) -> None:
    services = start(tmp_path, model_dir, rate_limit_per_minute=3)
    with TestClient(create_app(services=services, watch=False)) as client:
        session_id = client.post("/api/v1/bots/tax/sessions", json={}).json()["session_id"]
        codes = [
            client.post(
                "/api/v1/bots/tax/messages", json={"session_id": session_id, "text": "こんにちは"}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        limited = client.post(
            "/api/v1/bots/tax/messages", json={"session_id": session_id, "text": "こんにちは"}
        )
        assert (
            1 <= int(limited.headers["Retry-After"]) <= 60
            and limited.json()["error"]["code"] == "rate_limited"
        )
    with services.db.session() as session:  # refused messages are not stored
        assert session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 3


def test_should_allow_only_configured_origins(tmp_path, model_dir) -> None:
    services = start(tmp_path, model_dir, cors_origins="https://www.pref.osaka.lg.jp")
    with TestClient(create_app(services=services, watch=False)) as client:
        headers = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        allowed = client.options(
            "/api/v1/bots", headers={**headers, "Origin": "https://www.pref.osaka.lg.jp"}
        )
        assert allowed.headers.get("access-control-allow-origin") == "https://www.pref.osaka.lg.jp"
        refused = client.options("/api/v1/bots", headers={**headers, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in refused.headers
        # the two hot endpoints are answered before FastAPI's routing (api/fast_lane.py): CORS still applies
        origin = {"Origin": "https://www.pref.osaka.lg.jp"}
        started = client.post("/api/v1/bots/tax/sessions", json={}, headers=origin)
        assert started.status_code == 200
        assert started.headers.get("access-control-allow-origin") == "https://www.pref.osaka.lg.jp"
        body = {"session_id": started.json()["session_id"], "text": "こんにちは"}
        answered = client.post("/api/v1/bots/tax/messages", json=body, headers=origin)
        assert answered.headers.get("access-control-allow-origin") == "https://www.pref.osaka.lg.jp"
        other = client.post(
            "/api/v1/bots/tax/messages", json=body, headers={"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


def test_should_purge_conversations_older_than_the_retention(tmp_path, model_dir) -> None:
    services = start(tmp_path, model_dir)
    with TestClient(create_app(services=services, watch=False)) as client:
        for _ in range(2):
            session_id = client.post("/api/v1/bots/tax/sessions", json={}).json()["session_id"]
            client.post(
                "/api/v1/bots/tax/messages", json={"session_id": session_id, "text": "自動車税の期限"}
            )
    with services.db.session() as session:
        old = session.scalars(select(Conversation)).first()
        assert old is not None
        old.last_active_at = datetime.now(UTC) - timedelta(days=400)
    result = CliRunner().invoke(
        cli, ["purge", "--days", "365", "--database-url", services.settings.database_url]
    )
    assert result.exit_code == 0, result.output
    assert "deleted 1 conversation" in result.output
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert (
            session.scalar(select(func.count()).select_from(Message).where(Message.conversation_id == old.id))
            == 0
        )


def test_should_reload_packs_edited_on_disk_and_refuse_a_broken_one(tmp_path, model_dir) -> None:
    bots = tmp_path / "bots"
    shutil.copytree(TEST_PACKS, bots)
    services = start(tmp_path, model_dir, bots=bots)
    due = (
        services.runtime.current.packs.packs["tax"]
        .responses["utter_auto_tax_due_date"]
        .variants["ja"][0]
        .text
    )
    path = bots / "tax" / "responses.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(due.splitlines()[0], "【改定】" + due.splitlines()[0], 1),
        encoding="utf-8",
    )
    assert services.reload_from_disk() == ["tax"]
    services.reload_if_changed(wait=True)
    answer = (
        services.runtime.current.packs.packs["tax"]
        .responses["utter_auto_tax_due_date"]
        .variants["ja"][0]
        .text
    )
    assert answer.startswith("【改定】")
    (bots / "tax" / "nlu.yml").write_text(
        "version: '3.1'\nnlu:\n- intent: x\n   examples: |\n", encoding="utf-8"
    )
    assert services.reload_from_disk() == []
    assert services.runtime.last_error and "tax/nlu.yml" in services.runtime.last_error
    assert (
        services.runtime.current.packs.packs["tax"]
        .responses["utter_auto_tax_due_date"]
        .variants["ja"][0]
        .text
        == answer
    )
