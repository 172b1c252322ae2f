"""Load: many residents chatting at once with ``madoguchi serve --workers N``, then the database checked.

    python bench/load.py [--database postgresql|sqlite] [--workers 2] [--sessions 100]
                         [--duration 30] [--warmup 5] [--rate 500] [--connections 100]

Starts ``madoguchi serve --workers N`` on a database of its own — PostgreSQL: a database created on
127.0.0.1:5432 for the run and dropped afterwards; SQLite: a file in a temporary folder — with the
rate limits lifted (``MADOGUCHI_RATE_LIMIT_PER_MINUTE`` and ``…_PER_ADDRESS_PER_MINUTE``). A load
generator in a separate process (asyncio streams, a minimal HTTP/1.1 client; at most ``--connections``
keep-alive connections, one client each) then plays ``--sessions`` residents at once; each opens a session, plays one of the conversations
below (3–6 turns: tax, the consumer cooling-off form, inquiry routing, fallback, thanks), and
starts another, until the run ends. ``--rate`` is the offered load in resident messages per second
(the residents pace themselves so that together they send at most that many; an answer that comes
late delays that resident's next message, as it would a person's); ``--rate 0`` sends as fast as the
service answers (its capacity). Every message carries an idempotency key; a request that fails with a
network error or a 5xx is retried with the same key (at most three times).

Figures are taken over ``--duration`` seconds after ``--warmup`` seconds. Afterwards the database is
checked: one incoming message row per acknowledged message (none lost, none stored twice, none
stored that was never acknowledged), each with its answer (outgoing rows whose ``reply_to`` is it).

Only 127.0.0.1 is contacted; the run is bounded in time (``--duration``, startup ≤ 300 s, requests
time out after 10 s) and in count (``--max-messages``). Nothing is written into the repository: the
database, logs and trained models live in temporary folders (models are cached between runs in
``$TMPDIR/madoguchi-load-models`` unless ``--model-dir`` says otherwise).

Prints figures — with the CPU each message cost the workers, PostgreSQL and the load generator,
read from /proc (Linux), which says more than latencies on a shared machine — then one JSON object
on the last line. Target: ≥ 500 resident messages/s with p99 ≤
100 ms, zero lost or duplicated messages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
TARGETS = {"messages_per_second": 500.0, "p99_ms": 100.0}
REQUEST_TIMEOUT = 10.0
RETRIES = 3

# (name, bot, turns): what residents type or press, with the answer each turn is written to reach
# (checked on the first message of each reply; a wrong answer under load means a lost state).
CONVERSATIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "tax_due_date",
        "tax",
        (
            ("こんにちは", "utter_greet"),
            ("自動車税の納期限はいつですか", "utter_auto_tax_due_date"),
            ("/auto_tax_payment", "utter_auto_tax_payment"),
            ("ありがとうございました", "utter_thanks"),
        ),
    ),
    (
        "tax_moved",
        "tax",
        (
            ("引っ越したんやけど自動車税の納税通知書ってどこに届くん？", "utter_auto_tax_moved"),
            ("車を廃車にしたら自動車税はどうなりますか", "utter_auto_tax_scrapped_or_sold"),
            ("ありがと", "utter_thanks"),
        ),
    ),
    (
        "tax_late",
        "tax",
        (
            ("自動車税の支払いを忘れてました。延滞金はかかりますか", "utter_late_payment"),
            ("府税事務所の電話番号を教えて", "utter_tax_office_contact"),
            ("住民税のことも聞けますか", "utter_residence_tax_redirect"),
            ("おおきに、助かりました", "utter_thanks"),
        ),
    ),
    (
        "tax_certificate",
        "tax",
        (
            ("車検に使う納税証明書がほしい", "utter_auto_tax_certificate"),
            ("コンビニで払っても証明書はもらえる？", "utter_auto_tax_certificate"),
            ("よくわかりました。ありがとうございます", "utter_thanks"),
        ),
    ),
    (
        "consumer_cooling_off_form",
        "consumer",
        (
            ("クーリングオフできるか確認したい", "utter_ask_transaction_type"),
            ('/inform{"transaction_type": "訪問販売"}', "utter_ask_received_date"),
            ("きのう", "utter_cooling_off_running"),
            ("消費者ホットラインの電話番号を教えて", "utter_hotline"),
            ("ありがとうございました", "utter_thanks"),
        ),
    ),
    (
        "consumer_door_to_door_form",
        "consumer",
        (
            ("屋根の点検って言うて知らん業者が来て契約してもうた", "utter_door_to_door_sales"),
            ("訪問販売で契約したけどクーリングオフできるか確認したい", "utter_ask_received_date"),
            ("おととい", "utter_cooling_off_running"),
            ("ありがとう！", "utter_thanks"),
        ),
    ),
    (
        "consumer_subscription",
        "consumer",
        (
            ("お試しのつもりが定期購入になってた", "utter_subscription_trap"),
            ("消費生活センターは土曜日もやってますか", "utter_center_hours"),
            ("助かったわ〜ありがとう", "utter_thanks"),
        ),
    ),
    (
        "inquiry_passport",
        "inquiry",
        (
            ("すみません、ちょっと教えてください", "utter_greet"),
            ("パスポートはどこで作れますか", "utter_passport"),
            ("府庁ってどこにあるんでしたっけ", "utter_office_access"),
            ("ありがとうございました", "utter_thanks"),
        ),
    ),
    (
        "inquiry_routing",
        "inquiry",
        (
            ("自動車税って何日までに払えばいい？", "utter_routed"),
            ("新型コロナの療養証明書ってまだ出してもらえますか", "utter_routed"),
            ("マイナンバーカードの更新ってここで聞けますか", "utter_municipal_redirect"),
            ("ほな、失礼します", "utter_goodbye"),
        ),
    ),
    (
        "inquiry_disaster",
        "inquiry",
        (
            ("台風が来てるけど避難所ってどこで調べたらええの", "utter_disaster_info"),
            ("ハザードマップってどこで見られますか", "utter_disaster_info"),
            ("ありがと", "utter_thanks"),
        ),
    ),
    (
        "fallback_then_housing",
        "inquiry",
        (
            ("ところで今日の晩ごはん何がいいと思う？", "utter_nlu_fallback"),
            ("阪神きのう勝った？", "utter_offer_handoff"),
            ("府営住宅って今は募集してますか？", "utter_prefectural_housing"),
            ("ありがとう", "utter_thanks"),
        ),
    ),
    (
        "covid_sticker",
        "covid_sticker",
        (
            ("感染防止宣言ステッカーってまだ申請できますか", "utter_how_to_apply"),
            ("ステッカーをなくしたら再発行できますか", "utter_print_and_display"),
            ("おおきに", "utter_thanks"),
        ),
    ),
    (
        "greet_and_thanks",
        "tax",
        (
            ("こんにちは", "utter_greet"),
            ("ありがとう", "utter_thanks"),
            ("さよなら〜", "utter_goodbye"),
        ),
    ),
)


# ---- the service ---------------------------------------------------------------------------------
@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A database of the run's own: a fresh PostgreSQL database (dropped afterwards) or an SQLite file."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'load.db'}"
        return
    import psycopg

    name = f"madoguchi_load_{os.getpid()}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.format(name=name)
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def service(url: str, workers: int, folder: Path, model_dir: Path) -> Iterator[tuple[str, int]]:
    """``madoguchi serve --workers N`` in its own process group; yields its base URL and process id
    once every worker has finished starting; stopped (SIGTERM to the group) afterwards."""
    import httpx

    port = free_port()
    environment = {
        **os.environ,
        "MADOGUCHI_BOTS_DIR": str(ROOT / "bots"),
        "MADOGUCHI_MODEL_DIR": str(model_dir),
        "MADOGUCHI_RATE_LIMIT_PER_MINUTE": "1000000000",
        "MADOGUCHI_RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "1000000000",
        "MADOGUCHI_RATE_LIMIT_SESSIONS_PER_ADDRESS_PER_MINUTE": "1000000000",
    }
    command = [
        str(Path(sys.executable).parent / "madoguchi"),
        "serve",
        "--workers",
        str(workers),
        "--port",
        str(port),
        "--database-url",
        url,
    ]
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=folder, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            text = log_path.read_text(encoding="utf-8", errors="replace")
            if process.poll() is not None:
                raise SystemExit(f"madoguchi serve exited ({process.returncode}):\n{text[-3000:]}")
            if text.count("Application startup complete.") >= workers:
                try:
                    if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                died = text.count("died")
                hint = (
                    f" ({died} worker(s) died while starting: see the uvicorn health check)" if died else ""
                )
                raise SystemExit(
                    f"madoguchi serve did not start {workers} workers in 300 s{hint}:\n{text[-3000:]}"
                )
            time.sleep(0.5)
        yield base, process.pid
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        restarted = log_path.read_text(encoding="utf-8", errors="replace").count("died")
        if restarted:
            print(f"warning: {restarted} worker(s) died and were restarted during the run", file=sys.stderr)


# ---- where the CPU goes ----------------------------------------------------------------------------
def cpu_ms(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc), in milliseconds."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    if not Path("/proc").is_dir():  # not Linux: no CPU figures
        return []
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def postgres_usage(url: str) -> tuple[dict[int, float], dict[int, str], int]:
    """CPU (ms) of each PostgreSQL backend serving the run's database, what each one is (its
    application name, or its kind such as autovacuum), and the sessions opened on the database."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as connection:
        kinds = {
            pid: application or kind
            for pid, application, kind in connection.execute(
                "SELECT pid, application_name, backend_type FROM pg_stat_activity WHERE datname = %s", (name,)
            )
        }
        row = connection.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", (name,)
        ).fetchone()
    return {pid: cpu_ms([pid]) for pid in kinds}, kinds, int(row[0]) if row else 0


