"""Department self-service: open a bot, import an FAQ spreadsheet as a draft, check files as they are
typed, try the draft, activate it — on SQLite and PostgreSQL.

These tests add bots, so they run on a database and a service of their own: the shared one keeps
the seven shipped bots that other test modules count and route between.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from admin.faq_import import ImportRefused, read_spreadsheet
from admin.projects import fiscal_year_of
from core.storage.models import AuditEntry, Conversation, PackVersion, Project
from tests.conftest import ROOT, _fresh_database, bearer, empty_database, settle

ADMIN = "/admin/api/v1"

WASTE_ROWS = [
    (
        "粗大ごみの出し方を教えてください",
        "粗大ごみは事前に申し込みが必要です。お住まいの市町村の粗大ごみ受付センターにお申し込みください。",
    ),
    (
        "引っ越しで出たたくさんのごみはどうすればいいですか",
        "一度にたくさん出るごみは、市町村の臨時収集か許可業者をご利用ください。",
    ),
    (
        "エアコンやテレビは粗大ごみで出せますか",
        "エアコン・テレビ・冷蔵庫・洗濯機は家電リサイクル法の対象です。購入した店か市町村の案内に従ってください。",
    ),
    ("スプレー缶の捨て方は", "スプレー缶は中身を使い切ってから、市町村の分別ルールに従って出してください。"),
    ("ごみの収集日を知りたい", "収集日はお住まいの地域で異なります。市町村のごみカレンダーをご覧ください。"),
]


PARK_ROWS = [
    (
        "公園でバーベキューはできますか",
        "府営公園では、決められた場所でだけバーベキューができます。各公園の管理事務所にお問い合わせください。",
    ),
    ("公園の駐車場は何時まで", "駐車場の利用時間は公園ごとに異なります。各公園の案内ページをご覧ください。"),
    (
        "公園でボール遊びをしてもいいですか",
        "ほかの利用者の迷惑にならない広場でお楽しみください。禁止の掲示がある場所ではご遠慮ください。",
    ),
    ("犬を連れて公園に入れますか", "リードをつけ、ふんを持ち帰っていただければ、犬を連れて入園できます。"),
]


def new_bot(bot_id: str = "waste", department: str = "府民文化", **changes: Any) -> dict[str, Any]:
    body = {
        "id": bot_id,
        "name": f"ごみ分別案内（{bot_id}）",
        "department": department,
        "description": "ごみの出し方や分別についてのご質問にお答えします。",
        "contact": {"name": "大阪府府民お問合せセンター", "phone": "06-6910-8001", "hours": "09:00-18:00"},
    }
    body.update(changes)
    return body


def workbook(rows: list[tuple[Any, ...]], header: tuple[str, ...] = ("質問", "回答")) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def own(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A service on a database of its own, with a client and one token per role."""
    from admin.auth import create_token
    from core.settings import Settings
    from madoguchi.app import create_app, start_services

    with empty_database(request.param, tmp_path_factory.mktemp("selfservice"), "selfservice") as url:
        _fresh_database(url)
        settings = Settings.from_mapping(
            {
                "database_url": url,
                "bots_dir": ROOT / "bots",
                "model_dir": tmp_path_factory.mktemp("ss-models"),
                "rate_limit_per_minute": 1000,
                "rate_limit_per_address_per_minute": 100000,
                "rate_limit_sessions_per_address_per_minute": 100000,
                "rate_limit_parse_per_address_per_minute": 100000,
            }
        )
        services = start_services(settings)
        with services.db.session() as session:
            tokens = {
                "strategy": create_token(session, "strategy", "ss strategy")[0],
                "viewer": create_token(session, "viewer", "ss viewer")[0],
                "fumin": create_token(session, "department", "ss 府民文化", "府民文化")[0],
                "zaimu": create_token(session, "department", "ss 財務・税務", "財務・税務")[0],
            }
        try:
            with TestClient(create_app(services=services, watch=False)) as client:
                yield {"client": client, "services": services, "tokens": tokens}
        finally:
            services.stop()


