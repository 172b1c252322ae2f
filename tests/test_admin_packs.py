"""Packs as versions: upload, validate, diff, activate, roll back and add an example through the admin API.

On the test packs of tests/packs/ (their answers and examples are asserted here, so a department's
edit in bots/ cannot fail these tests). The database is shared with the other modules on the test
packs, so every test that changes the tax pack activates the version that was active before it
(``restore_tax``) and waits for the reload.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from admin.pack_text import intents_of
from core.pack_versions import active_sources
from core.storage.models import AuditEntry
from shared_nlu.pack import validate_packs
from shared_nlu.pack.loader import PACK_FILES
from tests.conftest import ROOT, TEST_PACKS, bearer, on_test_packs, settle, wait_for_reloads

TAX = "/admin/api/v1/bots/tax"
DUE_DATE_LINE = "自動車税（テスト）の納期限は5月31日です。"  # a line of tests/packs/tax/responses.yml
CHANGED_LINE = "自動車税（テスト）の納期限は5月31日（月末）です。"
QUESTION = "自動車税の納期限を教えてください"  # an example of tax / auto_tax_due_date


database_url, services, client, tokens = on_test_packs()  # tests/packs/, not the departments' bots/


def ask(client, text: str, bot: str = "tax") -> str:
    session_id = client.post(f"/api/v1/bots/{bot}/sessions", json={}).json()["session_id"]
    reply = client.post(f"/api/v1/bots/{bot}/messages", json={"session_id": session_id, "text": text})
    return "\n".join(m["text"] for m in reply.json()["messages"])


def listing(client, token: str, bot: str = "tax") -> list[dict]:
    response = client.get(f"/admin/api/v1/bots/{bot}/packs", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


def active_files(client, token: str, bot: str = "tax") -> tuple[int, dict[str, str]]:
    (current,) = [v for v in listing(client, token, bot) if v["active"]]
    detail = client.get(f"/admin/api/v1/bots/{bot}/packs/{current['version']}", headers=bearer(token)).json()
    return current["version"], detail["files"]


def latest_version(client, tokens) -> int:
    return max(v["version"] for v in listing(client, tokens["strategy"]))


def audited(services, action: str, version: int) -> bool:
    with services.db.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target == "bot:tax")
        ).all()
        return any(row.detail.get("version") == version for row in rows)


def tax_warnings(services) -> list[tuple[str, int, str]]:
    """The validator's warnings for the active tax pack (the test packs' few examples per intent)."""
    with services.db.session() as session:
        sources, _ = active_sources(session)
    warnings = [
        (d.file, d.line, d.code) for d in validate_packs(sources)[1].warnings if d.file.startswith("tax/")
    ]
    assert warnings and {code for _, _, code in warnings} == {"few-examples"}
    return warnings


@pytest.fixture
def restore_tax(client, services, tokens) -> Iterator[int]:
    """The active tax version before the test; activated again afterwards, whatever happened."""
    settle(services)
    before, _ = active_files(client, tokens["strategy"])
    yield before
    now, _ = active_files(client, tokens["strategy"])
    if now != before:
        response = client.post(f"{TAX}/packs/{before}/activate", headers=bearer(tokens["strategy"]))
        assert response.status_code == 200, response.text
    settle(services)
    if services.runtime.last_error:  # a test made training fail: load the active packs for real again
        with services.db.session() as session:
            services.runtime.load(*active_sources(session))
    assert DUE_DATE_LINE in ask(client, QUESTION)


def test_should_list_versions_newest_first_for_any_reader(client, tokens) -> None:
    versions = listing(client, tokens["viewer"])
    assert [v["version"] for v in versions] == sorted((v["version"] for v in versions), reverse=True)
    assert sum(v["active"] for v in versions) == 1 and versions[-1]["author"] == "bots/"
    assert set(versions[0]) >= {
        "version",
        "author",
        "comment",
        "created_at",
        "active",
        "digest",
        "activated_at",
    }
    first = client.get(f"{TAX}/packs/1", headers=bearer(tokens["viewer"])).json()
    # tests/packs/tax as on disk, but its simulation.yml, which is no pack file
    assert (
        set(first["files"]) == {"bot.yml", "nlu.yml", "responses.yml", "tests.yml"} and first["diff"] is None
    )
    assert (TEST_PACKS / "tax" / "simulation.yml").is_file()
    missing = client.get(f"{TAX}/packs/9999", headers=bearer(tokens["viewer"]))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "version_not_found"


def test_should_name_the_files_a_pack_may_have_for_any_reader(client, tokens) -> None:
    """The dashboard's upload form and file order come from here, not from a copy in dashboard.js."""
    response = client.get("/admin/api/v1/pack-files", headers=bearer(tokens["viewer"]))
    assert response.status_code == 200, response.text
    assert response.json() == {"files": list(PACK_FILES)} and response.json()["files"][0] == "bot.yml"
    dashboard = (ROOT / "admin" / "static" / "dashboard.js").read_text(encoding="utf-8")
    assert "faq.yml" not in dashboard  # no hand-kept list of the file names