@dataclass
class Usage:
    """CPU used by the service's workers and its PostgreSQL backends between two samples."""

    server: int
    url: str
    workers_ms: float = 0.0
    backends: dict[int, float] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    sessions: int = 0

    def sample(self) -> Usage:
        usage = Usage(self.server, self.url, cpu_ms(process_tree(self.server)))
        if self.url.startswith("postgresql"):
            usage.backends, usage.kinds, usage.sessions = postgres_usage(self.url)
        return usage

    def since(self, before: Usage) -> dict[str, Any]:
        # a backend that ended during the run is not counted (the pool keeps most connections open)
        by_kind: Counter[str] = Counter()
        for pid, ms in self.backends.items():
            by_kind[self.kinds.get(pid, "?")] += ms - before.backends.get(pid, 0.0)
        return {
            "workers_ms": self.workers_ms - before.workers_ms,
            "postgres_ms": sum(by_kind.values()),
            "postgres_ms_by_backend": dict(by_kind),
            "postgres_connections_opened": self.sessions - before.sessions,
        }


# ---- the load generator (a separate process) ------------------------------------------------------
@dataclass
class Tally:
    measure_from: float
    measure_to: float
    latencies: list[float] = field(default_factory=list)  # ms, acknowledged messages in the window
    session_latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)  # status or exception, in the window
    acknowledged: list[tuple[str, str]] = field(default_factory=list)  # (session id, key), all
    window_messages: int = 0
    replayed: int = 0
    unexpected: Counter[str] = field(default_factory=Counter)  # "conversation/turn: got" answers
    abandoned: int = 0  # conversations given up (a message failed after retries)
    sent: int = 0  # message requests made (with retries), all
    sessions: int = 0  # sessions started, all

    def in_window(self, moment: float) -> bool:
        return self.measure_from <= moment < self.measure_to