def public_bots(own: dict[str, Any]) -> list[str]:
    return [bot["id"] for bot in own["client"].get("/api/v1/bots").json()["bots"]]


def versions(own: dict[str, Any], bot_id: str, token: str = "strategy") -> list[dict[str, Any]]:
    response = own["client"].get(f"{ADMIN}/bots/{bot_id}/packs", headers=bearer(own["tokens"][token]))
    assert response.status_code == 200, response.text
    return response.json()


def create(own: dict[str, Any], bot_id: str, **changes: Any) -> dict[str, Any]:
    response = own["client"].post(
        f"{ADMIN}/bots", json=new_bot(bot_id, **changes), headers=bearer(own["tokens"]["strategy"])
    )
    assert response.status_code == 201, response.text
    return response.json()


def import_sheet(own: dict[str, Any], bot_id: str, data: bytes, filename: str, token: str = "fumin"):
    return own["client"].post(
        f"{ADMIN}/bots/{bot_id}/faq-import",
        files={"file": (filename, data, "application/octet-stream")},
        headers=bearer(own["tokens"][token]),
    )


def try_text(own: dict[str, Any], bot_id: str, version: int, text: str, session: str | None = None):
    body = {"text": text} if session is None else {"text": text, "session": session}
    return own["client"].post(
        f"{ADMIN}/bots/{bot_id}/packs/{version}/try", json=body, headers=bearer(own["tokens"]["fumin"])
    )


# ---- creating a bot ------------------------------------------------------------------------------


def test_should_open_a_bot_as_a_draft_registered_as_a_project_of_this_fiscal_year(own):
    created = create(own, "waste")
    assert created["version"] == 1 and created["active"] is False and created["project_id"]
    (first,) = versions(own, "waste")
    assert first["version"] == 1 and first["active"] is False
    listed = own["client"].get(f"{ADMIN}/bots", headers=bearer(own["tokens"]["fumin"])).json()
    (draft_bot,) = [b for b in listed if b["id"] == "waste"]
    assert draft_bot["live"] is False and draft_bot["widget_snippet"] is None
    me = own["client"].get(f"{ADMIN}/me", headers=bearer(own["tokens"]["fumin"])).json()
    assert "waste" in me["editable_bots"]
    other = own["client"].get(f"{ADMIN}/bots", headers=bearer(own["tokens"]["zaimu"])).json()
    assert "waste" not in [b["id"] for b in other]
    # residents do not see it yet
    assert "waste" not in public_bots(own)
    assert own["client"].post("/api/v1/bots/waste/sessions", json={}).status_code == 404
    with own["services"].db.session() as session:
        project = session.get(Project, created["project_id"])
        assert project is not None
        assert (project.bot_id, project.department, project.kind) == ("waste", "府民文化", "街のDX")
        assert project.fiscal_year == fiscal_year_of(date.today())
        assert session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "bot.create")
        )
    files = (
        own["client"]
        .get(f"{ADMIN}/bots/waste/packs/1", headers=bearer(own["tokens"]["fumin"]))
        .json()["files"]
    )
    assert "include_common: true" in files["bot.yml"] and "utter_welcome" in files["responses.yml"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (new_bot("Waste Bot"), 422, "bad_bot_id"),
        (new_bot("x"), 422, None),
        (new_bot("tax"), 409, "bot_exists"),
        (new_bot("common"), 409, "bot_exists"),
        (new_bot("parks", department="存在しない部局"), 422, "unknown_department"),
        (
            new_bot("parks", contact={"name": "公園課", "phone": "call me", "hours": "09:00-18:00"}),
            422,
            "bad_phone",
        ),
        (
            new_bot("parks", contact={"name": "公園課", "phone": "06-6941-0351", "hours": "9時から"}),
            422,
            "bad_hours",
        ),
        ({"id": "parks"}, 422, None),
    ],
)
def test_should_refuse_a_bad_new_bot_with_a_reason(own, body, status, code):
    response = own["client"].post(f"{ADMIN}/bots", json=body, headers=bearer(own["tokens"]["strategy"]))
    assert response.status_code == status, response.text
    if code:
        assert response.json()["error"]["code"] == code
    if code == "unknown_department":
        assert "府民文化" in response.json()["error"]["message"]  # lists the known departments


