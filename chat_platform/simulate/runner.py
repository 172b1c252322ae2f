"""Play the resident scripts through the real chat API, at past moments, marked as simulated.

The app is built in-process with ``allow_simulation=True`` and driven with Starlette's TestClient, so
every message goes through the real routes, validation, dialogue and storage. Two headers do the
rest: ``X-Madoguchi-Simulation: 1`` marks the conversation, its messages, events and ratings as
simulated, and ``X-Madoguchi-Simulated-Time`` makes each request happen at its planned moment.

Traffic is planned from one ``random.Random(seed)``: how many conversations each day (fewer on
weekends and holidays), when (office hours peak, some evening and night traffic), which bot (the
front door most, tax heavier in April–June, the COVID bots lighter) and which script. Each
conversation then draws from its own generator, so the same seed on the same day gives the same
traffic. Running again adds more conversations; it never replaces earlier ones.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import holidays
from sqlalchemy import delete

from core.settings import Settings
from core.storage.models import RateCounter
from shared_nlu.clock import JAPAN
from shared_nlu.pack import PackError
from shared_nlu.pack.simulation import ANY_BUTTON, Script, Step, load_simulations

from ..resident_services import ResidentServices

SIMULATION_HEADER = "X-Madoguchi-Simulation"
TIME_HEADER = "X-Madoguchi-Simulated-Time"

# Share of conversations per bot (the window the resident opened), before the seasonal factor. The bots
# simulated are those with a simulation.yml; this order is also the order they are planned in (which bot
# gets which of the first random draws), so the same seed keeps giving the same traffic.
BASE_WEIGHTS = {
    "inquiry": 0.34,  # the front door: the most common in every month
    "tax": 0.17,
    "consumer": 0.20,  # steady all year
    "covid_general": 0.09,
    "covid_tracing": 0.04,  # the system ended on 2022-12-31; some residents still ask
    "covid_sticker": 0.04,
}
DEFAULT_WEIGHT = 0.05  # a bot given a simulation.yml and no share above: light, like the COVID bots
# The automobile tax notice arrives in early May and is due on 31 May: tax traffic peaks then.
TAX_SEASON = {3: 1.1, 4: 1.5, 5: 1.9, 6: 1.5, 7: 1.1}
COVID_WINTER = {12: 1.3, 1: 1.3, 2: 1.2}  # colds and flu: more COVID questions in winter

# Relative traffic per hour of the day (Japan time).
WEEKDAY_HOURS = (
    0.3,
    0.15,
    0.1,
    0.05,
    0.05,
    0.1,
    0.3,
    0.8,
    1.6,
    4.0,
    5.0,
    4.8,
    2.6,
    4.4,
    4.8,
    4.5,
    4.0,
    2.6,
    1.8,
    1.7,
    1.9,
    1.8,
    1.2,
    0.6,
)
WEEKEND_HOURS = (
    0.4,
    0.2,
    0.1,
    0.05,
    0.05,
    0.1,
    0.2,
    0.5,
    1.0,
    1.8,
    2.4,
    2.6,
    2.2,
    2.4,
    2.6,
    2.5,
    2.2,
    2.0,
    1.8,
    1.9,
    2.2,
    2.1,
    1.5,
    0.8,
)
WEEKDAY_FACTOR, SATURDAY_FACTOR, HOLIDAY_FACTOR = 1.2, 0.55, 0.45  # a week averages 1.0


class SimulationError(RuntimeError):
    """The chat API refused a simulated request (a bug in the simulator or in the API)."""


@dataclass(frozen=True)
class PlannedConversation:
    at: datetime  # when the resident opens the chat (Japan time)
    script: Script
    seed: int  # the conversation's own random generator


@dataclass
class BotTally:
    conversations: int = 0
    resident_messages: int = 0
    bot_messages: int = 0
    ratings: int = 0
    helpful: int = 0

    @property
    def messages(self) -> int:
        return self.resident_messages + self.bot_messages


@dataclass
class Summary:
    first_day: date
    last_day: date
    seed: int
    bots: dict[str, BotTally] = field(default_factory=dict)  # every simulated bot, in planning order
    seconds: float = 0.0

    def total(self) -> BotTally:
        total = BotTally()
        for tally in self.bots.values():
            for name in ("conversations", "resident_messages", "bot_messages", "ratings", "helpful"):
                setattr(total, name, getattr(total, name) + getattr(tally, name))
        return total


def simulation_settings(settings: Settings) -> Settings:
    """The settings with rate limits lifted: the simulator sends every request from one address."""
    return replace(
        settings,
        rate_limit_per_minute=1_000_000,
        rate_limit_per_address_per_minute=1_000_000_000,
        rate_limit_sessions_per_address_per_minute=1_000_000_000,
    )


# ---- planning ------------------------------------------------------------------------------------
def load_scripts(bots_dir: Path) -> dict[str, tuple[Script, ...]]:
    """Each bot's scripts from ``bots_dir/<bot>/simulation.yml``, bots in planning order."""
    try:
        scripts = load_simulations(bots_dir)
    except PackError as exc:
        raise SimulationError(
            f"the simulation scripts have errors (run `madoguchi validate {bots_dir}` for all of them): "
            + "; ".join(d.format().replace("\n    ", " ") for d in exc.diagnostics[:3])
        ) from exc
    if not scripts:
        raise SimulationError(
            f"no scripts to play: no bot folder in {bots_dir} has a simulation.yml with scripts"
        )
    return {bot: scripts[bot] for bot in planning_order(scripts)}


