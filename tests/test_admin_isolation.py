"""Department isolation in the admin API, and admin tokens kept out of comparisons' timing and logs.

A department token (府民文化: consumer, inquiry) is sent to every admin operation the service
publishes in /openapi.json, aimed at other departments' bots (tax above all): path parameters name
their bot, its project and its pack versions, ``bot=`` names it where the operation takes one, and
reports are asked for as JSON, CSV and XLSX. Every such read and every write must be refused (403 or
404), listings that name no bot must leave other departments out, and nothing may change. The same
token reads its own bot (consumer) through every read operation.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import inspect
import io
import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import bearer

API = "/admin/api/v1"
OWN_DEPARTMENT, OWN_BOT = "府民文化", "consumer"
OTHER_BOT = "tax"  # 財務・税務
FORMATS = ("json", "csv", "xlsx")
PROBE = "isolation probe"
Request = tuple[str, str, dict[str, str], dict[str, Any]]  # method, url, query, request options


# ---- the admin operations and what to send them ------------------------------------------------


def admin_operations(client) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path template, operation) for every admin operation in the published schema."""
    paths = client.get("/openapi.json").json()["paths"]
    found = [
        (method.upper(), path, operation)
        for path, operations in paths.items()
        if path.startswith(API)
        for method, operation in operations.items()
    ]
    assert len(found) >= 15, found
    return found


def parameters(operation: dict[str, Any], where: str) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == where}


class Targets:
    """What to fill path parameters with for a bot: itself, its active pack version, its project."""

    def __init__(self, client, strategy: str) -> None:
        self.client, self.headers = client, bearer(strategy)
        projects = client.get(f"{API}/projects", headers=self.headers).json()
        self.projects = {p["bot_id"]: p["id"] for p in projects if p["bot_id"]}

    def versions(self, bot: str) -> list[dict[str, Any]]:
        response = self.client.get(f"{API}/bots/{bot}/packs", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def active_version(self, bot: str) -> int:
        return next(v["version"] for v in self.versions(bot) if v["active"])

    def files(self, bot: str) -> dict[str, str]:
        url = f"{API}/bots/{bot}/packs/{self.active_version(bot)}"
        return self.client.get(url, headers=self.headers).json()["files"]

    def path_values(self, bot: str) -> dict[str, list[str]]:
        """The values to try for each path parameter: every pack version of the bot, for one."""
        return {
            "bot_id": [bot],
            "version": [str(v["version"]) for v in self.versions(bot)],
            "project_id": [str(self.projects[bot])],
            "file_name": ["responses.yml"],
            # refused before the question is looked up: an id that exists nowhere is enough
            "question_id": ["0" * 32],
        }


def body_for(method: str, path: str, bot: str, targets: Targets) -> dict[str, Any]:
    """A body valid enough to get past request validation to the access check."""
    if method == "GET":
        return {}
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", f"{API}/projects"): {
            "json": {
                "fiscal_year": 2025,
                "department": "財務・税務",
                "name": PROBE,
                "kind": "街のDX",
                "bot_id": bot,
            }
        },
        ("PATCH", f"{API}/projects/{{project_id}}"): {
            "json": {"budget_thousand_yen": 1, "main_project": PROBE}
        },
        ("PUT", f"{API}/settings/cost"): {"json": {"shared_cost_thousand_yen": 1, "allocation": "sessions"}},
        ("POST", f"{API}/bots/{{bot_id}}/packs"): {
            "json": {
                "files": {"responses.yml": targets.files(bot)["responses.yml"] + f"\n# {PROBE}\n"},
                "comment": PROBE,
            }
        },
        ("PUT", f"{API}/bots/{{bot_id}}/packs/files/{{file_name}}"): {
            "content": (targets.files(bot)["responses.yml"] + f"\n# {PROBE}\n").encode(),
            "headers": {"Content-Type": "text/plain; charset=utf-8"},
        },
        ("POST", f"{API}/bots/{{bot_id}}/packs/{{version}}/activate"): {},
        ("POST", f"{API}/bots/{{bot_id}}/examples"): {"json": {"intent": "auto_tax_due_date", "text": PROBE}},
        ("POST", f"{API}/bots"): {
            "json": {
                "id": "isolation_probe",
                "name": PROBE,
                "department": "財務・税務",
                "description": PROBE,
                "contact": {"name": PROBE, "phone": "06-6910-8001"},
            }
        },
        ("POST", f"{API}/bots/{{bot_id}}/faq-import"): {
            "files": {"file": ("faq.csv", f"質問,回答\n{PROBE},{PROBE}\n".encode(), "text/csv")}
        },
        ("POST", f"{API}/bots/{{bot_id}}/packs/validate"): {
            "json": {"files": {"responses.yml": targets.files(bot)["responses.yml"] + f"\n# {PROBE}\n"}}
        },
        ("POST", f"{API}/bots/{{bot_id}}/packs/{{version}}/try"): {"json": {"text": PROBE}},
        ("POST", f"{API}/bots/{{bot_id}}/unanswered/{{question_id}}/not-covered"): {
            "json": {"comment": PROBE}
        },
    }
    assert (method, path) in bodies, f"add a valid body for {method} {path} to body_for()"
    return bodies[(method, path)]


