"""Admin reports: usage, cost, unanswered questions and the inventory, as JSON, CSV and XLSX.

Traffic is sent through the real resident API with the simulator's headers, so it lands on past
days no other test module writes to (times are given in UTC: 01:00Z is 10:00 in Japan). On the test
packs of tests/packs/ (the traffic's intents are theirs), so a department's edit in bots/ cannot fail
these tests. The inventory's FY2021 figures are not pack content: every database imports them from
admin/data/inventory_fy2021.csv at start, the test packs' one too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from admin.not_covered import unanswered_question
from core.storage.models import AuditEntry, Project
from tests.conftest import bearer, on_test_packs

API = "/admin/api/v1"
DUE_DATE = "自動車税の納付期限はいつですか"  # tax / auto_tax_due_date
PAYMENT = "自動車税はコンビニで払えますか"  # tax / auto_tax_payment
HANDOFF = "オペレーターにつないで"  # common / handoff_human
RAMEN = "おすすめのラーメン屋は？"  # out of scope
RAMEN_AGAIN = "おすすめのラーメン屋を教えて"
WEATHER = "明日の天気はどうですか"
CONTACT = "お問合せセンターの電話番号を知りたい"  # inquiry / center_contact


database_url, services, client, tokens = on_test_packs()  # tests/packs/, not the departments' bots/


class Simulator:
    """Sends resident traffic at a given moment, marked as simulated."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @staticmethod
    def headers(at: str) -> dict[str, str]:
        return {"X-Madoguchi-Simulation": "1", "X-Madoguchi-Simulated-Time": at}

    def session(self, bot: str, at: str, *texts: str) -> list[dict[str, Any]]:
        """A new session sending ``texts``; returns each reply."""
        started = self.client.post(f"/api/v1/bots/{bot}/sessions", json={}, headers=self.headers(at))
        session_id = started.json()["session_id"]
        replies = []
        for text in texts:
            reply = self.client.post(
                f"/api/v1/bots/{bot}/messages",
                json={"session_id": session_id, "text": text},
                headers=self.headers(at),
            )
            assert reply.status_code == 200, reply.text
            replies.append(reply.json())
        return replies

    def rate(self, reply: dict[str, Any], helpful: bool, at: str) -> None:
        message = next(m for m in reply["messages"] if m["rateable"])
        rated = self.client.post(
            f"/api/v1/messages/{message['id']}/rating",
            json={"session_id": reply["session_id"], "helpful": helpful},
            headers=self.headers(at),
        )
        assert rated.status_code == 200, rated.text


@pytest.fixture(scope="session")
def simulator(services) -> Iterator[Simulator]:
    from fastapi.testclient import TestClient

    from madoguchi.app import create_app

    with TestClient(create_app(services=services, watch=False, allow_simulation=True)) as client:
        yield Simulator(client)


@pytest.fixture(scope="session")
def usage_traffic(simulator: Simulator) -> None:
    """tax, 1–2 June 2025: 3 sessions, 4 messages (1 fallback, 1 hand-off), 2 ratings (1 helpful)."""
    day1, day2 = "2025-06-01T01:00:00+00:00", "2025-06-02T06:00:00+00:00"  # 10:00 and 15:00 in Japan
    first = simulator.session("tax", day1, DUE_DATE, RAMEN)
    assert first[1]["messages"][0]["response"] == "utter_nlu_fallback"
    simulator.rate(first[0], True, day1)
    handoff = simulator.session("tax", day1, HANDOFF)
    assert handoff[0]["status"] == "handed_off"
    simulator.rate(simulator.session("tax", day2, PAYMENT)[0], False, day2)


def usage(client, token: str, **params: Any) -> Any:
    return client.get(f"{API}/reports/usage", params=params, headers=bearer(token))


JUNE = {"bot": "tax", "date_from": "2025-06-01", "date_to": "2025-06-02"}