class _Answers(asyncio.Protocol):
    """Reads HTTP/1.1 answers off one connection as they arrive (``Content-Length`` bodies only)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not an asyncio.Transport subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        answer = self._answer()
        if answer is not None and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionResetError("the service closed the connection"))

    def _answer(self) -> tuple[int, bytes, bool] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).lower()
        length, keep_alive = 0, True
        for line in head.split(b"\r\n")[1:]:
            if line.startswith(b"content-length:"):
                length = int(line[15:])
            elif line.startswith(b"connection:") and b"close" in line:
                keep_alive = False
        if len(self.buffer) < end + 4 + length:
            return None
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        return int(head[9:12]), body, keep_alive


class Connection:
    """One keep-alive HTTP/1.1 connection, as a resident's browser keeps one, on an asyncio
    protocol. httpx cost the generator 2.3–4 ms of CPU per message (more than the service is allowed
    at 500 messages/s on two shared cores), asyncio's streams 0.33 ms; this less. It speaks only
    what the service answers: ``Content-Length`` bodies, no chunking, no redirects."""

    def __init__(self, base: str) -> None:
        host_port = base.removeprefix("http://")
        self.host, port = host_port.rsplit(":", 1)
        self.port = int(port)
        self.protocol: _Answers | None = None
        self.busy = asyncio.Lock()  # several residents may share a connection: one request at a time

    async def request(self, path: str, payload: bytes) -> tuple[int, bytes]:
        async with self.busy:
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    return await self._exchange(path, payload)
            except BaseException:
                self.close()  # a half-read answer would poison the next request on this connection
                raise

    async def _exchange(self, path: str, payload: bytes) -> tuple[int, bytes]:
        loop = asyncio.get_running_loop()
        if self.protocol is None or self.protocol.transport is None:
            _, self.protocol = await loop.create_connection(_Answers, self.host, self.port)
        protocol = self.protocol
        assert protocol.transport is not None
        protocol.waiter = loop.create_future()
        protocol.transport.write(
            b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (path.encode(), self.host.encode(), len(payload), payload)
        )
        status, body, keep_alive = await protocol.waiter
        if not keep_alive:
            self.close()
        return status, body

    def close(self) -> None:
        if self.protocol is not None and self.protocol.transport is not None:
            self.protocol.transport.close()
        self.protocol = None


async def post(
    client: Connection, tally: Tally, path: str, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """One request; returns (status, body) or (0, {}) after a network error, counted in ``errors``."""
    started = time.monotonic()
    try:
        status, raw = await client.request(path, json.dumps(body).encode())
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        if tally.in_window(started):
            tally.errors[type(exc).__name__] += 1
        return 0, {}
    if status != 200 and tally.in_window(started):
        tally.errors[str(status)] += 1
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, {}


async def resident(
    number: int, client: Connection, tally: Tally, interval: float, seed: int, max_messages: int
) -> None:
    """One resident after another at one chat window: a conversation, then the next, until the end."""
    rng = random.Random(seed * 100_003 + number)
    next_at = time.monotonic() + rng.uniform(0, interval)
    while time.monotonic() < tally.measure_to:
        name, bot, turns = rng.choice(CONVERSATIONS)
        started = time.monotonic()
        status, body = await post(client, tally, f"/api/v1/bots/{bot}/sessions", {})
        if status != 200:
            await asyncio.sleep(0.1)
            continue
        if tally.in_window(started):
            tally.session_latencies.append((time.monotonic() - started) * 1000)
        session_id = body["session_id"]
        tally.sessions += 1
        for turn, (text, expect) in enumerate(turns):
            if interval:
                next_at = max(next_at + interval * rng.uniform(0.5, 1.5), time.monotonic())
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if time.monotonic() >= tally.measure_to or tally.sent >= max_messages:
                return
            key = uuid.uuid4().hex
            message = {"session_id": session_id, "text": text, "idempotency_key": key}
            for _attempt in range(RETRIES + 1):
                started = time.monotonic()
                tally.sent += 1
                status, body = await post(client, tally, f"/api/v1/bots/{bot}/messages", message)
                if status == 200 or (status and status < 500):
                    break
                await asyncio.sleep(0.2)
            if status != 200:
                tally.abandoned += 1
                break
            tally.acknowledged.append((session_id, key))
            tally.replayed += bool(body.get("replayed"))
            if tally.in_window(started):
                tally.window_messages += 1
                tally.latencies.append((time.monotonic() - started) * 1000)
            got = body["messages"][0]["response"] if body.get("messages") else "(none)"
            if got != expect:
                tally.unexpected[f"{name}/{turn + 1}: {got}"] += 1


async def generate(args: argparse.Namespace) -> None:
    start = time.monotonic()
    tally = Tally(start + args.warmup, start + args.warmup + args.duration)
    interval = args.sessions / args.rate if args.rate else 0.0  # seconds between one resident's messages
    pool = [Connection(args.base) for _ in range(min(args.connections, args.sessions))]
    cpu_before = time.process_time()
    try:
        await asyncio.gather(
            *(
                resident(i, pool[i % len(pool)], tally, interval, args.seed, args.max_messages)
                for i in range(args.sessions)
            )
        )
    finally:
        for connection in pool:
            connection.close()
    finished = time.monotonic()
    window = min(args.duration, finished - tally.measure_from)
    result = {
        "window_seconds": round(window, 2),
        "messages": tally.window_messages,
        "latencies_ms": tally.latencies,
        "session_latencies_ms": tally.session_latencies,
        "errors": dict(tally.errors),
        "acknowledged": tally.acknowledged,
        "replayed": tally.replayed,
        "unexpected": dict(tally.unexpected.most_common(10)),
        "unexpected_total": sum(tally.unexpected.values()),
        "abandoned": tally.abandoned,
        "requests_sent": tally.sent,
        "sessions_started": tally.sessions,
        "generator_cpu_ms": (time.process_time() - cpu_before) * 1000,
    }
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")


# ---- the checks afterwards ------------------------------------------------------------------------
def check_database(url: str, acknowledged: list[tuple[str, str]]) -> dict[str, int]:
    """Every acknowledged message stored exactly once, with its answer; nothing else stored."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT conversation_id, idempotency_key FROM messages WHERE direction = 'in'")
            ).all()
            unanswered = connection.execute(
                text(
                    "SELECT count(*) FROM messages i WHERE i.direction = 'in' AND NOT EXISTS "
                    "(SELECT 1 FROM messages o WHERE o.direction = 'out' AND o.reply_to = i.id)"
                )
            ).scalar_one()
            outgoing = connection.execute(
                text("SELECT count(*) FROM messages WHERE direction = 'out'")
            ).scalar_one()
    finally:
        engine.dispose()
    stored = Counter((conversation, key) for conversation, key in rows)
    acked = set(acknowledged)
    return {
        "incoming_rows": len(rows),
        "outgoing_rows": int(outgoing),
        "acknowledged": len(acknowledged),
        "lost": len(acked - set(stored)),
        "duplicated": sum(n - 1 for n in stored.values() if n > 1) + (len(acknowledged) - len(acked)),
        "without_key": sum(n for (_, key), n in stored.items() if key is None),
        "stored_not_acknowledged": len(set(stored) - acked),
        "unanswered": int(unanswered),
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    model_dir = args.model_dir or Path(tempfile.gettempdir()) / "madoguchi-load-models"
    with tempfile.TemporaryDirectory(prefix="madoguchi-load-") as tmp:
        folder = Path(tmp)
        with database(args.database, folder) as url:
            with service(url, args.workers, folder, model_dir) as (base, server):
                out = folder / "generator.json"
                command = [
                    sys.executable,
                    __file__,
                    "--generate",
                    "--base",
                    base,
                    "--out",
                    str(out),
                    "--sessions",
                    str(args.sessions),
                    "--duration",
                    str(args.duration),
                    "--warmup",
                    str(args.warmup),
                    "--rate",
                    str(args.rate),
                    "--connections",
                    str(args.connections),
                    "--seed",
                    str(args.seed),
                    "--max-messages",
                    str(args.max_messages),
                ]
                limit = args.warmup + args.duration + 4 * REQUEST_TIMEOUT * (RETRIES + 1) + 60
                before = Usage(server, url).sample()
                subprocess.run(command, check=True, timeout=limit)
                used = Usage(server, url).sample().since(before)
                load_during = os.getloadavg()
                generated = json.loads(out.read_text(encoding="utf-8"))
            checked = check_database(url, [(session, key) for session, key in generated["acknowledged"]])
    latencies = generated["latencies_ms"]
    messages = max(1, len(generated["acknowledged"]))
    figures: dict[str, Any] = {
        "database": args.database,
        "workers": args.workers,
        "sessions": args.sessions,
        "offered_rate": args.rate or "max",
        "connections": args.connections,
        "duration_s": generated["window_seconds"],
        "messages_per_second": round(generated["messages"] / generated["window_seconds"], 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "session_start_p50_ms": round(percentile(generated["session_latencies_ms"], 0.5), 1),
        "errors": generated["errors"],
        "retried_and_replayed": generated["replayed"],
        "unexpected_answers": generated["unexpected_total"],
        "abandoned_conversations": generated["abandoned"],
        **checked,
        "sessions_started": generated["sessions_started"],
        # CPU per resident message over the whole run (warm-up and session starts included)
        "cpu_ms_per_message": {
            "workers": round(used["workers_ms"] / messages, 2),
            "postgresql": round(used["postgres_ms"] / messages, 2) if args.database == "postgresql" else None,
            "load_generator": round(generated["generator_cpu_ms"] / messages, 2),
        },
        "postgresql_cpu_ms_per_message_by_backend": {
            kind: round(ms / messages, 2) for kind, ms in used["postgres_ms_by_backend"].items()
        },
        "postgres_connections_opened": used["postgres_connections_opened"]
        if args.database == "postgresql"
        else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_during],
        "cpus": os.cpu_count(),
    }
    if generated["unexpected"]:
        figures["unexpected_examples"] = generated["unexpected"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=100, help="residents chatting at once")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument(
        "--rate", type=float, default=500.0, help="offered messages/s; 0 = as fast as answered"
    )
    parser.add_argument(
        "--connections", type=int, default=100, help="the load generator's connections (at most)"
    )
    parser.add_argument("--max-messages", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)  # internal: the generator
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        try:  # the same event loop as the service's workers, where installed (uvicorn[standard])
            import uvloop

            uvloop.run(generate(args))
        except ImportError:
            asyncio.run(generate(args))
        return
    if not 1 <= args.sessions <= 2000 or not 0 < args.duration <= 600 or args.warmup < 0:
        parser.error("--sessions must be 1–2000, --duration 0–600 s")
    figures = run(args)
    report(figures)


def report(figures: dict[str, Any]) -> None:
    ok_speed = figures["messages_per_second"] >= TARGETS["messages_per_second"]
    ok_tail = figures["p99_ms"] <= TARGETS["p99_ms"]
    ok_data = not any(
        figures[k] for k in ("lost", "duplicated", "without_key", "stored_not_acknowledged", "unanswered")
    )
    cpu = figures["cpu_ms_per_message"]
    lines = [
        f"{figures['database']}, {figures['workers']} workers, {figures['sessions']} residents, offered "
        f"{figures['offered_rate']} msg/s, {figures['connections']} connections, {figures['duration_s']} s",
        f"throughput  {figures['messages_per_second']} resident messages/s (target ≥ 500: "
        f"{'ok' if ok_speed else 'not met'})",
        f"latency     p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, "
        f"max {figures['max_ms']} ms (p99 target ≤ 100: {'ok' if ok_tail else 'not met'})",
        f"errors      {figures['errors'] or 'none'}; answers other than expected: {figures['unexpected_answers']}",
        f"database    {figures['incoming_rows']} incoming rows for {figures['acknowledged']} acknowledged messages: "
        f"lost {figures['lost']}, duplicated {figures['duplicated']}, stored but never acknowledged "
        f"{figures['stored_not_acknowledged']}, without an answer {figures['unanswered']} "
        f"({'ok' if ok_data else 'NOT OK'})",
        f"CPU         per message: workers {cpu['workers']} ms, PostgreSQL {cpu['postgresql']} ms, load "
        f"generator {cpu['load_generator']} ms; PostgreSQL connections opened: "
        f"{figures['postgres_connections_opened']}; PostgreSQL by backend "
        f"{figures.get('postgresql_cpu_ms_per_message_by_backend') or '-'}",
        f"load        average {figures['load_average_before']} before, {figures['load_average_after']} after "
        f"({figures['cpus']} CPUs)",
    ]
    print("\n".join(lines))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