def planning_order(bots: Iterable[str]) -> list[str]:
    """The bots of BASE_WEIGHTS in its order, then any others by name."""
    return sorted(
        bots,
        key=lambda bot: (list(BASE_WEIGHTS).index(bot) if bot in BASE_WEIGHTS else len(BASE_WEIGHTS), bot),
    )


def bot_weights(month: int, bots: Sequence[str]) -> dict[str, float]:
    """Each bot's share of the conversations opened in ``month`` (among ``bots``; they sum to 1)."""
    weights = {bot: BASE_WEIGHTS.get(bot, DEFAULT_WEIGHT) for bot in bots}
    if "tax" in weights:
        weights["tax"] *= TAX_SEASON.get(month, 1.0)
    if "covid_general" in weights:
        weights["covid_general"] *= COVID_WINTER.get(month, 1.0)
    total = sum(weights.values())
    return {bot: weight / total for bot, weight in weights.items()}


def day_factor(day: date, public_holidays: Any) -> float:
    year_end = (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)
    if day.weekday() == 6 or day in public_holidays or year_end:
        return HOLIDAY_FACTOR
    return SATURDAY_FACTOR if day.weekday() == 5 else WEEKDAY_FACTOR


def plan(
    days: int, per_day: int, seed: int, scripts: Mapping[str, Sequence[Script]], today: date | None = None
) -> list[PlannedConversation]:
    """The conversations to play over the ``days`` days ending yesterday (Japan time), in time order,
    among the bots of ``scripts`` (bot → its scripts, see :func:`load_scripts`)."""
    bots = planning_order(scripts)
    today = today or datetime.now(JAPAN).date()
    rng = random.Random(seed)
    first = today - timedelta(days=days)
    public_holidays = holidays.country_holidays("JP", years=range(first.year, today.year + 1))
    moments: list[datetime] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        factor = day_factor(day, public_holidays)
        count = max(0, round(per_day * factor * rng.uniform(0.85, 1.15)))
        hours = WEEKDAY_HOURS if factor == WEEKDAY_FACTOR else WEEKEND_HOURS
        midnight = datetime(day.year, day.month, day.day, tzinfo=JAPAN)
        for hour in rng.choices(range(24), weights=hours, k=count):
            moments.append(midnight + timedelta(hours=hour, seconds=rng.randrange(3600)))
    moments.sort()
    # Bots by smooth weighted round robin: each bot gets its share even in a short run, and the
    # random moments above keep the order from looking regular.
    credit = {bot: rng.random() for bot in bots}
    planned = []
    for at in moments:
        weights = bot_weights(at.month, bots)
        for bot in bots:
            credit[bot] += weights[bot]
        bot = max(bots, key=lambda b: credit[b])
        credit[bot] -= 1.0
        planned.append(
            PlannedConversation(at, _pick_script(rng, scripts[bot], at.month), rng.getrandbits(64))
        )
    return planned


def _pick_script(rng: random.Random, candidates: Sequence[Script], month: int) -> Script:
    weights = [s.weight * (3.0 if month in s.peak_months else 1.0) for s in candidates]
    return rng.choices(candidates, weights=weights, k=1)[0]