def test_should_report_exact_usage_for_simulated_traffic(client, tokens, usage_traffic) -> None:
    report = usage(client, tokens["viewer"], include_simulated="true", **JUNE).json()
    total = report["totals"][0]
    assert report["bots"] == ["tax"] and total["bot"] == "tax"
    assert (total["sessions"], total["resident_messages"], total["answered_messages"]) == (3, 4, 3)
    assert (total["answer_rate"], total["fallback_messages"], total["fallback_rate"]) == (0.75, 1, 0.25)
    assert (total["ratings"], total["helpful_ratings"], total["helpful_rate"]) == (2, 1, 0.5)
    assert (total["handoff_sessions"], total["handoff_rate"], total["avg_turns"]) == (1, 0.3333, 1.33)
    assert (total["clarification_messages"], total["clarification_rate"]) == (0, 0.0)
    assert [(i["intent"], i["bot"], i["count"]) for i in total["top_intents"]] == [
        ("auto_tax_due_date", "tax", 1),
        ("auto_tax_payment", "tax", 1),
        ("handoff_human", "common", 1),
    ]
    assert (
        total["busiest_hours"][10] == 3
        and total["busiest_hours"][15] == 1
        and sum(total["busiest_hours"]) == 4
    )
    days = {r["period"]: r for r in report["rows"]}
    assert sorted(days) == ["2025-06-01", "2025-06-02"]
    assert (days["2025-06-01"]["sessions"], days["2025-06-01"]["resident_messages"]) == (2, 3)
    assert (days["2025-06-02"]["helpful_rate"], days["2025-06-02"]["answer_rate"]) == (0.0, 1.0)


def test_should_group_usage_by_month_and_channel(client, tokens, usage_traffic) -> None:
    report = usage(
        client, tokens["strategy"], include_simulated="true", granularity="month", channel="each", **JUNE
    ).json()
    assert [(r["period"], r["channel"], r["sessions"], r["resident_messages"]) for r in report["rows"]] == [
        ("2025-06", "widget", 3, 4)
    ]
    only_line = usage(client, tokens["strategy"], include_simulated="true", channel="line", **JUNE).json()
    assert only_line["rows"] == [] and only_line["totals"][0]["sessions"] == 0


def test_should_leave_simulated_traffic_out_by_default(client, tokens, usage_traffic) -> None:
    report = usage(client, tokens["viewer"], **JUNE).json()
    total = report["totals"][0]
    assert report["rows"] == [] and (total["sessions"], total["resident_messages"], total["ratings"]) == (
        0,
        0,
        0,
    )
    assert total["answer_rate"] is None and total["helpful_rate"] is None


def test_should_scope_usage_to_a_departments_bots(client, tokens) -> None:
    refused = usage(client, tokens["fumin"], bot="tax")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert usage(client, tokens["fumin"]).json()["bots"] == ["consumer", "inquiry"]
    assert usage(client, tokens["zaimu"], bot="tax").status_code == 200
    assert usage(client, tokens["strategy"], bot="nope").status_code == 404
    reversed_range = usage(client, tokens["viewer"], date_from="2025-06-02", date_to="2025-06-01")
    assert reversed_range.status_code == 422


def test_should_download_usage_as_csv_and_xlsx(client, tokens, usage_traffic) -> None:
    params = {"include_simulated": "true", **JUNE}
    as_csv = usage(client, tokens["viewer"], format="csv", **params)
    assert as_csv.content.startswith(b"\xef\xbb\xbf") and as_csv.headers["content-type"].startswith(
        "text/csv"
    )
    assert 'filename="madoguchi-usage-tax-2025-06-01_2025-06-02.csv"' in as_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    total = next(r for r in rows if r[1] == "合計")
    assert rows[0][3] == "セッション数" and (total[3], total[4], total[6]) == ("3", "4", "0.75")
    as_xlsx = usage(client, tokens["viewer"], format="xlsx", **params)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    total_row = next(r for r in values if r[1] == "合計")
    assert (total_row[3], total_row[4], total_row[6]) == (3, 4, 0.75)


def test_should_document_every_usage_kpi_in_the_openapi_docs(client) -> None:
    operation = client.get("/openapi.json").json()["paths"][f"{API}/reports/usage"]["get"]
    for kpi in (
        "answer_rate",
        "回答率",
        "helpful_rate",
        "正答率",
        "fallback_rate",
        "handoff_rate",
        "clarification_rate",
        "avg_turns",
        "top_intents",
        "busiest_hours",
    ):
        assert kpi in operation["description"], kpi


