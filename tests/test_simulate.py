"""``madoguchi simulate``: resident traffic played through the real chat API at past moments,
marked simulated, spread over past days in Japan time, and the same for the same seed."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from chat_platform.resident_services import ResidentServices
from chat_platform.simulate import load_scripts, plan, simulate, simulation_settings
from chat_platform.simulate.runner import JAPAN, bot_weights
from core.settings import Settings
from core.storage.database import Database
from core.storage.migrate import upgrade
from core.storage.models import Conversation, Event, Message, RateCounter, Rating
from madoguchi.app import start_services

ROOT = Path(__file__).resolve().parents[1]
DAYS, PER_DAY, SEED = 3, 5, 7
SCRIPTS_BY_BOT = load_scripts(ROOT / "bots")
SCRIPTS = [script for found in SCRIPTS_BY_BOT.values() for script in found]


@dataclass
class Run:
    services: ResidentServices
    today: date
    conversations: list[Conversation]
    messages: list[Message]
    ratings: list[Rating]
    events: list[Event]
    summary: Any

    def transcripts(self) -> list[tuple[Any, ...]]:
        """Each conversation as (bot, start, messages in order), sorted: comparable across databases.

        A resident message is its text; a bot message is the response it came from (utter_…): the bot
        picks among a response's wordings with a draw seeded by the session id, which differs."""
        by_conversation: dict[str, list[Message]] = {}
        for message in self.messages:
            by_conversation.setdefault(message.conversation_id, []).append(message)
        return sorted(
            (
                c.bot_id,
                c.started_at,
                tuple(
                    m.text if m.direction == "in" else f"{m.bot_id}/{m.response}"
                    for m in sorted(by_conversation.get(c.id, []), key=lambda m: m.seq)
                ),
            )
            for c in self.conversations
        )


def _settings(tmp: Path, models: Path, name: str) -> Settings:
    url = f"sqlite:///{tmp / name}"
    upgrade(url)
    return simulation_settings(
        Settings.from_mapping({"database_url": url, "bots_dir": ROOT / "bots", "model_dir": models})
    )


def _run(tmp: Path, models: Path, name: str) -> Run:
    services = start_services(_settings(tmp, models, name))
    today = datetime.now(JAPAN).date()
    summary = simulate(services, days=DAYS, per_day=PER_DAY, seed=SEED, today=today)
    with services.db.session() as session:
        return Run(
            services,
            today,
            list(session.scalars(select(Conversation))),
            list(session.scalars(select(Message))),
            list(session.scalars(select(Rating))),
            list(session.scalars(select(Event))),
            summary,
        )


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory, models: Path):
    run = _run(tmp_path_factory.mktemp("first"), models, "first.db")
    yield run
    run.services.stop()


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory, models: Path):
    run = _run(tmp_path_factory.mktemp("second"), models, "second.db")
    run.services.stop()
    return run