def test_should_refuse_a_second_bot_with_the_same_id(own):
    create(own, "dup_bot")
    again = own["client"].post(
        f"{ADMIN}/bots", json=new_bot("dup_bot"), headers=bearer(own["tokens"]["strategy"])
    )
    assert again.status_code == 409


@pytest.mark.parametrize(("token", "status"), [("fumin", 403), ("viewer", 403), (None, 401)])
def test_should_let_only_the_strategy_role_open_a_bot(own, token, status):
    headers = bearer(own["tokens"][token]) if token else {}
    assert (
        own["client"].post(f"{ADMIN}/bots", json=new_bot("other_bot"), headers=headers).status_code == status
    )


def test_should_let_a_token_be_made_for_the_department_of_a_bot_opened_in_the_admin(own):
    from admin.auth import create_token

    with own["services"].db.session() as session, pytest.raises(ValueError):
        create_token(session, "department", "env before", "環境農林")
    create(own, "green_bot", department="環境農林")  # an inventory department without a bot so far
    with own["services"].db.session() as session:
        token = create_token(session, "department", "env after", "環境農林")[0]
    listed = own["client"].get(f"{ADMIN}/bots/green_bot/packs", headers=bearer(token))
    assert listed.status_code == 200, listed.text


def test_should_let_only_the_bots_department_edit_its_drafts(own):
    create(own, "dept_only")
    assert (
        own["client"].get(f"{ADMIN}/bots/dept_only/packs", headers=bearer(own["tokens"]["fumin"])).status_code
        == 200
    )
    assert (
        own["client"].get(f"{ADMIN}/bots/dept_only/packs", headers=bearer(own["tokens"]["zaimu"])).status_code
        == 403
    )
    sheet = workbook(WASTE_ROWS)
    assert import_sheet(own, "dept_only", sheet, "faq.xlsx", token="zaimu").status_code == 403
    assert import_sheet(own, "dept_only", sheet, "faq.xlsx", token="viewer").status_code == 403


# ---- importing a spreadsheet ----------------------------------------------------------------------


def test_should_import_a_workbook_as_a_draft_and_report_each_refused_row(own):
    create(own, "sheet_bot")
    rows = [
        *WASTE_ROWS,
        ("回答のない質問です", None),  # row 7: empty answer
        ("粗大ごみの出し方を教えてください。", "二度目"),  # row 8: the same question as row 2
        ("長" * 400, "長すぎる質問"),  # row 9: over-long
        ("=A2&A3", "数式"),  # row 10: a formula
        (None, "質問のない回答"),  # row 11: empty question
    ]
    response = import_sheet(own, "sheet_bot", workbook(rows), "よくある質問.xlsx")
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["taken"] == len(WASTE_ROWS)
    assert [(r["row"], r["reason"]) for r in report["refused"]] == [
        (7, "empty_answer"),
        (8, "duplicate_question"),
        (9, "too_long"),
        (10, "formula"),
        (11, "empty_question"),
    ]
    assert all(r["message"] for r in report["refused"])
    listed = {v["version"]: v for v in versions(own, "sheet_bot")}
    assert listed[report["version"]]["active"] is False
    files = (
        own["client"]
        .get(f"{ADMIN}/bots/sheet_bot/packs/{report['version']}", headers=bearer(own["tokens"]["fumin"]))
        .json()["files"]
    )
    assert "粗大ごみは事前に申し込みが必要です" in files["faq.yml"]