def test_should_serve_a_changed_answer_after_upload(client, services, tokens, restore_tax) -> None:
    assert DUE_DATE_LINE in ask(client, QUESTION)
    number, files = active_files(client, tokens["zaimu"])
    warned = tax_warnings(services)
    changed = files["responses.yml"].replace(DUE_DATE_LINE, CHANGED_LINE)
    response = client.post(
        f"{TAX}/packs",
        json={"files": {"responses.yml": changed}, "comment": "納期限の書き方"},
        headers=bearer(tokens["zaimu"]),
    )
    assert response.status_code == 201, response.text
    # the test packs' few-examples warnings, nothing the changed line brought
    assert response.json()["activated"] is True
    assert [(w["file"], w["line"], w["code"]) for w in response.json()["warnings"]] == warned
    new = response.json()["version"]
    assert new > number
    settle(services)
    assert CHANGED_LINE in ask(client, QUESTION)
    versions = listing(client, tokens["zaimu"])
    assert [v["version"] for v in versions if v["active"]] == [new] and versions[0]["version"] == new
    assert versions[0]["author"] == "test 財務・税務" and versions[0]["serving"] is True
    detail = client.get(f"{TAX}/packs/{new}", headers=bearer(tokens["zaimu"])).json()
    assert detail["files"]["nlu.yml"] == files["nlu.yml"]  # files not sent come from the active version
    assert "--- a/responses.yml\n+++ b/responses.yml\n" in detail["diff"]
    assert (
        f"-          {DUE_DATE_LINE}\n" in detail["diff"] and f"+          {CHANGED_LINE}\n" in detail["diff"]
    )
    assert "nlu.yml" not in detail["diff"]
    assert audited(services, "pack.upload", new)


def test_should_refuse_an_invalid_nlu_listing_every_problem(client, services, tokens, restore_tax) -> None:
    number, files = active_files(client, tokens["strategy"])
    latest = latest_version(client, tokens)
    nlu = files["nlu.yml"]
    lines = nlu.split("\n")
    bad_line = lines.index("    - 自動車税 期限") + 1
    indented = nlu.replace("\n    - 自動車税 期限\n", "\n   - 自動車税 期限\n", 1)
    _, consumer = active_files(client, tokens["strategy"], "consumer")
    taken = next(iter(intents_of("consumer", consumer["nlu.yml"]).values())).examples[0].text
    duplicated = nlu.replace("\n    - 自動車税 期限\n", f"\n    - 自動車税 期限\n    - {taken}\n", 1)
    broken_responses = files["responses.yml"].replace("\n    ja:\n", "\n   ja:\n", 1)
    for changes, expected in (
        ({"nlu.yml": indented}, [("tax/nlu.yml", bad_line, "yaml-syntax")]),
        (
            {"nlu.yml": duplicated, "responses.yml": broken_responses},
            [("tax/nlu.yml", bad_line + 1, "duplicate-example"), ("tax/responses.yml", None, "yaml-syntax")],
        ),
    ):
        response = client.post(f"{TAX}/packs", json={"files": changes}, headers=bearer(tokens["zaimu"]))
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "pack_invalid" and "tax/" in error["message"]
        found = [(d["file"], d["line"], d["code"]) for d in error["diagnostics"]]
        for file, line, code in expected:
            assert any(f == file and (line is None or n == line) and c == code for f, n, c in found), found
    assert active_files(client, tokens["strategy"])[0] == number
    assert latest_version(client, tokens) == latest  # nothing was stored
    settle(services)
    assert DUE_DATE_LINE in ask(client, QUESTION)


