"""Rasa 3.6 and Madoguchi side by side on the shipped packs, both over HTTP.

    .venv/bin/python bench/rasa_compare.py [--bots tax consumer] [--seed 0] [--repeat 3]

Creates var/rasa-venv (Python 3.10, ``rasa==3.6.*``) if it is missing. For each bot, every intent's
examples (the bot's, common's and, for a front door, its routed bots') are split 80/20 with a fixed
seed, and both systems train on the same 80 %: Rasa with ``rasa train nlu`` on the project
``madoguchi export-rasa`` writes, Madoguchi with ``NluEngine.train``. Then ``rasa run --enable-api``
and ``madoguchi serve`` (temporary SQLite), one after the other, answer the held-out 20 % one
message at a time on ``POST /model/parse`` and ``POST /bots/{bot}/model/parse``: latency p50/p99,
resident memory of the server process tree (VmRSS at the end, VmHWM peak) and accuracy. Both
servers load a model trained beforehand (Madoguchi's goes into MADOGUCHI_MODEL_DIR, as a worker
finds it after the first start).
``accuracy`` is the answer as given (a fallback is wrong, except for out_of_scope examples, where
only a fallback is right); ``top1_accuracy`` is the best-ranked real intent, ignoring fallbacks.
Prints a table per bot, then one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared_nlu.export.rasa import annotate, build_project, dump_yaml, nlu_document, write_project  # noqa: E402
from shared_nlu.nlu import NluEngine  # noqa: E402
from shared_nlu.nlu.persistence import save_engine  # noqa: E402
from shared_nlu.pack import COMMON_BOT, OUT_OF_SCOPE_INTENT, PackSet, load_packs  # noqa: E402

RASA_VENV = ROOT / "var" / "rasa-venv"
PYTHON_310 = Path.home() / ".pyenv" / "versions" / "3.10.13" / "bin" / "python"
HELD_OUT = 0.2
FALLBACKS = {"nlu_fallback", OUT_OF_SCOPE_INTENT}
QUIET = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
FIGURES = (
    "train_seconds",
    "parse_p50_ms",
    "parse_p99_ms",
    "rss_mb",
    "peak_rss_mb",
    "accuracy",
    "top1_accuracy",
)
Namer = Callable[[dict[str, Any]], str]  # a parse result (or ranking entry) → the exported intent name


def ensure_rasa() -> Path:
    rasa = RASA_VENV / "bin" / "rasa"
    if not rasa.exists():
        print(f"creating {RASA_VENV} and installing rasa==3.6.* (TensorFlow: several minutes)", flush=True)
        subprocess.run([str(PYTHON_310), "-m", "venv", str(RASA_VENV)], check=True)
        pip = [str(RASA_VENV / "bin" / "python"), "-m", "pip", "install", "--progress-bar", "off"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "rasa==3.6.*"], check=True)  # pip prints each package as it goes
    return rasa


def split_packs(
    packs: PackSet, names: list[str], routed: set[str], seed: int, folder: Path
) -> list[tuple[str, str]]:
    """Write the packs with 80 % of each intent's examples into ``folder``; return the held-out
    (text, exported intent name). The draw depends on seed, pack and intent only."""
    held: list[tuple[str, str]] = []
    for name in names:
        pack = packs.packs[name]
        shutil.copytree(pack.path or ROOT / "bots" / name, folder / name)
        kept: dict[str, list[str]] = {}
        for intent in (i for i in pack.intents.values() if i.name not in pack.faq_intents):  # FAQ: whole
            order = list(range(len(intent.examples)))
            random.Random(f"{seed}/{name}/{intent.name}").shuffle(order)
            cut = round(len(order) * HELD_OUT) if len(order) >= 5 else 0
            kept[intent.name] = [annotate(intent.examples[i]) for i in sorted(order[cut:])]
            exported = f"{name}__{intent.name}" if name in routed else intent.name
            held += [(intent.examples[i].text, exported) for i in sorted(order[:cut])]
        entries = {
            "synonym": {s.value: list(s.variants) for s in pack.synonyms},
            "regex": {k: list(v) for k, v in pack.regexes.items()},
            "lookup": {k: list(v) for k, v in pack.lookups.items()},
        }
        (folder / name / "nlu.yml").write_text(dump_yaml(nlu_document(kept, **entries)), encoding="utf-8")
    return held


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM summed over the process and its children (no psutil: /proc)."""
    pids, totals = [pid], {"VmRSS": 0, "VmHWM": 0}
    while pids:
        current = pids.pop()
        for line in Path(f"/proc/{current}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in totals:
                totals[key] += int(value.split()[0])
        children = Path(f"/proc/{current}/task/{current}/children")
        pids += [int(p) for p in children.read_text().split()] if children.exists() else []
    return {"rss_mb": round(totals["VmRSS"] / 1024, 1), "peak_rss_mb": round(totals["VmHWM"] / 1024, 1)}


def run_logged(command: list[str], cwd: Path, log: Path, title: str) -> float:
    """Run to completion, printing the log's last progress line every 30 s; returns the seconds."""
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=os.environ | QUIET
        )
        while process.poll() is None:
            time.sleep(min(30.0, 1.0 + time.perf_counter() - started))
            last = log.read_text(errors="replace").replace("\r", "\n").strip().splitlines()[-1:] or [""]
            print(f"  {title}: {time.perf_counter() - started:5.0f} s  {last[0][:100]}", flush=True)
    if process.returncode != 0:
        raise SystemExit(f"{title} failed (exit {process.returncode}); see {log}")
    return time.perf_counter() - started