def _japan(moment: datetime) -> datetime:
    """SQLite gives back UTC timestamps without their offset."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(JAPAN)


# ---- played through the API and stored ---------------------------------------------------------------
def test_should_store_simulated_conversations_and_messages(first: Run) -> None:
    assert first.conversations and first.messages
    assert all(c.simulated for c in first.conversations) and all(m.simulated for m in first.messages)
    total = first.summary.total()
    assert len(first.conversations) == total.conversations
    assert len(first.messages) == total.messages
    assert {m.direction for m in first.messages} == {"in", "out"}


def test_should_spread_conversations_over_the_past_days_in_japan_time_and_not_today(first: Run) -> None:
    days = {_japan(c.started_at).date() for c in first.conversations}
    assert days == {first.today - timedelta(days=n) for n in (1, 2, 3)}
    midnight = datetime(first.today.year, first.today.month, first.today.day, tzinfo=JAPAN)
    assert all(_japan(m.created_at) < midnight for m in first.messages)
    assert all(_japan(c.last_active_at) < midnight for c in first.conversations)


def test_should_store_each_message_at_or_after_its_conversations_start(first: Run) -> None:
    started = {c.id: c.started_at for c in first.conversations}
    assert all(m.created_at >= started[m.conversation_id] for m in first.messages)
    assert any(m.created_at > started[m.conversation_id] for m in first.messages)


def test_should_store_ratings_and_events_marked_simulated(first: Run) -> None:
    assert first.ratings and len(first.ratings) == first.summary.total().ratings
    assert all(r.simulated for r in first.ratings) and all(e.simulated for e in first.events)
    assert {e.type for e in first.events} >= {"rating"}


def test_should_give_traffic_to_at_least_four_bots(first: Run) -> None:
    assert len({c.bot_id for c in first.conversations}) >= 4


def test_should_leave_no_rate_counters_behind(first: Run) -> None:
    with first.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(RateCounter)) == 0


def test_should_mark_nothing_as_not_simulated(first: Run) -> None:
    with first.services.db.session() as session:
        for model in (Conversation, Message, Event, Rating):
            real = session.scalar(select(func.count()).select_from(model).where(model.simulated.is_(False)))
            assert real == 0, model.__name__


def test_should_replay_the_same_traffic_for_the_same_seed(first: Run, second: Run) -> None:
    assert first.summary.total() == second.summary.total()
    assert (len(first.conversations), len(first.messages), len(first.ratings)) == (
        len(second.conversations),
        len(second.messages),
        len(second.ratings),
    )
    assert first.transcripts() == second.transcripts()


def test_should_store_the_simulated_moment_of_a_request(first: Run) -> None:
    from fastapi.testclient import TestClient

    from madoguchi.app import create_app

    moment = datetime(2026, 5, 12, 1, 30, 5, tzinfo=UTC)  # 10:30:05 in Osaka
    headers = {"X-Madoguchi-Simulation": "1", "X-Madoguchi-Simulated-Time": moment.isoformat()}
    with TestClient(create_app(services=first.services, watch=False, allow_simulation=True)) as client:
        session_id = client.post("/api/v1/bots/tax/sessions", json={}, headers=headers).json()["session_id"]
        reply = client.post(
            "/api/v1/bots/tax/messages",
            json={"session_id": session_id, "text": "自動車税の期限"},
            headers=headers,
        )
    assert reply.status_code == 200
    with first.services.db.session() as session:
        conversation = session.get(Conversation, session_id)
        assert conversation is not None and conversation.simulated
        stored = session.scalars(
            select(Message.created_at).where(Message.conversation_id == session_id)
        ).all()
    assert _japan(conversation.started_at) == moment and {_japan(at) for at in stored} == {moment}


def test_should_store_a_japan_time_header_as_the_same_moment(first: Run) -> None:
    from fastapi.testclient import TestClient

    from madoguchi.app import create_app

    moment = datetime(2026, 5, 12, 10, 30, 5, tzinfo=JAPAN)
    headers = {"X-Madoguchi-Simulation": "1", "X-Madoguchi-Simulated-Time": moment.isoformat()}
    with TestClient(create_app(services=first.services, watch=False, allow_simulation=True)) as client:
        session_id = client.post("/api/v1/bots/tax/sessions", json={}, headers=headers).json()["session_id"]
    with first.services.db.session() as session:
        conversation = session.get(Conversation, session_id)
        assert conversation is not None
    assert _japan(conversation.started_at) == moment


def test_should_not_mark_traffic_without_the_simulation_header(first: Run) -> None:
    from fastapi.testclient import TestClient

    from madoguchi.app import create_app

    headers = {"X-Madoguchi-Simulated-Time": "2020-01-01T00:00:00+00:00"}  # ignored without the marker
    with TestClient(create_app(services=first.services, watch=False, allow_simulation=True)) as client:
        session_id = client.post("/api/v1/bots/tax/sessions", json={}, headers=headers).json()["session_id"]
    with first.services.db.session() as session:
        conversation = session.get(Conversation, session_id)
        assert conversation is not None and not conversation.simulated
        assert _japan(conversation.started_at).year >= 2024
        session.delete(conversation)  # the other tests expect a database of simulated traffic only


# ---- planning ---------------------------------------------------------------------------------------
def test_should_plan_fewer_conversations_on_weekends_and_peak_in_office_hours() -> None:
    # 5 Oct – 1 Nov 2026; Monday 12 Oct (Sports Day) is a holiday
    planned = plan(days=28, per_day=40, seed=1, scripts=SCRIPTS_BY_BOT, today=date(2026, 11, 2))
    per_weekday = Counter(p.at.weekday() for p in planned)
    assert min(per_weekday[d] for d in (1, 2, 3, 4)) > 1.5 * max(per_weekday[5], per_weekday[6])
    hours = Counter(p.at.hour for p in planned if p.at.weekday() < 5)
    assert hours[10] > 1.5 * hours[20] > 0 and hours[14] > 3 * hours[3]
    assert 0.8 * 28 * 40 < len(planned) < 1.2 * 28 * 40


def test_should_weight_tax_heavier_in_the_automobile_tax_season() -> None:
    def share(month: int, bot: str) -> float:
        planned = plan(days=30, per_day=40, seed=3, scripts=SCRIPTS_BY_BOT, today=date(2026, month, 28))
        return sum(p.script.bot == bot for p in planned) / len(planned)

    assert share(5, "tax") > 1.5 * share(11, "tax")
    assert share(11, "consumer") == pytest.approx(share(5, "consumer"), abs=0.05)
    for month in range(1, 13):  # the front door stays the most common bot; the COVID bots stay light
        weights = bot_weights(month, list(SCRIPTS_BY_BOT))
        assert max(weights, key=lambda bot: weights[bot]) == "inquiry"
        assert weights["covid_tracing"] < weights["consumer"] / 3


def test_should_plan_the_same_traffic_for_the_same_seed_and_other_traffic_for_another() -> None:
    def summary(seed: int) -> list[tuple[datetime, str, int]]:
        return [(p.at, p.script.name, p.seed) for p in plan(5, 20, seed, SCRIPTS_BY_BOT, date(2026, 6, 10))]

    assert summary(4) == summary(4) and summary(4) != summary(5)


# ---- the scripts ------------------------------------------------------------------------------------
def test_should_have_at_least_forty_distinct_multi_turn_scripts_for_all_six_bots() -> None:
    assert len({s.name for s in SCRIPTS}) == len(SCRIPTS) >= 40
    # the simulated bots are the folders with a simulation.yml: every bot residents can open
    residents_bots = {p.name for p in (ROOT / "bots").iterdir() if (p / "bot.yml").is_file()} - {"common"}
    assert {s.bot for s in SCRIPTS} == set(SCRIPTS_BY_BOT) == residents_bots
    assert all(s.bot == bot for bot, found in SCRIPTS_BY_BOT.items() for s in found)
    assert sum(len(s.steps) >= 3 for s in SCRIPTS) >= 35
    assert {s.language for s in SCRIPTS} == {"ja", "en"}
    pressed = [step.button for s in SCRIPTS for step in s.steps if step.button]
    assert "/auto_tax_payment" in pressed and "訪問販売" in pressed


def test_should_plan_the_bots_in_the_order_that_keeps_each_seeds_traffic() -> None:
    # which bot takes which of the first random draws follows this order (BASE_WEIGHTS'), not the folders'
    assert list(SCRIPTS_BY_BOT) == [
        "inquiry",
        "tax",
        "consumer",
        "covid_general",
        "covid_tracing",
        "covid_sticker",
    ]


def test_should_simulate_a_bot_once_its_folder_has_a_simulation_yml(tmp_path: Path) -> None:
    # Given the shipped bots and a new bot folder with a simulation.yml
    bots = tmp_path / "bots"
    shutil.copytree(ROOT / "bots", bots)
    (bots / "parks").mkdir()
    (bots / "parks" / "bot.yml").write_text((ROOT / "bots" / "tax" / "bot.yml").read_text(encoding="utf-8"))
    (bots / "parks" / "simulation.yml").write_text(
        "bot: parks\nscripts:\n- script: parks_hours\n  steps:\n  - texts: [府立公園は何時まで開いてる？]\n",
        encoding="utf-8",
    )
    # When its scripts are loaded and traffic is planned
    scripts = load_scripts(bots)
    planned = plan(days=30, per_day=40, seed=1, scripts=scripts, today=date(2026, 11, 2))
    # Then it is planned after the others, with a light share of the conversations
    assert list(scripts) == [*SCRIPTS_BY_BOT, "parks"]
    share = sum(p.script.bot == "parks" for p in planned) / len(planned)
    assert 0.01 < share < 0.08


def test_should_not_copy_training_examples_verbatim() -> None:
    examples = set()
    for path in (ROOT / "bots").glob("*/nlu.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in (block.get("examples") or "").splitlines():
                text = re.sub(
                    r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}", r"\1\2", line.strip().removeprefix("- ")
                )
                examples.add(text.strip())
    # Short answers (greetings, thanks, dates, transaction types) cannot help coinciding; sentences must not.
    copied = {t for s in SCRIPTS for step in s.steps for t in step.texts if t in examples and len(t) > 12}
    assert not copied


def test_cli_should_add_traffic_and_print_a_summary(
    tmp_path: Path, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chat_platform.cli import simulate as simulate_cli

    app = typer.Typer()  # the command alone, as `madoguchi simulate` registers it
    simulate_cli.register(app, start_services)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", url)
    monkeypatch.setenv("MADOGUCHI_BOTS_DIR", str(ROOT / "bots"))
    monkeypatch.setenv("MADOGUCHI_MODEL_DIR", str(models))
    arguments = ["--days", "1", "--conversations-per-day", "3", "--seed", "2", "--database-url", url]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert "inquiry" in result.output and "total" in result.output
    again = CliRunner().invoke(app, arguments)
    assert again.exit_code == 0, again.output
    database = Database(url)
    with database.session() as session:
        count = session.scalar(select(func.count()).select_from(Conversation))
    database.dispose()
    assert count and count % 2 == 0  # run twice: the same traffic added twice
    assert CliRunner().invoke(app, ["--days", "0"]).exit_code == 2
