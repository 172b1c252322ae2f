"""Request bodies are refused with 413 before they are read, on every route (chat_platform/api/body_limit.py).

Against the real application under uvicorn on 127.0.0.1 (SQLite and PostgreSQL), talking raw HTTP/1.1
over a socket, so the test decides exactly what is declared and what is sent: a declared
Content-Length over the limit is answered before any of the body is sent, and a chunked body without
one is cut off as it arrives — the 413 comes back while the client is still sending, so the server
never held more than the limit of it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import select
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.conftest import bearer

KB = 1024
LIMIT = 64 * KB  # MADOGUCHI_MAX_BODY_BYTES' default
UPLOAD_LIMIT = 1_048_576  # MADOGUCHI_MAX_UPLOAD_BYTES' default
HEAD = "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{extra}\r\n"


@pytest.fixture(scope="module")
def port(services) -> Iterator[int]:
    """The real app under uvicorn in a background thread; its port."""
    import uvicorn

    from madoguchi.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = int(probe.getsockname()[1])
    config = uvicorn.Config(
        create_app(services=services, watch=False),
        host="127.0.0.1",
        port=free,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="body-limit-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield free
    server.should_exit = True
    thread.join(timeout=10)


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        assert piece, f"the server closed the connection without an answer: {data!r}"
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        body += piece
    return status, headers, body[:length]


def exchange(
    port: int,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    declared: int | None = None,
) -> tuple[int, dict[str, str], bytes, int]:
    """Send the head (Content-Length: ``declared`` or the body's length), then the body in 64 kB pieces
    for as long as the server has not answered. (status, headers, body, bytes of the body sent)."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    extra += f"Content-Length: {len(body) if declared is None else declared}\r\nConnection: close\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(HEAD.format(method=method, path=path, extra=extra).encode())
        sent = 0
        if declared is not None and declared > len(body):  # the answer comes before any body
            return (*_read_response(sock), sent)
        while sent < len(body):
            if select.select([sock], [], [], 0)[0]:
                break  # answered already
            try:
                sock.sendall(body[sent : sent + 64 * KB])
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += min(64 * KB, len(body) - sent)
        return (*_read_response(sock), sent)


def chunked(
    port: int,
    path: str,
    total: int,
    piece: int = 64 * KB,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    limit: int | None = None,
) -> tuple[int, dict[str, str], bytes, int]:
    """POST ``body`` (or ``total`` bytes of JSON-ish filler) with Transfer-Encoding: chunked and no
    Content-Length, a piece at a time, watching for an early answer after each piece. Once more
    than ``limit`` is sent, it gives the server up to 5 s to answer before each further piece (a
    busy machine is slow, and the test counts what was sent before the answer)."""
    payload = body if body is not None else b"[" + b" " * (total - 2) + b"]"
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    extra += "Transfer-Encoding: chunked\r\nConnection: close\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(HEAD.format(method="POST", path=path, extra=extra).encode())
        sent = 0
        answered = False
        while sent < len(payload):
            if limit is not None and sent > limit + 4 * piece:
                break  # no answer long after the limit: end the body, and see what the server says
            patience = 5.0 if limit is not None and sent > limit else 0.01
            if select.select([sock], [], [], patience)[0]:
                answered = True
                break
            part = payload[sent : sent + piece]
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            except (BrokenPipeError, ConnectionResetError):
                answered = True
                break
            sent += len(part)
        if not answered:
            sock.sendall(b"0\r\n\r\n")
        return (*_read_response(sock), sent)


def _assert_413(status: int, body: bytes, what: str) -> None:
    assert status == 413, (what, status, body[:300])
    error = json.loads(body)["error"]
    assert error["code"] == "body_too_large" and ("KB" in error["message"] or "MB" in error["message"]), error


def padded(value: dict, size: int) -> bytes:
    """``value`` as JSON followed by spaces (still valid JSON), ``size`` bytes in all."""
    text = json.dumps(value, ensure_ascii=False).encode()
    assert len(text) <= size
    return text + b" " * (size - len(text))


def _session(port: int) -> str:
    status, _, body, _ = exchange(port, "POST", "/api/v1/bots/tax/sessions", b"{}")
    assert status == 200, body
    return str(json.loads(body)["session_id"])


# ---- declared too large ---------------------------------------------------------------------------


def test_should_refuse_a_declared_content_length_over_the_limit_on_every_route_before_the_body(
    port, tokens
) -> None:
    admin = {"Authorization": f"Bearer {tokens['strategy']}"}
    routes = [
        ("POST", "/api/v1/bots/tax/sessions", {}),
        ("POST", "/api/v1/bots/tax/messages", {}),
        ("POST", "/bots/tax/webhooks/rest/webhook", {}),
        ("POST", "/api/v1/messages/x/rating", {}),
        ("POST", "/api/v1/sessions/x/end", {}),
        ("POST", "/model/parse", {}),
        ("POST", "/bots/tax/model/parse", {}),
        ("POST", "/admin/api/v1/projects", admin),
        ("PATCH", "/admin/api/v1/projects/1", admin),
        ("POST", "/admin/api/v1/bots/tax/examples", admin),
        ("PUT", "/admin/api/v1/settings/cost", admin),
    ]
    for method, path, headers in routes:
        status, _, body, sent = exchange(port, method, path, b"", headers, declared=100 * 1024 * KB)
        _assert_413(status, body, path)
        assert sent == 0
    # the LINE webhook and the pack upload have larger limits, but limits all the same
    for path in ("/bots/tax/webhooks/line", "/admin/api/v1/bots/tax/packs"):
        status, _, body, _ = exchange(port, "POST", path, b"", admin, declared=UPLOAD_LIMIT + 1)
        _assert_413(status, body, path)


def test_should_say_so_in_english_when_asked(port) -> None:
    status, _, body, _ = exchange(
        port, "POST", "/bots/tax/webhooks/rest/webhook", b"", {"Accept-Language": "en"}, declared=10 * LIMIT
    )
    assert status == 413 and json.loads(body)["error"]["message"].startswith("The request is too large")


# ---- streamed without a length -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/bots/tax/webhooks/rest/webhook",
        "/api/v1/bots/tax/messages",
        "/model/parse",
        "/admin/api/v1/projects",
    ],
)
def test_should_cut_off_a_chunked_body_as_soon_as_it_passes_the_limit(port, path, caplog) -> None:
    # 20 MB offered; the answer must come while the client is still sending, after about the limit
    with caplog.at_level(logging.WARNING):
        status, headers, body, sent = chunked(port, path, total=20 * 1024 * KB, limit=LIMIT)
        time.sleep(0.2)  # the endpoint that was cut off has finished
    _assert_413(status, body, path)
    assert sent <= LIMIT + 4 * 64 * KB, f"the client sent {sent} bytes before it was refused"
    assert headers.get("connection") == "close"
    # a refusal, not a failure: nothing logged as an error, no traceback
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [
        r.getMessage() for r in caplog.records
    ]