def test_should_read_shift_jis_and_bom_csv_as_excel_writes_them(own):
    create(own, "csv_bot")
    lines = ["問,答,カテゴリ,確認日"] + [
        f"{q},{a},ごみ,2026/11/{i + 1}" for i, (q, a) in enumerate(WASTE_ROWS)
    ]
    text = "\r\n".join(lines) + "\r\n"
    sjis = import_sheet(own, "csv_bot", text.encode("cp932"), "faq.csv")
    assert sjis.status_code == 201, sjis.text
    assert sjis.json()["taken"] == len(WASTE_ROWS) and sjis.json()["columns"]["question"] == "問"
    # the same list again, now UTF-8 with a BOM and one answer changed: it replaces the import
    changed = text.replace("申し込みが必要です", "申し込みが必要です（インターネットでも受付）")
    bom = import_sheet(own, "csv_bot", b"\xef\xbb\xbf" + changed.encode("utf-8"), "faq.csv")
    assert bom.status_code == 201, bom.text
    files = (
        own["client"]
        .get(f"{ADMIN}/bots/csv_bot/packs/{bom.json()['version']}", headers=bearer(own["tokens"]["fumin"]))
        .json()["files"]
    )
    assert "インターネットでも受付" in files["faq.yml"]
    assert files["faq.yml"].count("question:") == len(WASTE_ROWS)  # replaced, not appended
    assert "checked_on: 2026-11-01" in files["faq.yml"]  # the oldest 確認日


def test_should_keep_hand_written_intents_when_importing_again(own):
    create(own, "mixed_bot")
    nlu = 'version: "3.1"\nnlu:\n- intent: office_hours\n  examples: |\n' + "".join(
        f"    - {q}\n" for q in ["窓口は何時まで", "受付時間を教えて", "何時から開いてますか"]
    )
    responses = (
        'version: "3.1"\nresponses:\n  utter_office_hours:\n    checked_on: 2026-11-28\n'
        "    ja:\n      - text: 受付は平日 9時から18時までです。\n"
    )
    saved = own["client"].post(
        f"{ADMIN}/bots/mixed_bot/packs",
        json={"files": {"nlu.yml": nlu, "responses.yml": responses}, "activate": False},
        headers=bearer(own["tokens"]["fumin"]),
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["activated"] is False
    imported = import_sheet(own, "mixed_bot", workbook(WASTE_ROWS), "faq.xlsx")
    assert imported.status_code == 201, imported.text
    files = (
        own["client"]
        .get(
            f"{ADMIN}/bots/mixed_bot/packs/{imported.json()['version']}",
            headers=bearer(own["tokens"]["fumin"]),
        )
        .json()["files"]
    )
    assert "office_hours" in files["nlu.yml"] and "faq.yml" in files


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "faq.csv", "spreadsheet_unreadable"),
        (b"PK\x03\x04 not really a zip", "faq.xlsx", "spreadsheet_unreadable"),
        ("名前,住所\n山田,大阪\n".encode(), "faq.csv", "spreadsheet_unreadable"),
        ("質問,回答\n,\n".encode(), "faq.csv", "no_rows_taken"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "faq.xls", "spreadsheet_unreadable"),
    ],
)
def test_should_refuse_a_file_that_is_no_faq_list_with_what_to_do(own, data, filename, code):
    create(own, f"bad_{code[:5]}_{len(data)}")
    response = import_sheet(own, f"bad_{code[:5]}_{len(data)}", data, filename)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


def test_should_read_headers_in_english_and_skip_blank_rows():
    data = "\n".join(
        ["", "Question,Answer", "How do I sort cans?,Rinse them and put them in the can bag.", ",", ""]
    ).encode()
    result = read_spreadsheet("faq.csv", data)
    assert [e["question"] for e in result.entries] == ["How do I sort cans?"]
    with pytest.raises(ImportRefused):
        read_spreadsheet("faq.csv", "\ud800".encode("utf-8", "surrogatepass"))


# ---- checking files as they are typed -------------------------------------------------------------