def wait_ready(
    client: httpx.Client, server: subprocess.Popen[bytes], probe: httpx.Request, log: Path
) -> None:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}); see {log}")
        try:
            if client.send(probe).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    raise SystemExit(f"the server was not ready after 15 minutes; see {log}")


def measure(
    server: list[str],
    cwd: Path,
    env: dict[str, str],
    parse_url: str,
    probe: httpx.Request,
    held: list[tuple[str, str]],
    repeat: int,
    namer: Namer,
    log: Path,
) -> dict[str, Any]:
    with log.open("w") as out:
        process = subprocess.Popen(
            server, cwd=cwd, env=os.environ | QUIET | env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        with httpx.Client(timeout=60) as client:
            wait_ready(client, process, probe, log)
            for text, _ in held[:20]:  # warm-up
                client.post(parse_url, json={"text": text})
            timings, right, top1 = [], 0, 0
            for round_ in range(repeat):
                for text, expected in held:
                    begin = time.perf_counter()
                    result = client.post(parse_url, json={"text": text}).raise_for_status().json()
                    timings.append((time.perf_counter() - begin) * 1000)
                    if round_ > 0:
                        continue
                    answer = namer(result)
                    best = next((r for r in result["intent_ranking"] if r["name"] not in FALLBACKS), None)
                    ranked = namer({"intent": best, "bot": best.get("bot")}) if best else answer
                    if expected == OUT_OF_SCOPE_INTENT:  # only a fallback is right, ranked or not
                        right, top1 = right + (answer in FALLBACKS), top1 + (answer in FALLBACKS)
                    else:
                        right, top1 = right + (answer == expected), top1 + (ranked == expected)
            memory = memory_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)
    timings.sort()
    return {
        "parse_p50_ms": round(statistics.median(timings), 2),
        "parse_p99_ms": round(timings[max(0, int(len(timings) * 0.99) - 1)], 2),
        **memory,
        "accuracy": round(100 * right / len(held), 1),
        "top1_accuracy": round(100 * top1 / len(held), 1),
    }