def test_should_roll_back_to_the_previous_version(client, services, tokens, restore_tax) -> None:
    _, files = active_files(client, tokens["zaimu"])
    changed = files["responses.yml"].replace(DUE_DATE_LINE, CHANGED_LINE)
    new = client.post(
        f"{TAX}/packs", json={"files": {"responses.yml": changed}}, headers=bearer(tokens["zaimu"])
    ).json()["version"]
    settle(services)
    assert CHANGED_LINE in ask(client, QUESTION)
    again = client.post(f"{TAX}/packs/{new}/activate", headers=bearer(tokens["zaimu"]))
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_active"
    back = client.post(f"{TAX}/packs/{restore_tax}/activate", headers=bearer(tokens["zaimu"]))
    assert back.status_code == 200 and back.json()["version"] == restore_tax
    settle(services)
    assert DUE_DATE_LINE in ask(client, QUESTION) and CHANGED_LINE not in ask(client, QUESTION)
    assert [v["version"] for v in listing(client, tokens["zaimu"]) if v["active"]] == [restore_tax]
    assert audited(services, "pack.activate", restore_tax)
    unknown = client.post(f"{TAX}/packs/9999/activate", headers=bearer(tokens["zaimu"]))
    assert unknown.status_code == 404


def test_should_add_an_example_as_a_draft_that_residents_do_not_get_yet(
    client, services, tokens, restore_tax
) -> None:
    text = "自動車税の期限って今年もいっしょ？"
    response = client.post(
        f"{TAX}/examples",
        json={"intent": "auto_tax_due_date", "text": text, "activate": False},
        headers=bearer(tokens["zaimu"]),
    )
    assert response.status_code == 201, response.text
    assert response.json()["activated"] is False
    draft = response.json()["version"]
    (active,) = [v for v in listing(client, tokens["zaimu"]) if v["active"]]
    assert active["version"] == restore_tax != draft
    nlu = client.get(f"{TAX}/packs/{draft}", headers=bearer(tokens["zaimu"])).json()["files"]["nlu.yml"]
    assert text in [e.text for e in intents_of("tax", nlu)["auto_tax_due_date"].examples]
    with services.db.session() as session:
        sources, _ = active_sources(session)
    assert text not in sources["tax"]["nlu.yml"].decode()


def test_should_add_an_example_under_its_intent(client, services, tokens, restore_tax) -> None:
    _, files = active_files(client, tokens["zaimu"])
    text = "自動車税の期限、うっかり忘れそうで心配やねん"
    response = client.post(
        f"{TAX}/examples",
        json={"intent": "auto_tax_due_date", "text": f"  {text} "},
        headers=bearer(tokens["zaimu"]),
    )
    assert response.status_code == 201, response.text
    new = response.json()["version"]
    detail = client.get(f"{TAX}/packs/{new}", headers=bearer(tokens["zaimu"])).json()
    nlu = detail["files"]["nlu.yml"]
    last = "    - When is the car tax due?\n"  # the intent's last example in tests/packs/tax/nlu.yml
    assert nlu == files["nlu.yml"].replace(last, f"{last}    - {text}\n", 1)
    assert text in [e.text for e in intents_of("tax", nlu)["auto_tax_due_date"].examples]
    assert detail["diff"].count("\n+") == 2 and detail["diff"].endswith("\n")  # +++ header and the line
    with services.db.session() as session:
        sources, _ = active_sources(session)
    assert sources["tax"]["nlu.yml"] == nlu.encode()
    _, diagnostics = validate_packs(sources)  # the new version with every other active pack
    assert diagnostics.ok, [d.format() for d in diagnostics.errors]
    assert audited(services, "pack.add_example", new)
    _, consumer = active_files(client, tokens["strategy"], "consumer")
    from_consumer = next(iter(intents_of("consumer", consumer["nlu.yml"]).values())).examples[0].text
    for intent, example, status, code in (
        ("auto_tax_due_date", text, 409, "duplicate_example"),
        ("auto_tax_notice", f"{text}。", 409, "duplicate_example"),
        ("auto_tax_notice", from_consumer, 409, "duplicate_example"),
        ("auto_tax_due", "自動車税の期限はいつまで？", 422, "unknown_intent"),
        ("auto_tax_due_date", "一行目\n二行目", 422, "invalid_example"),
        ("auto_tax_due_date", "あ" * 301, 422, "example_too_long"),
    ):
        refused = client.post(
            f"{TAX}/examples", json={"intent": intent, "text": example}, headers=bearer(tokens["zaimu"])
        )
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, code), refused.text
        if code == "unknown_intent":
            assert "auto_tax_due_date" in refused.json()["error"]["message"]
    assert latest_version(client, tokens) == new  # nothing stored for the refused ones