def requests_for(
    method: str, path: str, operation: dict[str, Any], bot: str, targets: Targets
) -> Iterator[Request]:
    """The requests that aim ``method path`` at ``bot``: each of its pack versions where the path takes
    one, each format the operation offers, ``bot=`` where it takes one."""
    values = targets.path_values(bot)
    names = sorted(parameters(operation, "path"))
    unknown = set(names) - set(values)
    assert not unknown, f"{method} {path}: give path parameters {unknown} a value in Targets.path_values()"
    query = {"bot": bot} if "bot" in parameters(operation, "query") else {}
    options = body_for(method, path, bot, targets)
    formats = FORMATS if "format" in parameters(operation, "query") else (None,)
    for combination in itertools.product(*(values[name] for name in names)):
        url = path.format(**dict(zip(names, combination, strict=True)))
        for fmt in formats:
            yield method, url, {**query, "format": fmt} if fmt else query, options


def names_a_bot(path: str, operation: dict[str, Any]) -> bool:
    return "{bot_id}" in path or "bot" in parameters(operation, "query")


# ---- reading what came back -------------------------------------------------------------------------


def strings_in(response) -> list[str]:
    """Every string value in a JSON, CSV or XLSX response."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        found: list[str] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    found.append(str(key))
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
            elif isinstance(value, str):
                found.append(value)

        walk(response.json())
        return found
    if kind.startswith("text/csv"):
        return [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row]
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return [
            str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c
        ]
    raise AssertionError(f"unexpected content type {kind!r}")


def others(client, strategy: str) -> tuple[set[str], set[str]]:
    """(bots, departments) that are not 府民文化's."""
    bots = client.get(f"{API}/bots", headers=bearer(strategy)).json()
    other = [b for b in bots if b["department"] != OWN_DEPARTMENT]
    return {b["id"] for b in other} | {"common"}, {b["department"] for b in other}


def leaked(response, other_bots: set[str], other_departments: set[str]) -> list[str]:
    return [s for s in strings_in(response) if s in other_bots or any(d in s for d in other_departments)]


def snapshot(client, strategy: str, targets: Targets) -> dict[str, Any]:
    """What a refused write must not have changed."""
    headers = bearer(strategy)
    projects = client.get(f"{API}/projects", headers=headers).json()
    return {
        "tax packs": [(v["version"], v["active"]) for v in targets.versions(OTHER_BOT)],
        "projects": sorted(json.dumps(p, sort_keys=True, ensure_ascii=False) for p in projects),
        "cost": client.get(f"{API}/settings/cost", headers=headers).json(),
    }


# ---- the tests ----------------------------------------------------------------------------------------