def test_should_keep_serving_normal_requests_after_refusing_huge_ones(port) -> None:
    for _ in range(3):
        chunked(port, "/bots/tax/webhooks/rest/webhook", total=4 * 1024 * KB)
    session_id = _session(port)
    message = {"session_id": session_id, "text": "自動車税の納期限はいつですか"}
    status, _, body, _ = exchange(port, "POST", "/api/v1/bots/tax/messages", json.dumps(message).encode())
    assert status == 200 and json.loads(body)["messages"][0]["response"] == "utter_auto_tax_due_date"


# ---- just under the limit ------------------------------------------------------------------------


def test_should_accept_a_body_of_exactly_the_limit_and_refuse_one_byte_more(port) -> None:
    session_id = _session(port)
    message = {"session_id": session_id, "text": "自動車税の納期限はいつですか"}
    status, _, body, _ = exchange(port, "POST", "/api/v1/bots/tax/messages", padded(message, LIMIT))
    assert status == 200, body
    status, _, body, _ = exchange(port, "POST", "/api/v1/bots/tax/messages", padded(message, LIMIT + 1))
    _assert_413(status, body, "one byte over")
    # the same streamed: the limit counts the bytes, not how they were sent
    status, _, body, _ = chunked(
        port, "/api/v1/bots/tax/messages", 0, piece=4 * KB, body=padded(message, LIMIT)
    )
    assert status == 200, body
    status, _, body, _ = chunked(
        port, "/api/v1/bots/tax/messages", 0, piece=4 * KB, body=padded(message, LIMIT + 1)
    )
    _assert_413(status, body, "one byte over, streamed")