def test_should_keep_department_tokens_to_their_own_bots(client, tokens) -> None:
    fumin = bearer(tokens["fumin"])
    calls = [
        ("GET", f"{TAX}/packs", None),
        ("GET", f"{TAX}/packs/1", None),
        ("POST", f"{TAX}/packs", {"files": {"responses.yml": "x"}}),
        ("PUT", f"{TAX}/packs/files/responses.yml", {"text": "x"}),
        ("POST", f"{TAX}/packs/1/activate", None),
        ("POST", f"{TAX}/examples", {"intent": "auto_tax_due_date", "text": "テスト"}),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=fumin)
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json()["error"]["code"] == "forbidden"
    assert client.get("/admin/api/v1/bots/consumer/packs", headers=fumin).status_code == 200
    assert client.get(f"{TAX}/packs", headers=bearer(tokens["zaimu"])).status_code == 200
    unknown = client.get("/admin/api/v1/bots/nope/packs", headers=bearer(tokens["strategy"]))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_bot"


def test_should_let_a_viewer_read_but_not_change(client, tokens) -> None:
    viewer = bearer(tokens["viewer"])
    assert client.get(f"{TAX}/packs/1", headers=viewer).status_code == 200
    for method, path, body in [
        ("POST", f"{TAX}/packs", {"files": {"responses.yml": "x"}}),
        ("PUT", f"{TAX}/packs/files/responses.yml", {"text": "x"}),
        ("POST", f"{TAX}/packs/1/activate", None),
        ("POST", f"{TAX}/examples", {"intent": "auto_tax_due_date", "text": "テスト"}),
    ]:
        response = client.request(method, path, json=body, headers=viewer)
        assert response.status_code == 403, (method, path, response.status_code)


def test_should_refuse_other_files_oversized_bodies_and_unchanged_packs(client, tokens) -> None:
    headers = bearer(tokens["zaimu"])
    latest = latest_version(client, tokens)
    other = client.post(f"{TAX}/packs", json={"files": {"actions.py": "import os"}}, headers=headers)
    assert other.status_code == 422 and other.json()["error"]["code"] == "not_a_pack_file"
    assert "actions.py" in other.json()["error"]["message"]
    put = client.put(f"{TAX}/packs/files/secrets.txt", content="x", headers=headers)
    assert put.status_code == 422 and put.json()["error"]["code"] == "not_a_pack_file"
    huge = client.post(f"{TAX}/packs", json={"files": {"responses.yml": "#" * 1_100_000}}, headers=headers)
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    _, files = active_files(client, tokens["zaimu"])
    same = client.put(f"{TAX}/packs/files/nlu.yml", json={"text": files["nlu.yml"]}, headers=headers)
    assert same.status_code == 409 and same.json()["error"]["code"] == "pack_unchanged"
    renamed = files["bot.yml"].replace("id: tax", "id: tax2", 1)
    wrong_id = client.post(f"{TAX}/packs", json={"files": {"bot.yml": renamed}}, headers=headers)
    assert wrong_id.status_code == 422
    assert "id-mismatch" in [d["code"] for d in wrong_id.json()["error"]["diagnostics"]]
    moved = files["bot.yml"].replace("department: 財務・税務", "department: 府民文化", 1)
    given_away = client.post(f"{TAX}/packs", json={"files": {"bot.yml": moved}}, headers=headers)
    assert given_away.status_code == 403 and given_away.json()["error"]["code"] == "department_change"
    assert latest_version(client, tokens) == latest  # nothing was stored


