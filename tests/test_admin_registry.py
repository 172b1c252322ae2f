"""The admin registry: the FY2021 inventory, bots as town-DX projects, retiring a bot, tokens."""

from __future__ import annotations

from sqlalchemy import select

from core.storage.models import AuditEntry, Project
from tests.conftest import bearer


def test_should_import_the_fy2021_inventory_as_in_the_seed(services) -> None:
    with services.db.session() as session:
        rows = session.scalars(
            select(Project).where(Project.fiscal_year == 2021, Project.source == "inventory_fy2021")
        ).all()
    town = [r for r in rows if r.kind == "街のDX"]
    internal = [r for r in rows if r.kind == "庁内DX"]
    assert (sum(r.sub_projects for r in town), sum(r.budget_thousand_yen or 0 for r in town)) == (
        33,
        3_414_569,
    )
    assert (sum(r.sub_projects for r in internal), sum(r.budget_thousand_yen or 0 for r in internal)) == (
        142,
        5_259_612,
    )
    without_police = [r for r in rows if r.department != "公安"]
    assert (
        sum(r.sub_projects for r in without_police),
        sum(r.budget_thousand_yen or 0 for r in without_police),
    ) == (132, 7_021_336)


def test_should_register_every_bot_as_a_town_dx_project_of_its_department(client, tokens) -> None:
    bots = client.get("/admin/api/v1/bots", headers=bearer(tokens["strategy"])).json()
    assert {b["id"] for b in bots} == {
        "covid_tracing",
        "covid_sticker",
        "covid_general",
        "consumer",
        "tax",
        "inquiry",
    }
    for bot in bots:
        assert bot["project"]["kind"] == "街のDX" and bot["project"]["department"] == bot["department"]
        assert (
            bot["project"]["budget_thousand_yen"] is None
        )  # entered by the strategy department, never invented


def test_should_scope_a_department_token_to_its_own_bots(client, tokens) -> None:
    bots = client.get("/admin/api/v1/bots", headers=bearer(tokens["fumin"])).json()
    assert {b["id"] for b in bots} == {"consumer", "inquiry"}
    projects = client.get("/admin/api/v1/projects", headers=bearer(tokens["zaimu"])).json()
    assert projects and {p["department"] for p in projects} == {"財務・税務"}


def test_should_filter_projects(client, tokens) -> None:
    rows = client.get(
        "/admin/api/v1/projects",
        params={"fiscal_year": 2021, "kind": "庁内DX", "department": "教育"},
        headers=bearer(tokens["viewer"]),
    ).json()
    assert [(r["main_project"], r["sub_projects"], r["budget_thousand_yen"]) for r in rows] == [
        ("学校納付金等システム", 37, 1_097_274)
    ]
    bad = client.get("/admin/api/v1/projects", params={"kind": "その他"}, headers=bearer(tokens["viewer"]))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_kind"


def test_should_answer_with_the_retirement_message_once_a_bot_is_retired(client, services, tokens) -> None:
    project = next(
        b["project"]
        for b in client.get("/admin/api/v1/bots", headers=bearer(tokens["strategy"])).json()
        if b["id"] == "covid_sticker"
    )
    missing = client.patch(
        f"/admin/api/v1/projects/{project['id']}",
        json={"status": "retired"},
        headers=bearer(tokens["strategy"]),
    )
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "retirement_message_required"
    message = "感染防止宣言ステッカーの受付は終了しました。"
    try:
        done = client.patch(
            f"/admin/api/v1/projects/{project['id']}",
            json={"status": "retired", "retirement_message": message},
            headers=bearer(tokens["strategy"]),
        )
        assert done.status_code == 200 and done.json()["status"] == "retired" and done.json()["retired_on"]
        services.refresh_retired()
        session_id = client.post("/api/v1/bots/covid_sticker/sessions", json={}).json()["session_id"]
        reply = client.post(
            "/api/v1/bots/covid_sticker/messages",
            json={"session_id": session_id, "text": "ステッカーの申請方法"},
        ).json()
        assert reply["messages"][0]["text"].startswith(message)
        assert "06-6910-8001" in reply["messages"][0]["text"]
        with services.db.session() as session:
            assert session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "project.update", AuditEntry.target == f"project:{project['id']}"
                )
            ).first()
    finally:
        client.patch(
            f"/admin/api/v1/projects/{project['id']}",
            json={"status": "active"},
            headers=bearer(tokens["strategy"]),
        )
        services.refresh_retired()


def test_should_decide_retirement_by_the_latest_project_of_a_bot(services) -> None:
    """A bot retired one fiscal year and reopened the next is served; retired again, it is not.
    (The worker used to read "any retired row", the admin "the latest row": they disagreed.)"""
    from admin.projects import retired_bots

    def project(year: int, status: str) -> Project:
        return Project(
            fiscal_year=year,
            department="商工",
            name="再開したボット",
            kind="街のDX",
            sub_projects=1,
            bot_id="reopened_bot",
            status=status,
            retirement_message="終了しました" if status == "retired" else None,
            source="admin",
        )

    with services.db.session() as session:
        try:
            session.add_all([project(2024, "retired"), project(2025, "active")])
            session.flush()
            assert "reopened_bot" not in retired_bots(session)
            session.add(project(2026, "retired"))
            session.flush()
            assert retired_bots(session)["reopened_bot"] == "終了しました"
        finally:
            session.rollback()


def test_should_create_projects_only_as_strategy(client, tokens) -> None:
    body = {
        "fiscal_year": 2026,
        "department": "商工",
        "name": "テスト事業",
        "kind": "街のDX",
        "budget_thousand_yen": 100,
    }
    assert (
        client.post("/admin/api/v1/projects", json=body, headers=bearer(tokens["viewer"])).status_code == 403
    )
    created = client.post("/admin/api/v1/projects", json=body, headers=bearer(tokens["strategy"]))
    assert created.status_code == 201
    again = client.post("/admin/api/v1/projects", json=body, headers=bearer(tokens["strategy"]))
    assert again.status_code == 409


def test_should_refuse_missing_invalid_and_revoked_tokens(client, services) -> None:
    from admin.auth import create_token, revoke_token

    assert client.get("/admin/api/v1/projects").status_code == 401
    assert (
        client.get("/admin/api/v1/projects", headers={"Authorization": "Bearer mdg_wrong"}).status_code == 401
    )
    assert client.get("/admin/api/v1/projects", headers={"Authorization": "Token abc"}).status_code == 401
    with services.db.session() as session:
        token, record = create_token(session, "viewer", "short-lived")
    assert client.get("/admin/api/v1/projects", headers=bearer(token)).status_code == 200
    with services.db.session() as session:
        revoke_token(session, record.id)
    assert client.get("/admin/api/v1/projects", headers=bearer(token)).status_code == 401