def compare(packs: PackSet, bot: str, args: argparse.Namespace, work: Path, rasa: Path) -> dict[str, Any]:
    config = packs.packs[bot].bot
    routed = set(config.routes_to)
    names = [bot, *([COMMON_BOT] if config.include_common else []), *config.routes_to]
    held = split_packs(packs, names, routed, args.seed, work / "bots")
    trained = load_packs([work / "bots"])
    began = time.perf_counter()
    engine = NluEngine.train(trained)
    madoguchi_train = time.perf_counter() - began
    save_engine(engine, work / "models" / trained.digest[:16])  # served as Rasa's is: trained beforehand
    project = work / "rasa"
    exported = build_project(trained, bot, with_routed=bool(routed))
    for component in exported.config["pipeline"]:
        component.update({"epochs": args.epochs} if component["name"] == "DIETClassifier" else {})
    write_project(exported, project)
    examples = sum(len(i.examples) for n in names for i in trained.packs[n].intents.values())
    print(f"{bot}: {examples} examples to train on, {len(held)} held out", flush=True)
    train = [str(rasa), "train", "nlu", "--config", "config.yml", "--nlu", "data/nlu.yml", "--out", "models"]
    rasa_train = run_logged(
        [*train, "--fixed-model-name", "nlu"], project, work / "rasa-train.log", "rasa train nlu"
    )

    def ours(result: dict[str, Any]) -> str:  # our parse result names the bot that owns the intent
        name = result["intent"]["name"]
        return f"{result['bot']}__{name}" if result.get("bot") in routed else name

    port = free_port()
    url = f"http://127.0.0.1:{port}/model/parse"
    rasa_run = [str(rasa), "run", "--enable-api", "-m", "models/nlu.tar.gz", "--port", str(port)]
    probe = httpx.Request("POST", url, json={"text": "ping"})
    rasa_figures = measure(
        rasa_run,
        project,
        {},
        url,
        probe,
        held,
        args.repeat,
        lambda r: r["intent"]["name"],
        work / "rasa-run.log",
    )
    port = free_port()
    serve = [str(ROOT / ".venv/bin/madoguchi"), "serve", "--port", str(port)]
    serve += ["--database-url", f"sqlite:///{work / 'madoguchi.db'}"]
    env = {"MADOGUCHI_BOTS_DIR": str(work / "bots"), "MADOGUCHI_MODEL_DIR": str(work / "models")}
    url = f"http://127.0.0.1:{port}/bots/{bot}/model/parse"
    probe = httpx.Request("GET", f"http://127.0.0.1:{port}/readyz")
    our_figures = measure(serve, ROOT, env, url, probe, held, args.repeat, ours, work / "madoguchi-serve.log")
    return {
        "trained_examples": examples,
        "held_out": len(held),
        "rasa": {"train_seconds": round(rasa_train, 1), **rasa_figures},
        "madoguchi": {"train_seconds": round(madoguchi_train, 2), **our_figures},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bots", nargs="+", default=["tax", "consumer"])
    parser.add_argument("--packs", type=Path, default=ROOT / "bots")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the held-out messages (latency)")
    parser.add_argument("--epochs", type=int, default=100, help="DIET epochs (the export writes 100)")
    parser.add_argument("--keep", type=Path, help="keep each bot's work folder (logs, models) under here")
    args = parser.parse_args()
    rasa = ensure_rasa()
    packs = load_packs([args.packs])
    results = {}
    for bot in args.bots:
        with tempfile.TemporaryDirectory(prefix=f"rasa-compare-{bot}-") as folder:
            try:
                results[bot] = compare(packs, bot, args, Path(folder), rasa)
            finally:
                if args.keep:
                    shutil.copytree(
                        folder, args.keep / bot, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.db")
                    )
        figures = results[bot]
        print(f"\n{bot}: trained on {figures['trained_examples']}, {figures['held_out']} held-out messages")
        print(f"{'':16}{'Rasa 3.6':>12}{'Madoguchi':>12}")
        for key in FIGURES:
            print(f"{key:16}{figures['rasa'][key]:>12}{figures['madoguchi'][key]:>12}")
        print(flush=True)
    print(
        json.dumps(
            {"seed": args.seed, "held_out_share": HELD_OUT, "diet_epochs": args.epochs, "bots": results}
        )
    )


if __name__ == "__main__":
    main()