def test_should_replace_one_file_with_put_as_text_or_json(client, services, tokens, restore_tax) -> None:
    _, files = active_files(client, tokens["zaimu"])
    changed = files["responses.yml"].replace(DUE_DATE_LINE, CHANGED_LINE)
    plain = client.put(
        f"{TAX}/packs/files/responses.yml",
        params={"comment": "テキストで送信"},
        content=changed.encode(),
        headers={**bearer(tokens["zaimu"]), "Content-Type": "text/plain; charset=utf-8"},
    )
    assert plain.status_code == 201, plain.text
    first = plain.json()["version"]
    back = client.put(
        f"{TAX}/packs/files/responses.yml",
        json={"text": files["responses.yml"], "comment": "元に戻す"},
        headers=bearer(tokens["zaimu"]),
    )
    assert back.status_code == 201 and back.json()["version"] == first + 1
    versions = {v["version"]: v for v in listing(client, tokens["zaimu"])}
    assert versions[first]["comment"] == "テキストで送信" and versions[first + 1]["comment"] == "元に戻す"
    assert versions[first + 1]["digest"] == versions[restore_tax]["digest"]
    settle(services)
    assert DUE_DATE_LINE in ask(client, QUESTION)


def test_should_keep_one_active_version_when_uploads_race(client, services, tokens, restore_tax) -> None:
    _, files = active_files(client, tokens["strategy"])
    results: list[tuple[int, dict]] = []

    def upload(token: str, marker: str) -> None:
        changed = files["responses.yml"].replace(DUE_DATE_LINE, DUE_DATE_LINE + marker)
        response = client.post(
            f"{TAX}/packs", json={"files": {"responses.yml": changed}}, headers=bearer(token)
        )
        results.append((response.status_code, response.json()))

    threads = [
        threading.Thread(target=upload, args=(tokens[name], f"（{name}）")) for name in ("strategy", "zaimu")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the second upload waits for the first one's lock, then builds on its version
    assert [status for status, _ in results] == [201, 201], results
    created = [body["version"] for _, body in results]
    assert len(set(created)) == 2, results
    versions = listing(client, tokens["strategy"])
    assert [v["version"] for v in versions if v["active"]] == [max(created)]
    assert len({v["version"] for v in versions}) == len(versions)
    settle(services)


def upload_whose_training_fails(client, services, tokens, monkeypatch) -> None:
    """Upload a changed tax pack while training raises, and wait for the background reload."""

    def broken(*_args, **_kwargs):
        raise RuntimeError("training failed")

    monkeypatch.setattr(services.runtime, "build", broken)
    _, files = active_files(client, tokens["zaimu"])
    changed = files["responses.yml"].replace(DUE_DATE_LINE, CHANGED_LINE)
    response = client.post(
        f"{TAX}/packs", json={"files": {"responses.yml": changed}}, headers=bearer(tokens["zaimu"])
    )
    assert response.status_code == 201, response.text
    wait_for_reloads()


def test_should_keep_serving_the_old_bots_when_training_fails(
    client, services, tokens, restore_tax, monkeypatch
) -> None:
    upload_whose_training_fails(client, services, tokens, monkeypatch)
    assert services.runtime.last_error and "training failed" in services.runtime.last_error
    assert DUE_DATE_LINE in ask(client, QUESTION)
    serving = [v for v in listing(client, tokens["zaimu"]) if v["serving"]]
    assert [v["version"] for v in serving] == [restore_tax]
    monkeypatch.undo()  # before restore_tax reloads


def test_should_clear_the_reload_error_when_the_serving_version_is_activated_again(
    client, services, tokens, restore_tax, monkeypatch
) -> None:
    # Given an upload whose training failed, so the previous version keeps serving and /readyz says why
    upload_whose_training_fails(client, services, tokens, monkeypatch)
    assert "training failed" in (client.get("/readyz").json()["last_reload_error"] or "")
    # When the version still serving is activated again (training is still broken: nothing retrains)
    response = client.post(f"{TAX}/packs/{restore_tax}/activate", headers=bearer(tokens["zaimu"]))
    assert response.status_code == 200, response.text
    # Then the active version is the one serving, and the failure of the abandoned one is gone
    assert [v["version"] for v in listing(client, tokens["zaimu"]) if v["serving"]] == [restore_tax]
    assert client.get("/readyz").json()["last_reload_error"] is None
    assert services.runtime.last_error is None
    monkeypatch.undo()
