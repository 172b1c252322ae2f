"""CPU of the message path in-process, without HTTP: ``TurnHandler.handle`` on batches of messages.

    python bench/turn_cpu.py [--database sqlite|postgresql] [--batches N] [--size N]

Starts the services on a fresh database of their own (an SQLite file, or a PostgreSQL database
created for the run and dropped afterwards), opens ``size`` sessions and sends ``batches`` batches
of one message per session, timing the process's CPU (all threads; PostgreSQL's own CPU is not
counted) per message. Two figures: with the dialogue engine as served ("turn"), and with each
text's turn computed once and replayed ("storage": locking, idempotency keys, rate limits, rows,
masking, the batch's writes), which isolates what the storage code costs from the NLU's share.

Prints one JSON object: {"database": …, "turn_ms_per_message": …, "storage_ms_per_message": …}.
Run it once at a time: the CPU figures are only worth comparing on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chat_platform.resident_services import ResidentServices  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from madoguchi.app import start_services as start_platform_services  # noqa: E402

TEXTS = ["自動車税の納期限はいつですか", "ありがとうございました", "クーリングオフしたい", "こんにちは"]
ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--batches", type=int, default=150)
    parser.add_argument("--size", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            result = measure(f"sqlite:///{folder}/bench.db", Path(folder), args.batches, args.size)
        else:
            import psycopg

            name = f"madoguchi_turn_cpu_{os.getpid()}"
            with psycopg.connect(ADMIN, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            try:
                url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
                result = measure(url, Path(folder), args.batches, args.size)
            finally:
                with psycopg.connect(ADMIN, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps({"database": args.database, **result}))


def measure(url: str, folder: Path, batches: int, size: int) -> dict[str, Any]:
    upgrade(url)
    settings = Settings.from_mapping(
        {
            "database_url": url,
            "bots_dir": ROOT / "bots",
            "model_dir": folder / "models",
            "rate_limit_per_minute": 10**6,
            "rate_limit_per_address_per_minute": 10**6,
            "rate_limit_sessions_per_address_per_minute": 10**6,
        }
    )
    services = start_platform_services(settings)
    try:
        turn = _per_message(services, batches, size)
        dialogue = services.runtime.current.dialogue
        real, replayed = dialogue.handle, {}

        # the NLU's share taken out (every conversation gets the first one's state: the figures matter here)
        def replay(state: Any, text: str, now: Any) -> Any:
            if text not in replayed:
                replayed[text] = real(state, text, now)
            return replayed[text]

        dialogue.handle = replay  # type: ignore[method-assign]
        try:
            storage = _per_message(services, batches, size)
        finally:
            dialogue.handle = real  # type: ignore[method-assign]
    finally:
        services.stop()
    return {"turn_ms_per_message": turn, "storage_ms_per_message": storage, "batch_size": size}


def _per_message(services: ResidentServices, batches: int, size: int) -> float:
    chat = services.chat
    sessions = [r.session_id for r in chat.handle([chat.prepare_start("tax", "widget") for _ in range(size)])]  # type: ignore[union-attr]

    def batch(n: int) -> list[Any]:
        text = TEXTS[n % len(TEXTS)]
        return [chat.prepare("tax", text, "widget", session_id=s, idempotency_key=f"k{n}") for s in sessions]

    for n in range(10):  # warm-up: statement caches, prepared statements
        chat.handle(batch(n))
    prepared = [batch(n) for n in range(10, 10 + batches)]
    started = time.process_time()
    for items in prepared:
        results = chat.handle(items)
        assert not any(isinstance(r, Exception) for r in results), results
    return round((time.process_time() - started) * 1000 / (batches * size), 4)


if __name__ == "__main__":
    main()