@pytest.fixture(scope="session")
def cost_traffic(simulator: Simulator, client, tokens) -> None:
    """FY2024: tax 2 sessions / 4 messages / 3 answered; inquiry 1 / 1 / 1. tax has a budget."""
    at = "2024-06-03T01:00:00+00:00"
    simulator.session("tax", at, DUE_DATE, PAYMENT, RAMEN)
    simulator.session("tax", at, HANDOFF)
    simulator.session("inquiry", at, CONTACT)
    project = {
        "fiscal_year": 2024,
        "department": "財務・税務",
        "name": "府税相談チャットボット（費用テスト）",
        "kind": "街のDX",
        "bot_id": "tax",
        "budget_thousand_yen": 600,
        "budget_before_thousand_yen": 5000,
    }
    assert client.post(f"{API}/projects", json=project, headers=bearer(tokens["strategy"])).status_code == 201


@pytest.fixture
def shared_cost(client, tokens) -> Iterator[Any]:
    """Sets the cost settings for a test and puts the defaults back afterwards."""

    def put(amount: int, allocation: str, token: str = "strategy") -> Any:
        body = {"shared_cost_thousand_yen": amount, "allocation": allocation}
        return client.put(f"{API}/settings/cost", json=body, headers=bearer(tokens[token]))

    yield put
    assert put(0, "messages").status_code == 200


def cost(client, token: str, **params: Any) -> Any:
    return client.get(f"{API}/reports/cost", params=params, headers=bearer(token))


def test_should_allocate_the_shared_cost_by_traffic(client, tokens, cost_traffic, shared_cost) -> None:
    shared_cost(1000, "messages")
    report = cost(client, tokens["viewer"], fiscal_year=2024, include_simulated="true").json()
    bots = {b["bot"]: b for b in report["bots"]}
    assert (
        sum(b["shared_share_thousand_yen"] for b in report["bots"])
        == 1000
        == report["shared_cost_thousand_yen"]
    )
    assert (bots["tax"]["shared_share_thousand_yen"], bots["inquiry"]["shared_share_thousand_yen"]) == (
        800,
        200,
    )
    assert bots["consumer"]["shared_share_thousand_yen"] == 0 and report["allocation_units"] == 5
    tax = bots["tax"]
    assert (tax["sessions"], tax["resident_messages"], tax["answered_messages"]) == (2, 4, 3)
    assert tax["total_thousand_yen"] == 600 + 800
    assert tax["cost_per_session_yen"] == 1400 * 1000 / 2
    assert tax["cost_per_answered_message_yen"] == round(1400 * 1000 / 3, 2)
    inquiry = bots["inquiry"]
    assert inquiry["budget_thousand_yen"] is None and inquiry["total_thousand_yen"] is None  # never invented
    assert inquiry["cost_per_session_yen"] is None and "project" in inquiry["missing"]
    shared_cost(1000, "sessions")
    by_sessions = cost(client, tokens["viewer"], fiscal_year=2024, include_simulated="true").json()
    shares = {b["bot"]: b["shared_share_thousand_yen"] for b in by_sessions["bots"]}
    assert (shares["tax"], shares["inquiry"], sum(shares.values())) == (667, 333, 1000)


