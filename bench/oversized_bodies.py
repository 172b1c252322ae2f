"""Oversized request bodies: does the server hold them in memory before refusing them?

    python bench/oversized_bodies.py [--size-mb 100] [--parallel 4] [--path /bots/tax/webhooks/rest/webhook]

Starts ``madoguchi serve`` (one worker, SQLite in a temporary folder), then posts ``--parallel``
bodies of ``--size-mb`` each at once — half with ``Content-Length``, half chunked without one — and
prints the server's resident memory (RSS, the process and its children) before, at its peak while
they are sent, and after, with what each client managed to send before it was answered and how.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIECE = 64 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> int:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    total_kb = 0
    for each in [pid, *map(int, children)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total_kb // 1024


def post(port: int, path: str, size: int, chunked: bool, results: list[str]) -> None:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {size}\r\n\r\n"
    piece = b" " * PIECE
    sent, answer = 0, "connection closed before an answer was read"
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        try:
            sock.sendall(head.encode())
            while sent < size:
                if select.select([sock], [], [], 0.001)[0]:  # answered already: stop sending
                    answer = sock.recv(64).split(b"\r\n", 1)[0].decode() or answer
                    break
                sock.sendall(b"%x\r\n%s\r\n" % (PIECE, piece) if chunked else piece)
                sent += PIECE
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
                answer = sock.recv(64).split(b"\r\n", 1)[0].decode() or answer
        except OSError as exc:
            answer = f"{answer} ({exc.__class__.__name__})"
    kind = "chunked" if chunked else "Content-Length"
    results.append(f"{kind:>14}: {sent / 1_048_576:7.1f} MB sent, {answer}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--path", default="/bots/tax/webhooks/rest/webhook")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            **os.environ,
            "MADOGUCHI_DATABASE_URL": f"sqlite:///{folder}/madoguchi.db",
            "MADOGUCHI_BOTS_DIR": str(ROOT / "bots"),
            "MADOGUCHI_MODEL_DIR": str(ROOT / "var" / "models"),
        }
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "madoguchi"), "serve", "--port", str(port)],
            env=environment,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        sys.exit("madoguchi serve did not start")
                    time.sleep(0.5)
            time.sleep(2)  # settled after start-up
            before = rss_mb(server.pid)
            results: list[str] = []
            clients = [
                threading.Thread(
                    target=post, args=(port, args.path, args.size_mb * 1_048_576, n % 2 == 1, results)
                )
                for n in range(args.parallel)
            ]
            for client in clients:
                client.start()
            peak = before
            while any(client.is_alive() for client in clients):
                peak = max(peak, rss_mb(server.pid))
                time.sleep(0.05)
            after = rss_mb(server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    print(f"{args.parallel} x {args.size_mb} MB to {args.path}")
    print("\n".join(sorted(results)))
    print(f"server RSS: {before} MB before, {peak} MB at the peak, {after} MB after")


if __name__ == "__main__":
    main()