def send(client, request: Request, token: str):
    method, url, query, options = request
    headers = {**options.get("headers", {}), **bearer(token)}
    rest = {k: v for k, v in options.items() if k != "headers"}
    return client.request(method, url, params=query, headers=headers, **rest)


def test_should_refuse_a_department_token_every_operation_on_another_departments_bot(client, tokens) -> None:
    targets = Targets(client, tokens["strategy"])
    other_bots, _ = others(client, tokens["strategy"])
    before = snapshot(client, tokens["strategy"], targets)
    checked = set()
    for method, path, operation in admin_operations(client):
        if method == "GET" and not names_a_bot(path, operation):
            continue  # listings answer with the caller's own bots: the next test
        # reads are aimed at every other department's bot; writes at tax (refused: nothing may change)
        aims = sorted(other_bots - {"common"}) if method == "GET" else [OTHER_BOT]
        for bot in aims:
            for request in requests_for(method, path, operation, bot, targets):
                response = send(client, request, tokens["fumin"])
                where = (*request[:3], response.status_code, response.text[:300])
                assert response.status_code in (403, 404), where
                assert response.json()["error"]["code"] in ("forbidden", "unknown_bot"), where
                checked.add((method, path))
    assert len(checked) == len(admin_operations(client)) - len(LISTINGS), checked
    assert snapshot(client, tokens["strategy"], targets) == before, "a refused request changed something"


LISTINGS = {  # reads that name no bot: they answer with what the caller may see
    f"{API}/projects",
    f"{API}/bots",
    f"{API}/reports/cost",
    f"{API}/reports/inventory",
    f"{API}/settings/cost",
    f"{API}/me",  # the token itself: its own department and bots
    f"{API}/pack-files",  # the files of the pack format: the same for every caller
}


def test_should_leave_other_departments_out_of_every_listing_and_export(client, tokens) -> None:
    targets = Targets(client, tokens["strategy"])
    other_bots, other_departments = others(client, tokens["strategy"])
    listings = {
        path: operation
        for method, path, operation in admin_operations(client)
        if method == "GET" and not names_a_bot(path, operation)
    }
    assert set(listings) == LISTINGS, "a new listing: check what it shows a department token, then add it"
    for path, operation in listings.items():
        for method, url, query, options in requests_for("GET", path, operation, OWN_BOT, targets):
            asks = [query]
            if "department" in parameters(operation, "query"):  # asking for another department outright
                asks += [{**query, "department": d} for d in sorted(other_departments)]
            for ask in asks:
                response = send(client, (method, url, ask, options), tokens["fumin"])
                where = (url, ask, response.status_code, response.text[:300])
                # asking for another department outright may be refused; otherwise the answer leaves it out
                assert response.status_code in ((200, 403) if "department" in ask else (200,)), where
                if response.status_code == 200:
                    assert not leaked(response, other_bots, other_departments), where
    # not vacuous: the strategy token does see the other departments in the same listings
    bots = client.get(f"{API}/bots", headers=bearer(tokens["strategy"])).json()
    assert OTHER_BOT in {b["id"] for b in bots}


def test_should_let_a_department_token_read_its_own_bot_through_every_read(client, tokens) -> None:
    targets = Targets(client, tokens["strategy"])
    read = 0
    for method, path, operation in admin_operations(client):
        if method != "GET":
            continue
        for request in requests_for(method, path, operation, OWN_BOT, targets):
            response = send(client, request, tokens["fumin"])
            assert response.status_code == 200, (*request[:3], response.status_code, response.text[:300])
            fmt = request[2].get("format", "json")
            expected = {"json": "application/json", "csv": "text/csv", "xlsx": "application/vnd.openxml"}[fmt]
            assert response.headers["content-type"].startswith(expected), request[:3]
            read += 1
    assert read >= 15
    files = client.get(
        f"{API}/bots/{OWN_BOT}/packs/{targets.active_version(OWN_BOT)}", headers=bearer(tokens["fumin"])
    ).json()["files"]
    assert set(files) >= {"bot.yml", "nlu.yml", "responses.yml"}