def test_should_check_files_without_saving_them(own):
    create(own, "typing_bot")
    before = len(versions(own, "typing_bot"))
    broken = 'version: "3.1"\nnlu:\n- intent: opening\n  examples: |\n    - 何時から\n    - 受付時間は\n   - 何時まで\n'
    responses = (
        'version: "3.1"\nresponses:\n  utter_opening:\n    checked_on: 2026-11-28\n'
        "    ja:\n      - text: 受付は平日 9時から18時までです。\n"
    )
    response = own["client"].post(
        f"{ADMIN}/bots/typing_bot/packs/validate",
        json={"files": {"nlu.yml": broken}},
        headers=bearer(own["tokens"]["fumin"]),
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["ok"] is False
    errors = [d for d in result["diagnostics"] if d["severity"] == "error"]
    assert errors and errors[0]["file"] == "typing_bot/nlu.yml" and errors[0]["line"] >= 5
    fixed = broken.replace("   - 何時まで", "    - 何時まで")
    ok = (
        own["client"]
        .post(
            f"{ADMIN}/bots/typing_bot/packs/validate",
            json={"files": {"nlu.yml": fixed, "responses.yml": responses}},
            headers=bearer(own["tokens"]["fumin"]),
        )
        .json()
    )
    assert not [d for d in ok["diagnostics"] if d["severity"] == "error"]
    assert len(versions(own, "typing_bot")) == before


# ---- trying a draft, then activating it -----------------------------------------------------------


def conversations(own: dict[str, Any]) -> int:
    with own["services"].db.session() as session:
        return session.scalar(select(func.count()).select_from(Conversation)) or 0


def test_should_try_a_draft_without_storing_anything_and_activate_it_for_residents(own):
    create(own, "live_bot")
    draft = import_sheet(own, "live_bot", workbook(WASTE_ROWS), "faq.xlsx").json()["version"]
    stored = conversations(own)
    first = try_text(own, "live_bot", draft, "粗大ごみってどうやって出すの")
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["fallback"] is False and answer["intent"].startswith("faq_")
    assert "粗大ごみは事前に申し込みが必要です" in "\n".join(m["text"] for m in answer["messages"])
    unrelated = try_text(own, "live_bot", draft, "パスポートの申請に必要な書類は", answer["session"]).json()
    assert "粗大ごみは事前に" not in "\n".join(m["text"] for m in unrelated["messages"])
    assert try_text(own, "live_bot", draft, "こんにちは", "not a token").status_code == 422
    assert conversations(own) == stored  # trials are not resident traffic
    assert "live_bot" not in public_bots(own)

    activated = own["client"].post(
        f"{ADMIN}/bots/live_bot/packs/{draft}/activate", headers=bearer(own["tokens"]["fumin"])
    )
    assert activated.status_code == 200, activated.text
    settle(own["services"])
    assert "live_bot" in public_bots(own)
    session_id = own["client"].post("/api/v1/bots/live_bot/sessions", json={}).json()["session_id"]
    reply = (
        own["client"]
        .post(
            "/api/v1/bots/live_bot/messages",
            json={"session_id": session_id, "text": "スプレー缶はどう捨てればいい？"},
        )
        .json()
    )
    assert "中身を使い切って" in "\n".join(m["text"] for m in reply["messages"])
    routed = own["client"].post("/model/parse", json={"text": "エアコンは粗大ごみで出せますか"}).json()
    assert routed["bot"] == "live_bot"
    bots = own["client"].get(f"{ADMIN}/bots", headers=bearer(own["tokens"]["fumin"])).json()
    (listed,) = [b for b in bots if b["id"] == "live_bot"]
    assert 'data-bot="live_bot"' in listed["widget_snippet"]


def test_should_keep_serving_the_active_version_while_a_draft_is_saved(own):
    create(own, "steady_bot")
    first = import_sheet(own, "steady_bot", workbook(PARK_ROWS), "faq.xlsx").json()["version"]
    assert (
        own["client"]
        .post(f"{ADMIN}/bots/steady_bot/packs/{first}/activate", headers=bearer(own["tokens"]["fumin"]))
        .status_code
        == 200
    )
    settle(own["services"])
    changed = [(q, a.replace("決められた場所でだけ", "予約した場所でだけ")) for q, a in PARK_ROWS]
    second = import_sheet(own, "steady_bot", workbook(changed), "faq.xlsx").json()["version"]
    settle(own["services"])
    session_id = own["client"].post("/api/v1/bots/steady_bot/sessions", json={}).json()["session_id"]
    reply = (
        own["client"]
        .post(
            "/api/v1/bots/steady_bot/messages",
            json={"session_id": session_id, "text": "公園でバーベキューってできる？"},
        )
        .json()
    )
    assert "決められた場所でだけ" in "\n".join(m["text"] for m in reply["messages"])
    tried = try_text(own, "steady_bot", second, "公園でバーベキューってできる？").json()
    assert "予約した場所でだけ" in "\n".join(m["text"] for m in tried["messages"])
    with own["services"].db.session() as session:
        active = session.scalars(
            select(PackVersion.version).where(
                PackVersion.bot_id == "steady_bot", PackVersion.active.is_(True)
            )
        ).all()
    assert active == [first]


# ---- the quality gate ---------------------------------------------------------------------------------


def test_should_ask_for_confirmation_before_activating_a_draft_that_answers_worse(own):
    import yaml

    headers = bearer(own["tokens"]["zaimu"])
    (live,) = [v for v in versions(own, "tax") if v["active"]]
    files = own["client"].get(f"{ADMIN}/bots/tax/packs/{live['version']}", headers=headers).json()["files"]
    nlu = yaml.safe_load(files["nlu.yml"])
    for item in nlu["nlu"]:
        if "intent" in item:  # three examples per intent: the fewest the validator accepts
            item["examples"] = "".join(line + "\n" for line in item["examples"].splitlines()[:3])
    thin = yaml.safe_dump(nlu, allow_unicode=True, sort_keys=False)
    saved = own["client"].post(
        f"{ADMIN}/bots/tax/packs", json={"files": {"nlu.yml": thin}, "activate": False}, headers=headers
    )
    assert saved.status_code == 201, saved.text
    draft = saved.json()["version"]

    quality = own["client"].get(f"{ADMIN}/bots/tax/packs/{draft}/quality", headers=headers).json()
    assert quality["active_version"] == live["version"] and quality["worse"] is True and quality["reasons"]
    assert quality["report"]["accuracy"] < quality["active_report"]["accuracy"]
    intents = quality["report"]["intents"]  # every intent of the bot, the weakest first
    assert {i["intent"] for i in intents} >= {"auto_tax_due_date", "tax_office_contact"}
    assert [i["answered"] for i in intents] == sorted(i["answered"] for i in intents)
    assert quality["active_report"]["near_misses"] > 0  # the tax pack's near misses, cross-validated
    assert 0 <= quality["active_report"]["near_miss_abstention"] <= 1
    assert 0 <= quality["active_report"]["out_of_scope_abstention"] <= 1

    refused = own["client"].post(f"{ADMIN}/bots/tax/packs/{draft}/activate", headers=headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "quality_worse"
    assert refused.json()["error"]["quality"]["worse"] is True
    assert [v["version"] for v in versions(own, "tax") if v["active"]] == [live["version"]]

    confirmed = own["client"].post(f"{ADMIN}/bots/tax/packs/{draft}/activate?confirm=true", headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    with own["services"].db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "pack.activate", AuditEntry.target == "bot:tax")
        ).all()[-1]
        assert entry.actor == "ss 財務・税務"
        assert entry.detail["quality"]["worse"] is True and entry.detail["quality"]["confirmed"] is True
    # rolling back to the version that was live before is not measured again
    back = own["client"].post(f"{ADMIN}/bots/tax/packs/{live['version']}/activate", headers=headers)
    assert back.status_code == 200, back.text
    settle(own["services"])