def test_should_compare_consolidation_only_with_complete_inputs(
    client, tokens, cost_traffic, shared_cost
) -> None:
    shared_cost(1000, "messages")
    everything = cost(client, tokens["strategy"], fiscal_year=2024, include_simulated="true").json()
    consolidation = everything["consolidation"]
    assert consolidation["complete"] is False and consolidation["difference_thousand_yen"] is None
    assert "inquiry" in consolidation["missing_budget"] and "tax" not in consolidation["missing_budget"]
    own = cost(client, tokens["zaimu"], fiscal_year=2024, include_simulated="true").json()
    assert [b["bot"] for b in own["bots"]] == ["tax"] and own["bots"][0]["shared_share_thousand_yen"] == 800
    assert own["consolidation"] == {
        "before_thousand_yen": 5000,
        "shared_cost_thousand_yen": 800,
        "own_budgets_thousand_yen": 600,
        "platform_total_thousand_yen": 1400,
        "difference_thousand_yen": 3600,
        "complete": True,
        "missing_budget": [],
        "missing_budget_before": [],
    }
    real_only = cost(client, tokens["strategy"], fiscal_year=2024).json()
    assert real_only["allocation_units"] == 0 and real_only["unallocated_thousand_yen"] == 1000
    assert all(b["shared_share_thousand_yen"] == 0 for b in real_only["bots"])
    rows = list(
        csv.reader(
            io.StringIO(
                cost(
                    client, tokens["zaimu"], fiscal_year=2024, include_simulated="true", format="csv"
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[1][:3] == ["tax", "財務・税務", "600"] and rows[-1][8] == "3600"


def test_should_let_only_strategy_change_cost_settings_and_audit_it(
    client, services, tokens, shared_cost
) -> None:
    assert shared_cost(5, "sessions", "viewer").status_code == 403
    assert shared_cost(5, "sessions", "zaimu").status_code == 403
    assert shared_cost(-1, "sessions").status_code == 422
    assert shared_cost(5, "bananas").status_code == 422
    saved = shared_cost(12345, "sessions")
    assert saved.status_code == 200 and saved.json()["source"] == "database"
    read = client.get(f"{API}/settings/cost", headers=bearer(tokens["fumin"])).json()
    assert (read["shared_cost_thousand_yen"], read["allocation"]) == (12345, "sessions")
    with services.db.session() as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "settings.cost.update")
            .order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None and entry.actor == "test strategy"
    assert entry.detail["after"] == {"shared_cost_thousand_yen": 12345, "allocation": "sessions"}


@pytest.fixture(scope="session")
def unanswered_traffic(simulator: Simulator) -> None:
    """tax, 1 July 2025: two ways of asking for ramen, one weather question, one answer rated unhelpful."""
    at = "2025-07-01T03:00:00+00:00"
    for text in (RAMEN, RAMEN_AGAIN, WEATHER):
        assert simulator.session("tax", at, text)[0]["messages"][0]["response"] == "utter_nlu_fallback"
    simulator.rate(simulator.session("tax", at, DUE_DATE)[0], False, at)


def test_should_group_similar_unanswered_questions(client, tokens, unanswered_traffic) -> None:
    params = {"bot": "tax", "date_from": "2025-07-01", "date_to": "2025-07-01", "include_simulated": "true"}
    report = client.get(f"{API}/reports/unanswered", params=params, headers=bearer(tokens["zaimu"])).json()
    assert report["messages"] == 4 and report["groups_total"] == 3 and report["similarity_threshold"] == 0.5
    ramen, *others = report["groups"]
    assert ramen["count"] == 2 and sorted(ramen["examples"]) == sorted([RAMEN, RAMEN_AGAIN])
    assert ramen["kinds"] == {"fallback": 2, "did_you_mean": 0, "not_helpful": 0} and ramen[
        "representative"
    ] in (
        RAMEN,
        RAMEN_AGAIN,
    )
    assert sorted(g["representative"] for g in others) == sorted([DUE_DATE, WEATHER])
    unhelpful = next(g for g in others if g["representative"] == DUE_DATE)
    assert unhelpful["kinds"] == {"fallback": 0, "did_you_mean": 0, "not_helpful": 1}
    assert (
        unhelpful["suggested_intent"]["intent"] == "auto_tax_due_date"
        and unhelpful["suggested_intent"]["bot"] == "tax"
    )
    assert unhelpful["add_example_url"] == f"{API}/bots/tax/examples"
    assert unhelpful["add_example"] == {"intent": "auto_tax_due_date", "text": DUE_DATE}
    # out of scope: no intent is plausible, so none is suggested (it used to be whatever ranked first at ~0 %)
    weather = next(g for g in others if g["representative"] == WEATHER)
    for group in (ramen, weather):
        assert group["suggested_intent"] is None and group["add_example"] is None, group
        assert group["add_example_url"] == f"{API}/bots/tax/examples"
        assert group["not_covered_url"] == f"{API}/bots/tax/unanswered/{group['question_id']}/not-covered"
    assert ramen["first_seen"].startswith("2025-07-01T12:00:00+09:00")
    hidden = client.get(
        f"{API}/reports/unanswered",
        params={**params, "include_simulated": "false"},
        headers=bearer(tokens["zaimu"]),
    ).json()
    assert hidden["groups"] == []
    refused = client.get(f"{API}/reports/unanswered", params=params, headers=bearer(tokens["fumin"]))
    assert refused.status_code == 403
    rows = unanswered_csv(client, tokens["zaimu"], params)
    assert rows[1][:2] == ["tax", "2"] and len(rows) == 4


def unanswered_csv(client, token: str, params: dict[str, str]) -> list[list[str]]:
    response = client.get(
        f"{API}/reports/unanswered", params={**params, "format": "csv"}, headers=bearer(token)
    )
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def inventory(client, token: str, **params: Any) -> Any:
    return client.get(f"{API}/reports/inventory", params=params, headers=bearer(token))


def test_should_reproduce_the_fy2021_inventory_totals(client, tokens) -> None:
    # the published FY2021 inventory as imported at start (admin/data/inventory_fy2021.csv), no pack's
    report = inventory(client, tokens["viewer"], fiscal_year=2021).json()
    totals, without_police = report["totals"], report["totals_excluding_police"]
    assert totals["all"] == {"count": 175, "budget_thousand_yen": 8_674_181}
    assert totals["town"] == {"count": 33, "budget_thousand_yen": 3_414_569}
    assert totals["internal"] == {"count": 142, "budget_thousand_yen": 5_259_612}
    assert without_police["all"] == {"count": 132, "budget_thousand_yen": 7_021_336}
    assert [d["department"] for d in report["departments"]] == [
        "危機管理",
        "総務",
        "財務・税務",
        "福祉",
        "健康医療",
        "商工",
        "府民文化",
        "都市整備",
        "環境農林",
        "住まち",
        "教育",
        "会計",
        "議会",
        "公安",
    ]
    tax = report["departments"][2]
    assert (tax["town"]["count"], tax["town"]["budget_thousand_yen"], tax["town"]["main_project"]) == (
        1,
        1320,
        "税務相談（AIチャットボット）",
    )
    town_only = inventory(client, tokens["strategy"], fiscal_year=2021, kind="街のDX").json()
    assert town_only["totals"]["all"] == {"count": 33, "budget_thousand_yen": 3_414_569}
    assert inventory(client, tokens["viewer"], kind="その他").status_code == 422


def test_should_write_the_same_inventory_numbers_to_csv_and_xlsx(client, tokens) -> None:
    as_csv = inventory(client, tokens["viewer"], fiscal_year=2021, format="csv")
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    assert 'filename="madoguchi-inventory-fy2021.csv"' in as_csv.headers["content-disposition"]
    rows = {r[0]: r for r in csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")))}
    assert (rows["合計"][7], rows["合計"][8]) == ("175", "8674181")
    assert (rows["合計"][1], rows["合計"][2], rows["合計"][4], rows["合計"][5]) == (
        "33",
        "3414569",
        "142",
        "5259612",
    )
    assert (rows["合計（公安を除く）"][7], rows["合計（公安を除く）"][8]) == ("132", "7021336")
    as_xlsx = inventory(client, tokens["viewer"], fiscal_year=2021, format="xlsx")
    assert as_xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert (cells["合計"][7], cells["合計"][8]) == (175, 8_674_181)  # numbers, not text
    assert (cells["合計（公安を除く）"][7], cells["合計（公安を除く）"][8]) == (132, 7_021_336)


def test_should_show_a_department_only_its_own_inventory_row(client, tokens) -> None:
    report = inventory(client, tokens["zaimu"], fiscal_year=2021).json()
    assert [d["department"] for d in report["departments"]] == ["財務・税務"]
    assert report["totals"]["all"] == {"count": 10, "budget_thousand_yen": 1_131_276}
    assert inventory(client, tokens["zaimu"], fiscal_year=2021, department="総務").status_code == 403


KNOWN_YEAR = 2099  # no other test, seed or bot registration writes projects of this year


@pytest.fixture
def known_inventory(services) -> Iterator[None]:
    """A small inventory whose every figure is worked out by hand in the test below:

    | department | kind | 件数 | 千円 | 主な事業 | |
    |---|---|---:|---:|---|---|
    | 財務・税務 | 街のDX | 2 | 300 | 申告相談 | |
    | 財務・税務 | 街のDX | 1 | — | 案内板 | no budget: counted, adds nothing |
    | 財務・税務 | 庁内DX | 4 | 500 | 課税システム | ties on budget with the next; entered first |
    | 財務・税務 | 庁内DX | 1 | 500 | 収納システム | |
    | 財務・税務 | 街のDX | 1 | 9999 | 税務相談ボット | source "bots": left out |
    | 公安 | 庁内DX | 3 | 700 | 交通管制 | |
    | 万博推進 | 街のDX | 2 | 250 | 万博案内 | not in the seed order |
    | スポーツ | 街のDX | 1 | — | 施設予約 | not in the seed order |
    | 財務・税務 | 街のDX | 1 | 100000 | 前年度の事業 | the year before: left out |
    """
    rows = [
        ("財務・税務", "街のDX", 2, 300, "申告相談", "manual", KNOWN_YEAR),
        ("財務・税務", "街のDX", 1, None, "案内板", "manual", KNOWN_YEAR),
        ("財務・税務", "庁内DX", 4, 500, "課税システム", "inventory_fy2099", KNOWN_YEAR),
        ("財務・税務", "庁内DX", 1, 500, "収納システム", "manual", KNOWN_YEAR),
        ("財務・税務", "街のDX", 1, 9999, "税務相談ボット", "bots", KNOWN_YEAR),
        ("公安", "庁内DX", 3, 700, "交通管制", "manual", KNOWN_YEAR),
        ("万博推進", "街のDX", 2, 250, "万博案内", "manual", KNOWN_YEAR),
        ("スポーツ", "街のDX", 1, None, "施設予約", "manual", KNOWN_YEAR),
        ("財務・税務", "街のDX", 1, 100000, "前年度の事業", "manual", KNOWN_YEAR - 1),
    ]
    years = (KNOWN_YEAR, KNOWN_YEAR - 1)
    try:
        with services.db.session() as session:
            for department, kind, count, budget, main, source, year in rows:
                session.add(
                    Project(
                        fiscal_year=year,
                        department=department,
                        name=f"{main}（棚卸しテスト）",
                        kind=kind,
                        sub_projects=count,
                        budget_thousand_yen=budget,
                        main_project=main,
                        source=source,
                    )
                )
                session.flush()  # ids in the order above: the budget tie goes to the lower id
        yield
    finally:
        with services.db.session() as session:
            session.execute(delete(Project).where(Project.fiscal_year.in_(years)))


def test_should_add_up_a_known_inventory_by_hand(client, tokens, known_inventory) -> None:
    report = inventory(client, tokens["viewer"], fiscal_year=KNOWN_YEAR).json()
    assert report["fiscal_year"] == KNOWN_YEAR and report["kind"] is None
    # 財務・税務: 街のDX 2 + 1 = 3 件, 300 + nothing = 300; 庁内DX 4 + 1 = 5 件, 500 + 500 = 1000
    assert report["departments"] == [
        {
            "department": "財務・税務",
            "town": {
                "count": 3,
                "budget_thousand_yen": 300,
                "main_project": "申告相談",
                "projects_without_budget": 1,
            },
            "internal": {
                "count": 5,
                "budget_thousand_yen": 1000,
                "main_project": "課税システム",
                "projects_without_budget": 0,
            },
            "count": 8,
            "budget_thousand_yen": 1300,
        },
        {
            "department": "公安",
            "town": {
                "count": 0,
                "budget_thousand_yen": 0,
                "main_project": None,
                "projects_without_budget": 0,
            },
            "internal": {
                "count": 3,
                "budget_thousand_yen": 700,
                "main_project": "交通管制",
                "projects_without_budget": 0,
            },
            "count": 3,
            "budget_thousand_yen": 700,
        },
        {
            "department": "スポーツ",  # after the seed's departments, in name order (ス before 万)
            "town": {
                "count": 1,
                "budget_thousand_yen": 0,
                "main_project": "施設予約",
                "projects_without_budget": 1,
            },
            "internal": {
                "count": 0,
                "budget_thousand_yen": 0,
                "main_project": None,
                "projects_without_budget": 0,
            },
            "count": 1,
            "budget_thousand_yen": 0,
        },
        {
            "department": "万博推進",
            "town": {
                "count": 2,
                "budget_thousand_yen": 250,
                "main_project": "万博案内",
                "projects_without_budget": 0,
            },
            "internal": {
                "count": 0,
                "budget_thousand_yen": 0,
                "main_project": None,
                "projects_without_budget": 0,
            },
            "count": 2,
            "budget_thousand_yen": 250,
        },
    ]
    # 街のDX 3 + 1 + 2 = 6 件, 300 + 250 = 550; 庁内DX 5 + 3 = 8 件, 1000 + 700 = 1700
    assert report["totals"] == {
        "town": {"count": 6, "budget_thousand_yen": 550},
        "internal": {"count": 8, "budget_thousand_yen": 1700},
        "all": {"count": 14, "budget_thousand_yen": 2250},
    }
    # without 公安's 3 件 / 700
    assert report["totals_excluding_police"] == {
        "town": {"count": 6, "budget_thousand_yen": 550},
        "internal": {"count": 5, "budget_thousand_yen": 1000},
        "all": {"count": 11, "budget_thousand_yen": 1550},
    }
    as_csv = inventory(client, tokens["viewer"], fiscal_year=KNOWN_YEAR, format="csv")
    assert list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")))) == [
        [
            "部局",
            "街のDX 件数",
            "街のDX 事業費（千円）",
            "街のDX 主な事業",
            "庁内DX 件数",
            "庁内DX 事業費（千円）",
            "庁内DX 主な事業",
            "合計 件数",
            "合計 事業費（千円）",
        ],
        ["財務・税務", "3", "300", "申告相談", "5", "1000", "課税システム", "8", "1300"],
        ["公安", "0", "0", "", "3", "700", "交通管制", "3", "700"],
        ["スポーツ", "1", "0", "施設予約", "0", "0", "", "1", "0"],
        ["万博推進", "2", "250", "万博案内", "0", "0", "", "2", "250"],
        ["合計", "6", "550", "", "8", "1700", "", "14", "2250"],
        ["合計（公安を除く）", "6", "550", "", "5", "1000", "", "11", "1550"],
    ]
    town = inventory(client, tokens["viewer"], fiscal_year=KNOWN_YEAR, kind="街のDX").json()
    assert [d["department"] for d in town["departments"]] == [
        "財務・税務",
        "スポーツ",
        "万博推進",
    ]  # 公安 has none
    assert town["departments"][0]["internal"]["count"] == 0 and town["departments"][0]["count"] == 3
    assert town["totals"]["all"] == {"count": 6, "budget_thousand_yen": 550}
    own = inventory(client, tokens["zaimu"], fiscal_year=KNOWN_YEAR).json()
    assert [d["department"] for d in own["departments"]] == ["財務・税務"]
    assert (
        own["totals"]["all"]
        == own["totals_excluding_police"]["all"]
        == {"count": 8, "budget_thousand_yen": 1300}
    )


def test_should_list_a_did_you_mean_question_for_the_department_to_teach_or_refuse(
    client, tokens, simulator, services
) -> None:
    # Given a question about a kind of tax the tax pack does not know (tax, 2 September 2025): the bot
    # asks "did you mean …?" instead of answering with the automobile-tax deadline
    at = "2025-09-02T03:00:00+00:00"
    text = "軽自動車税の納期限はいつ"
    assert simulator.session("tax", at, text)[0]["messages"][0]["response"] == "utter_clarify"
    # When the unanswered questions of that day are reported
    params = {"bot": "tax", "date_from": "2025-09-02", "date_to": "2025-09-02", "include_simulated": "true"}
    report = client.get(f"{API}/reports/unanswered", params=params, headers=bearer(tokens["zaimu"])).json()
    rows = unanswered_csv(client, tokens["zaimu"], params)
    # Then it is listed as a did-you-mean, in JSON and CSV
    (group,) = report["groups"]
    assert group["representative"] == text
    assert group["kinds"] == {"fallback": 0, "did_you_mean": 1, "not_helpful": 0}
    header, row = rows
    assert row[header.index("もしかして")] == "1" and row[header.index("フォールバック")] == "0"
    # and it may be marked "not covered" (a question the report lists is one the action accepts)
    with services.db.session() as session:
        assert unanswered_question(session, "tax", group["question_id"]) == text


def test_should_show_which_kinds_of_personal_data_an_unanswered_question_came_with(
    client, tokens, simulator
) -> None:
    # Given an unanswered question that came with a name and a phone number (tax, 5 August 2025)
    at = "2025-08-05T03:00:00+00:00"
    text = "ラーメン屋の山田さんの電話番号090-1234-5678を教えて"
    assert simulator.session("tax", at, text)[0]["messages"][0]["response"] == "utter_nlu_fallback"
    # When the unanswered questions of that day are reported, as JSON and as CSV
    params = {"bot": "tax", "date_from": "2025-08-05", "date_to": "2025-08-05", "include_simulated": "true"}
    report = client.get(f"{API}/reports/unanswered", params=params, headers=bearer(tokens["zaimu"])).json()
    rows = unanswered_csv(client, tokens["zaimu"], params)
    # Then the group says a name and a phone number were masked, and shows neither
    (group,) = report["groups"]
    assert group["masked_kinds"] == {"name": 1, "phone": 1}
    assert "山田" not in group["representative"] and "090" not in group["representative"]
    assert rows[0][-1] == "マスクした個人情報" and rows[1][-1] == "name 1, phone 1"