# ---- tokens: constant-time comparison, never logged, never listed ---------------------------------------


def test_should_compare_token_hashes_in_constant_time(services, tokens, monkeypatch) -> None:
    import admin.auth as auth

    tree = ast.parse(inspect.getsource(auth.authenticate))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compare_digest"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "hmac"
    ]
    assert calls, "authenticate() must compare with hmac.compare_digest"
    compared = {ast.unparse(arg) for call in calls for arg in call.args}
    assert "digest" in compared and "record.token_hash" in compared, compared
    # and at run time: the stored hash and the presented token's hash go through compare_digest
    seen: list[tuple[Any, Any]] = []
    real = auth.hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    with services.db.session() as session:
        principal = auth.authenticate(session, f"Bearer {tokens['fumin']}")
    assert principal.department == OWN_DEPARTMENT
    digest = hashlib.sha256(tokens["fumin"].encode()).hexdigest()
    assert seen == [(digest, digest)]


APP_LOGGERS = (
    "",
    "madoguchi",
    "madoguchi.admin",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "fastapi",
    "httpx",
)


def logged_secrets(
    client, tokens, caplog: pytest.LogCaptureFixture, sql_level: int | None = None
) -> list[str]:
    """Send a few admin requests with the app's loggers at DEBUG (and SQLAlchemy's at ``sql_level``);
    which tokens or token hashes were logged, and by which logger."""
    for name in APP_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    if sql_level is not None:
        caplog.set_level(sql_level, logger="sqlalchemy.engine")
    secrets = {}
    for name in ("fumin", "strategy"):
        secrets[name] = tokens[name]
        secrets[f"{name} hash"] = hashlib.sha256(tokens[name].encode()).hexdigest()
    fumin, strategy = bearer(tokens["fumin"]), bearer(tokens["strategy"])
    calls = [
        ("GET", f"{API}/bots/{OWN_BOT}/packs", fumin, None),
        ("GET", f"{API}/bots/{OTHER_BOT}/packs", fumin, None),
        ("GET", f"{API}/reports/usage", fumin, {"bot": OTHER_BOT, "format": "csv"}),
        ("POST", f"{API}/bots/{OTHER_BOT}/packs/1/activate", fumin, None),
        ("GET", f"{API}/reports/cost", strategy, {"format": "xlsx"}),
        ("GET", f"{API}/bots", {"Authorization": f"Bearer {tokens['fumin']}x"}, None),  # a wrong token
    ]
    for method, url, headers, query in calls:
        assert client.request(method, url, headers=headers, params=query).status_code < 500
    assert caplog.records, "nothing was logged at DEBUG: the check would be vacuous"
    found = []
    for record in caplog.records:
        text = " ".join([record.getMessage(), repr(record.args), record.exc_text or "", repr(vars(record))])
        found += [f"{name} in {record.name}" for name, secret in secrets.items() if secret in text]
    return found


def test_should_never_log_a_token_or_its_hash(client, tokens, caplog: pytest.LogCaptureFixture) -> None:
    assert logged_secrets(client, tokens, caplog) == []


def test_should_never_log_a_token_hash_even_with_sql_logging_on(client, tokens, caplog) -> None:
    assert logged_secrets(client, tokens, caplog, sql_level=logging.INFO) == []


def test_token_list_should_never_print_a_full_token(services, tokens) -> None:
    from madoguchi.cli import app

    result = CliRunner().invoke(
        app,
        ["token", "list"],
        env={"MADOGUCHI_DATABASE_URL": services.settings.database_url, "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    for token in tokens.values():
        assert token not in result.output
        assert token[12:] not in result.output and token[4:] not in result.output
        assert hashlib.sha256(token.encode()).hexdigest() not in result.output
    assert tokens["fumin"][:12] in result.output  # the prefix identifies it: the listing is not empty