# ---- playing -------------------------------------------------------------------------------------
def simulate(
    services: ResidentServices,
    days: int = 30,
    per_day: int = 40,
    seed: int = 0,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Play the planned conversations through the widget API of an in-process app.

    ``progress(done, total)`` is called after each conversation. Returns counts per bot.
    """
    with warnings.catch_warnings():  # Starlette suggests another HTTP client for TestClient; irrelevant here
        warnings.simplefilter("ignore", UserWarning)
        from fastapi.testclient import TestClient  # imported here: only the simulator needs it

    from core.web.app import build_app

    from ..app import resident_part

    started = time.perf_counter()
    today = today or datetime.now(JAPAN).date()
    scripts = load_scripts(services.settings.bots_dir)
    public = services.runtime.current.bot_ids()
    served = {bot: found for bot, found in scripts.items() if bot in public}  # a pack may have been removed
    if not served:
        raise SimulationError(f"none of the simulated bots ({', '.join(scripts)}) is served")
    planned = plan(days, per_day, seed, served, today)
    summary = Summary(
        today - timedelta(days=days), today - timedelta(days=1), seed, {bot: BotTally() for bot in scripts}
    )
    app = build_app(
        services.settings, [resident_part(allow_simulation=True)], lambda: services, services, watch=False
    )
    sessions = []
    with TestClient(app) as client:
        for done, conversation in enumerate(planned, start=1):
            sessions.append(_play(client, conversation, summary.bots[conversation.script.bot]))
            if progress is not None:
                progress(done, len(planned))
    _drop_rate_counters(services, sessions)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass(frozen=True)
class _Draws:
    """Every random value a step may need, drawn whether used or not, so that one changed answer
    does not shift the rest of the conversation."""

    send: float
    variant: float
    button: float
    pause: float
    rate: float
    helpful: float

    @classmethod
    def take(cls, rng: random.Random) -> _Draws:
        return cls(rng.random(), rng.random(), rng.random(), rng.random(), rng.random(), rng.random())


def _play(client: Any, conversation: PlannedConversation, tally: BotTally) -> str:
    """Play one conversation; returns its session id."""
    script = conversation.script
    rng = random.Random(conversation.seed)
    day_end = conversation.at.replace(hour=23, minute=59, second=59)
    at = conversation.at

    def headers() -> dict[str, str]:  # the moment in Japan time, e.g. 2026-05-12T10:30:05+09:00
        return {SIMULATION_HEADER: "1", TIME_HEADER: min(at, day_end).isoformat()}

    body = _post(client, f"/api/v1/bots/{script.bot}/sessions", {"language": script.language}, headers())
    session_id = body["session_id"]
    tally.conversations += 1
    buttons: list[dict[str, str]] = []
    for number, step in enumerate(script.steps):
        draws = _Draws.take(rng)
        if draws.send >= step.chance:
            continue
        text = _text(step, buttons, draws)
        if text is None:
            continue
        pressed = text.startswith("/")
        pause = (4 + 21 * draws.pause) if pressed else (20 + 80 * draws.pause)
        at += timedelta(seconds=round(pause if number else 5 + 30 * draws.pause))
        reply = _post(
            client,
            f"/api/v1/bots/{script.bot}/messages",
            {"session_id": session_id, "text": text},
            headers(),
            script,
        )
        messages = reply["messages"]
        tally.resident_messages += 1
        tally.bot_messages += len(messages)
        rateable = [m for m in messages if m.get("rateable") and m.get("id")]
        if rateable and draws.rate < step.rate:
            helpful = draws.helpful < step.helpful
            at += timedelta(seconds=3 + round(12 * draws.pause))
            _post(
                client,
                f"/api/v1/messages/{rateable[-1]['id']}/rating",
                {"session_id": session_id, "helpful": helpful},
                headers(),
                script,
            )
            tally.ratings += 1
            tally.helpful += helpful
        buttons = [b for m in messages for b in m.get("buttons") or []]
    return session_id


def _drop_rate_counters(services: ResidentServices, sessions: list[str]) -> None:
    """The rate limiter counted each simulated session (and the test client's address) in the
    current minute; those counters would only sit in the table, so they are removed."""
    keys = [f"s:{session_id}" for session_id in sessions] + ["a:testclient", "n:testclient"]  # n: starts
    with services.db.session() as session:
        for start in range(0, len(keys), 500):
            session.execute(delete(RateCounter).where(RateCounter.key.in_(keys[start : start + 500])))


def _text(step: Step, buttons: list[dict[str, str]], draws: _Draws) -> str | None:
    """What the resident sends for ``step``: a button's payload when it is offered, else typed text."""
    if step.button == ANY_BUTTON and buttons:
        return buttons[int(draws.button * len(buttons))]["payload"]
    if step.button is not None:
        for button in buttons:  # a title may go on: 「訪問購入（自宅での買取り）」 is pressed as 「訪問購入」
            if step.button == button["payload"] or button["title"].startswith(step.button):
                return button["payload"]
    if step.texts:
        return step.texts[int(draws.variant * len(step.texts))]
    return None


def _post(
    client: Any, path: str, body: dict[str, Any], headers: dict[str, str], script: Script | None = None
) -> dict[str, Any]:
    response = client.post(path, json=body, headers=headers)
    if response.status_code != 200:
        where = f" (script {script.name})" if script else ""
        raise SimulationError(f"POST {path} answered {response.status_code}{where}: {response.text[:300]}")
    result: dict[str, Any] = response.json()
    return result
