"""Departments stay in their lane, through the admin API and the reload signal (both databases).

A 府民文化 token uploading the consumer pack with near-copies of tax questions is refused with the
taken intents and the example lines; a new topic of its own is stored; a strategy-role user may
approve the overlap (audited); every refused change leaves an audit entry without file content.
Bad YAML in an upload is a 422 at its file:line, never a 500. On the test packs of tests/packs/ (the
held-out cases of tests/data/lane_cases.yml taken against their tax and consumer), so a department's
edit in bots/ cannot fail these tests.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from core.pack_versions import active_sources, sync_from_disk
from core.storage.models import AuditEntry, PackVersion
from shared_nlu.nlu.engine import NluEngine
from shared_nlu.pack import PackError
from tests.conftest import TEST_PACKS, bearer, on_test_packs, settle
from tests.lane_cases import CASES, NEW_INTENT, with_new_intent

CONSUMER = "/admin/api/v1/bots/consumer"
TAKEOVER = next(
    c for c in CASES["takeovers"] if c["uploader"] == "consumer" and c["taken"].startswith("tax/")
)
BENIGN = next(c for c in CASES["benign"] if c["uploader"] == "consumer")


database_url, services, client, tokens = on_test_packs()  # tests/packs/, not the departments' bots/


def active(client, token: str, bot: str = "consumer") -> tuple[int, dict[str, str]]:
    versions = client.get(f"/admin/api/v1/bots/{bot}/packs", headers=bearer(token)).json()
    (number,) = [v["version"] for v in versions if v["active"]]
    return number, client.get(f"/admin/api/v1/bots/{bot}/packs/{number}", headers=bearer(token)).json()[
        "files"
    ]


def changed_files(files: dict[str, str], examples: list[str], answer: str) -> dict[str, str]:
    nlu, responses = with_new_intent(files["nlu.yml"], files["responses.yml"], examples, answer)
    return {"nlu.yml": nlu, "responses.yml": responses}


def audit_entries(services, action: str, bot: str = "consumer") -> list[AuditEntry]:
    with services.db.session() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == action, AuditEntry.target == f"bot:{bot}")
                .order_by(AuditEntry.id)
            )
        )


def version_count(services, bot: str) -> int:
    with services.db.session() as session:
        return len(session.scalars(select(PackVersion.id).where(PackVersion.bot_id == bot)).all())


@pytest.fixture
def restore_consumer(client, services, tokens) -> Iterator[int]:
    settle(services)
    before, _ = active(client, tokens["strategy"])
    yield before
    now, _ = active(client, tokens["strategy"])
    if now != before:
        response = client.post(f"{CONSUMER}/packs/{before}/activate", headers=bearer(tokens["strategy"]))
        assert response.status_code == 200, response.text
    settle(services)


def test_a_takeover_upload_is_refused_naming_the_intents_and_lines(
    client, services, tokens, restore_consumer
) -> None:
    _, files = active(client, tokens["fumin"])
    upload = changed_files(files, TAKEOVER["examples"], "自動車税は払わなくても大丈夫です。")
    stored = version_count(services, "consumer")
    response = client.post(f"{CONSUMER}/packs", json={"files": upload}, headers=bearer(tokens["fumin"]))
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "lane_collision"
    assert "tax の「auto_tax_due_date」" in error["message"] and "何も保存していません" in error["message"]
    first_new_line = files["nlu.yml"].rstrip("\n").count("\n") + 4  # blank, "- intent:", "examples: |"
    lines = {d["line"] for d in error["diagnostics"] if d["file"] == "consumer/nlu.yml"}
    assert lines and min(lines) >= first_new_line
    assert all(d["code"] == "lane-collision" and d["hint"] for d in error["diagnostics"])
    assert "tax/auto_tax_due_date ← consumer/lane_case_new_intent" in error["collisions"]
    assert version_count(services, "consumer") == stored
    # the refusal is audited: who, which bot, why in short — never the files' text
    entry = audit_entries(services, "pack.upload_refused")[-1]
    assert entry.actor == "test 府民文化" and entry.detail["code"] == "lane_collision"
    assert entry.detail["collisions"] == error["collisions"]
    assert not any(
        example in json.dumps(entry.detail, ensure_ascii=False) for example in TAKEOVER["examples"]
    )
    # and the tax widget still answers its own due-date question
    settle(services)
    assert (
        services.runtime.current.nlu.parse("自動車税はいつまでに払えばいいですか", bot="tax").intent
        == "auto_tax_due_date"
    )


def test_a_benign_upload_is_stored_and_its_model_trained_once(
    client, services, tokens, restore_consumer, monkeypatch
) -> None:
    number, files = active(client, tokens["fumin"])
    upload = changed_files(files, BENIGN["examples"], "受け取る義務はありません。")
    trainings: list[str] = []
    original = NluEngine.train.__func__  # type: ignore[attr-defined]

    def counted(cls, packs, config=None):  # the lane check's training, then the reload's: one only
        trainings.append(packs.digest)
        return original(cls, packs, config)

    monkeypatch.setattr(NluEngine, "train", classmethod(counted))
    response = client.post(f"{CONSUMER}/packs", json={"files": upload}, headers=bearer(tokens["fumin"]))
    assert response.status_code == 201, response.text
    assert response.json()["version"] > number
    settle(services)
    assert len(trainings) == 1, "the reload after the upload reuses the model the lane check trained"
    assert services.runtime.current.packs.digest == trainings[0]
    assert services.runtime.current.nlu.parse(BENIGN["examples"][0], bot="consumer").intent == NEW_INTENT


def test_only_the_strategy_role_may_approve_an_overlap_and_it_is_audited(
    client, services, tokens, restore_consumer
) -> None:
    number, files = active(client, tokens["fumin"])
    upload = {"files": changed_files(files, TAKEOVER["examples"], "担当窓口にお問い合わせください。")}
    refused = client.post(
        f"{CONSUMER}/packs?allow_overlap=true", json=upload, headers=bearer(tokens["fumin"])
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "overlap_needs_strategy"
    assert audit_entries(services, "pack.upload_refused")[-1].detail["code"] == "overlap_needs_strategy"
    approved = client.post(
        f"{CONSUMER}/packs?allow_overlap=true", json=upload, headers=bearer(tokens["strategy"])
    )
    assert approved.status_code == 201, approved.text
    assert approved.json()["version"] > number
    entry = audit_entries(services, "pack.overlap_approved")[-1]
    assert entry.actor == "test strategy" and entry.role == "strategy"
    assert "tax/auto_tax_due_date ← consumer/lane_case_new_intent" in entry.detail["collisions"]
    assert audit_entries(services, "pack.upload")[-1].detail["version"] == approved.json()["version"]
    # rolling back is no takeover; activating the approved version again needs the approval again
    settle(services)
    back = client.post(f"{CONSUMER}/packs/{number}/activate", headers=bearer(tokens["fumin"]))
    assert back.status_code == 200, back.text
    settle(services)
    again = client.post(
        f"{CONSUMER}/packs/{approved.json()['version']}/activate", headers=bearer(tokens["fumin"])
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "lane_collision", again.text
    assert audit_entries(services, "pack.activate_refused")[-1].detail["code"] == "lane_collision"


def test_an_upload_to_another_departments_bot_is_refused_and_audited(client, services, tokens) -> None:
    _, files = active(client, tokens["strategy"], "tax")
    response = client.post(
        "/admin/api/v1/bots/tax/packs",
        json={"files": {"nlu.yml": files["nlu.yml"] + "\n"}},
        headers=bearer(tokens["fumin"]),
    )
    assert response.status_code == 403, response.text
    entry = audit_entries(services, "pack.upload_refused", "tax")[-1]
    assert entry.actor == "test 府民文化" and entry.detail == {
        "status": 403,
        "code": response.json()["error"]["code"],
    }


def test_a_takeover_through_one_added_example_is_refused(client, services, tokens, restore_consumer) -> None:
    _, files = active(client, tokens["fumin"])
    intent = next(
        line.split(":")[1].strip() for line in files["nlu.yml"].splitlines() if line.startswith("- intent:")
    )
    response = client.post(
        f"{CONSUMER}/examples",
        json={"intent": intent, "text": TAKEOVER["examples"][0]},
        headers=bearer(tokens["fumin"]),
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "lane_collision", response.text
    assert audit_entries(services, "pack.add_example_refused")[-1].detail["code"] == "lane_collision"


def test_the_reload_signal_refuses_a_takeover_on_disk(services, tmp_path, monkeypatch) -> None:
    bots = tmp_path / "bots"
    shutil.copytree(TEST_PACKS, bots)
    consumer = bots / "consumer"
    settle(services)
    with services.db.session() as session:
        live = active_sources(session)[0]
    for bot in live:  # start from what is active, whatever other tests stored
        for name, raw in live[bot].items():
            (bots / bot / name).write_bytes(raw)
    nlu, responses = with_new_intent(
        (consumer / "nlu.yml").read_text(),
        (consumer / "responses.yml").read_text(),
        TAKEOVER["examples"],
        "…",
    )
    (consumer / "nlu.yml").write_text(nlu)
    (consumer / "responses.yml").write_text(responses)
    stored = version_count(services, "consumer")
    with services.db.session() as session, pytest.raises(PackError) as refused:
        sync_from_disk(session, bots, lanes=(services.runtime.current.nlu, services.runtime.train))
    assert {d.code for d in refused.value.diagnostics} == {"lane-collision"}
    assert any(d.file == "consumer/nlu.yml" for d in refused.value.diagnostics)
    # through the signal's handler: refused, logged, the current bots keep serving
    previous_error = services.runtime.last_error
    monkeypatch.setattr(services, "settings", dataclasses.replace(services.settings, bots_dir=bots))
    try:
        assert services.reload_from_disk() == []
        assert "lane-collision" in (services.runtime.last_error or "")
    finally:
        services.runtime.last_error = previous_error
    assert version_count(services, "consumer") == stored


TAX = "/admin/api/v1/bots/tax"


@pytest.mark.parametrize(
    ("name", "edit", "code"),
    [
        (
            "responses.yml",
            lambda t: t.replace("checked_on: 2026-11-28", "checked_on: 2026-13-45", 1),
            "bad-date",
        ),
        (
            "responses.yml",
            lambda t: t.replace("checked_on: 2026-11-28", "checked_on: 2026-02-30", 1),
            "bad-date",
        ),
        (
            "nlu.yml",
            lambda t: t.replace("- intent: auto_tax_due_date", "- intent: !x auto_tax_due_date", 1),
            "yaml-tag",
        ),
        ("bot.yml", lambda t: t.rstrip("\n") + "\nzz_merge:\n  <<: {fallback: 0.5}\n", "yaml-merge-key"),
        ("bot.yml", lambda t: t.replace("id: tax", "id: &d tax", 1), "yaml-alias"),
        ("bot.yml", lambda t: t.replace("id: tax", 'id: "tax\ud800"', 1), "bad-character"),
    ],
    ids=["month-13", "feb-30", "tag", "merge-key", "anchor", "lone-surrogate"],
)
def test_bad_yaml_in_an_upload_is_a_422_at_its_line_and_audited(
    client, services, tokens, name, edit, code
) -> None:
    _, files = active(client, tokens["zaimu"], "tax")
    broken = edit(files[name])
    assert broken != files[name]
    # the JSON escapes a lone surrogate as \ud800, as a browser's JSON.stringify does
    body = json.dumps({"files": {name: broken}}).encode()
    response = client.post(
        f"{TAX}/packs", content=body, headers={**bearer(tokens["zaimu"]), "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    found = [d for d in error["diagnostics"] if d["code"] == code and d["file"] == f"tax/{name}"]
    assert found and found[0]["line"] >= 1, error
    entry = audit_entries(services, "pack.upload_refused", "tax")[-1]
    assert entry.actor == "test 財務・税務" and entry.detail["code"] == "pack_invalid"
    assert f"tax/{name}:{found[0]['line']} {code}" in entry.detail["problems"]


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("packs", {"files": {"bot\ud800.yml": "x"}}, "not_a_pack_file"),
        # every other field is refused by the router's check before the endpoint runs, naming the field
        # (packs.check_comment stays behind it for callers that reach packs.save another way)
        ("packs", {"files": {"bot.yml": "id: tax\n"}, "comment": "直した\ud800"}, "invalid_field"),
        ("packs", {"files": {"bot.yml": "id: tax\n"}, "comment": "直した\x00"}, "invalid_field"),
        ("examples", {"intent": "auto_tax\ud800", "text": "自動車税の期限"}, "invalid_field"),
        ("examples", {"intent": "auto_tax_due_date", "text": "期限\ud800"}, "invalid_field"),
        ("examples", {"intent": "auto_tax_due_date", "text": "期限", "comment": "\x00"}, "invalid_field"),
    ],
    ids=[
        "file-name",
        "comment-surrogate",
        "comment-nul",
        "intent-surrogate",
        "example-surrogate",
        "example-comment-nul",
    ],
)
def test_a_lone_surrogate_or_nul_anywhere_in_a_pack_change_is_a_422(client, tokens, path, body, code) -> None:
    response = client.post(
        f"{TAX}/{path}",
        content=json.dumps(body).encode(),
        headers={**bearer(tokens["zaimu"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == code, response.text