def test_should_accept_a_rest_webhook_and_parse_just_under_the_limit(port) -> None:
    rest = padded({"sender": "limit-test", "message": "自動車税の納期限はいつですか"}, LIMIT - 1)
    status, _, body, _ = exchange(port, "POST", "/bots/tax/webhooks/rest/webhook", rest)
    assert status == 200 and json.loads(body)[0]["recipient_id"] == "limit-test", body
    status, _, body, _ = exchange(port, "POST", "/model/parse", padded({"text": "自動車税"}, LIMIT - 1))
    assert status == 200 and json.loads(body)["intent"]["name"], body


# ---- the admin's pack upload -------------------------------------------------------------------


def test_should_let_a_pack_upload_and_line_through_at_their_larger_size_but_no_other_route(
    port, tokens
) -> None:
    admin = {"Authorization": f"Bearer {tokens['strategy']}"}
    # 600 kB: over the default limit, under the upload limit. Read and checked (a file that is not a
    # pack file is refused by the pack rules, so nothing is stored), not refused by size
    upload = json.dumps({"files": {"actions.py": "#" * 600 * KB}}).encode()
    status, _, body, sent = exchange(port, "POST", "/admin/api/v1/bots/tax/packs", upload, admin)
    assert status == 422 and json.loads(body)["error"]["code"] == "not_a_pack_file", body[:300]
    assert sent == len(upload)
    status, _, body, _ = chunked(port, "/admin/api/v1/bots/tax/packs", 0, body=upload, headers=admin)
    assert status == 422 and json.loads(body)["error"]["code"] == "not_a_pack_file", body[:300]
    text = b"#" * 600 * KB  # one file as text/plain
    status, _, body, _ = exchange(port, "PUT", "/admin/api/v1/bots/tax/packs/files/secrets.txt", text, admin)
    assert status == 422 and json.loads(body)["error"]["code"] == "not_a_pack_file", body[:300]
    # over the upload limit, streamed: cut off as it arrives
    status, _, body, sent = chunked(
        port, "/admin/api/v1/bots/tax/packs", total=20 * 1024 * KB, headers=admin, limit=UPLOAD_LIMIT
    )
    _assert_413(status, body, "upload over its limit")
    assert sent <= UPLOAD_LIMIT + 4 * 64 * KB
    # not too large for the LINE webhook either (which refuses it for what it is: no channel for tax here)
    status, _, body, _ = exchange(port, "POST", "/bots/tax/webhooks/line", b"[" + b" " * 600 * KB + b"]")
    assert status == 401 and json.loads(body)["error"]["code"] == "line_not_configured", (status, body[:300])
    # the same 600 kB to any other admin route is too large
    status, _, body, _ = exchange(port, "POST", "/admin/api/v1/projects", upload, admin)
    _assert_413(status, body, "projects")


def test_should_apply_the_limits_from_the_settings(services) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from chat_platform.resident_services import ResidentServices
    from madoguchi.app import create_app

    settings = replace(
        services.settings,
        max_body_bytes=1000,
        max_upload_bytes=5000,
        max_line_body_bytes=3000,
        line_channels={"tax": {"secret": "limit-secret", "token": "limit-token"}},
    )
    # a worker with these settings on the shared database and bots (the LINE channel is read from them)
    worker = ResidentServices(settings, services.db, services.runtime)
    json_type = {"Content-Type": "application/json"}
    admin = {**json_type, **bearer_header(services)}

    def line(size: int) -> int:
        body = padded({"destination": "x", "events": []}, size)  # LINE's "Verify": no events
        signature = base64.b64encode(hmac.new(b"limit-secret", body, hashlib.sha256).digest()).decode()
        headers = {**json_type, "X-Line-Signature": signature}
        return client.post("/bots/tax/webhooks/line", content=body, headers=headers).status_code

    try:
        with TestClient(create_app(settings=settings, services=worker, watch=False)) as client:
            parse = [
                client.post(
                    "/model/parse", content=padded({"text": "税"}, size), headers=json_type
                ).status_code
                for size in (1000, 1001)
            ]
            assert parse == [200, 413]
            uploads = [
                client.post(
                    "/admin/api/v1/bots/tax/packs",
                    content=padded({"files": {"actions.py": "x"}}, size),
                    headers=admin,
                ).status_code
                for size in (5000, 5001)
            ]
            assert uploads == [422, 413]  # read and refused by the pack rules; then too large
            assert [line(2000), line(3000), line(3001)] == [200, 200, 413]
    finally:
        worker.batcher.stop()


def bearer_header(services) -> dict[str, str]:
    from admin.auth import create_token

    with services.db.session() as session:
        return bearer(create_token(session, "strategy", "body limit test")[0])
