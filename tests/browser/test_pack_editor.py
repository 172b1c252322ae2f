"""Department self-service in a real browser: open a bot, import an FAQ workbook, edit a file with a
mistake and see it marked at its line (typed through an IME composition), try the draft beside the
editor, activate it through the quality gate, and ask the new bot through the widget on /.

The bot this module opens goes live, so the module runs on a server and database of its own: the
other browser modules keep seeing the shipped bots only.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, serving, start_services
from tests.browser.test_dashboard import dash, patient_expect, run_axe, sign_in  # noqa: F401 (fixtures)
from tests.browser.widget_page import ask, open_demo
from tests.conftest import recycle_desk_faq, settle

BOT = "recycle_desk"
ROWS = recycle_desk_faq()


@pytest.fixture(scope="module")
def browser_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Overrides the shared server's services for this module: a database of its own."""
    if not CHROMIUM.exists():
        pytest.skip("chromium is missing")  # conftest's own fixtures fail under CI=true first
    running = start_services(tmp_path_factory, "self-service")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def server_url(browser_services) -> Iterator[str]:
    with serving(browser_services) as url:
        yield url


@pytest.fixture(scope="module")
def strategy_token(browser_services) -> str:
    from admin.auth import create_token

    with browser_services.db.session() as session:
        return create_token(session, "strategy", "browser strategy (self-service)")[0]


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["質問", "回答", "カテゴリ"])
    for question, answer in ROWS:
        sheet.append([question, answer, "ごみ"])
    sheet.append(["回答が空の行", None, "ごみ"])  # row 7: refused, and said so
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def type_with_ime(page: Page, text: str) -> None:
    """Compose ``text`` as a Japanese IME does (composition updates, then a commit) through CDP."""
    cdp = page.context.new_cdp_session(page)
    for end in range(1, len(text) + 1):
        cdp.send("Input.imeSetComposition", {"text": text[:end], "selectionStart": end, "selectionEnd": end})
    cdp.send("Input.insertText", {"text": text})
    cdp.detach()


def test_should_open_fill_try_and_activate_a_bot_from_the_dashboard(
    dash: Page,  # noqa: F811
    strategy_token: str,
    browser_services,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    sign_in(dash, strategy_token, tab="bots")
    form = dash.locator("#b-create")
    expect(form).to_be_visible()
    dash.locator("#b-id").fill(BOT)
    dash.locator("#b-name").fill("リサイクル案内")
    dash.locator("#b-dept").select_option("府民文化")
    dash.locator("#b-desc").fill("ごみの分別とリサイクルについてのご質問にお答えします。")
    dash.locator("#b-cname").fill("府民お問合せセンター")
    dash.locator("#b-cphone").fill("06-6910-8001")
    dash.get_by_role("button", name="ボットを作る").click()
    # the packs tab opens on the new bot, whose only version is a draft
    expect(dash.locator("#tab-packs")).to_be_visible()
    expect(dash.locator("#p-bot")).to_have_value(BOT)
    expect(dash.locator('#p-versions tr[data-version="1"] .badge.draft')).to_be_visible()

    # import the FAQ workbook: a new draft, and the refused row named by its number
    dash.locator("#p-faq-file").set_input_files(str(workbook(tmp_path / "faq.xlsx")))
    dash.get_by_role("button", name="取り込んで下書きを作る").click()
    expect(dash.locator("#p-faq-result .msg.ok")).to_contain_text(f"{len(ROWS)} 件を取り込み", timeout=30_000)
    expect(dash.locator('#p-faq-result tr[data-row="7"]')).to_contain_text("回答が空です")
    expect(dash.locator('#p-versions tr[data-version="2"] .badge.draft')).to_be_visible()

    # write an answer first: responses.yml of the imported draft, saved as draft 3
    dash.locator("#p-name").select_option("responses.yml")
    dash.get_by_role("button", name="表示中のバージョンを開く").click()
    area = dash.locator("#p-text")
    expect(area).to_have_value(re.compile("utter_welcome"))
    area.fill(
        area.input_value().rstrip("\n")
        + "\n  utter_bulky_drop_off:\n    checked_on: 2026-11-28\n    ja:\n      - text: ごみを自分で持ち込むときは、お住まいの市町村の処理施設に事前にお問い合わせください（平日だけ受け付ける施設が多くあります）。\n"
    )
    dash.get_by_role("button", name="下書きとして保存").click()
    expect(dash.locator("#p-result .msg.ok")).to_contain_text("下書きのバージョン 3", timeout=30_000)

    # then the question in nlu.yml: a mistake is marked at its line while typing, cleared once fixed
    dash.locator("#p-name").select_option("nlu.yml")
    dash.get_by_role("button", name="表示中のバージョンを開く").click()
    expect(dash.locator("#p-base")).to_contain_text("バージョン 3")
    lines = [
        'version: "3.1"',
        "nlu:",
        "- intent: bulky_drop_off",
        "  examples: |",
        "    - 粗大ごみを自分で処理施設に持ち込みたい",
        "    - ごみを車で直接持っていってもいいですか",
        "   - 持ち込みごみの受け入れ先を知りたい",  # line 7: one space short
    ]
    area.fill("\n".join(lines) + "\n")
    expect(dash.locator('#p-gutter .ln.error[data-line="7"]')).to_be_visible(timeout=30_000)
    expect(dash.locator("#p-live li.error").first).to_contain_text("7行目")
    # fix it, then add an example through an IME composition (the check waits for the commit)
    area.fill("\n".join([*lines[:-1], "    - 持ち込みごみの受け入れ先を知りたい", "    - "]))
    area.evaluate("a => { a.focus(); a.setSelectionRange(a.value.length, a.value.length); }")
    type_with_ime(dash, "家の片付けで出たごみを自分で運びたい")
    expect(area).to_have_value(re.compile("家の片付けで出たごみを自分で運びたい$"))
    expect(dash.locator("#p-gutter .ln.error")).to_have_count(0, timeout=30_000)
    expect(dash.locator("#p-live li.error")).to_have_count(0)
    dash.locator("#p-comment").fill("持ち込みの質問を追加")
    dash.get_by_role("button", name="下書きとして保存").click()
    expect(dash.locator("#p-result .msg.ok")).to_contain_text("下書きのバージョン 4", timeout=30_000)

    # try the draft beside the editor: the imported answer and the hand-written one; nothing stored
    dash.get_by_role("button", name="バージョン 4 を試す").click()
    dash.locator("#p-try-text").fill("ペットボトルのキャップってどうするの")
    dash.locator("#p-try-send").click()
    expect(dash.locator("#p-try-log li.bot").last).to_contain_text("キャップとラベルは外して", timeout=30_000)
    dash.locator("#p-try-text").fill("ごみって自分で施設に持ち込めるの？")
    dash.locator("#p-try-send").click()
    expect(dash.locator("#p-try-log li.bot").last).to_contain_text(
        "処理施設に事前にお問い合わせください", timeout=30_000
    )
    dash.screenshot(path=str(artifacts / "dashboard-pack-editor.png"), full_page=True)
    axe_packs = run_axe(dash)

    # activate through the gate: the dialog shows the quality and the diff, then residents get it
    dash.get_by_role("button", name="バージョン 4 を有効にする").click()
    expect(dash.locator("#dialog table.quality")).to_be_visible(timeout=60_000)
    expect(dash.locator("#dialog pre.diff")).to_contain_text("utter_bulky_drop_off")
    dash.locator("#dialog-ok").click()
    expect(dash.locator("#packs-msg")).to_contain_text("バージョン 4 を有効にしました", timeout=30_000)
    settle(browser_services)

    dash.locator('[data-tab="bots"]').click()
    row = dash.locator(f'#b-table tr[data-bot="{BOT}"]')
    expect(row.locator("code.snippet")).to_contain_text(f'data-bot="{BOT}"')
    axe_bots = run_axe(dash)
    serious = [v for v in axe_packs + axe_bots if v["impact"] in ("serious", "critical")]
    assert not serious, f"serious or critical accessibility violations: {serious}"

    open_demo(dash, bot=BOT)
    answer = ask(dash, "乾電池ってどう捨てたらいい？")
    expect(answer).to_contain_text("回収ボックス")


def test_should_not_let_a_viewer_see_the_editor_or_the_new_bot_form(browse, browser_services) -> None:
    from admin.auth import create_token

    with browser_services.db.session() as session:
        token = create_token(session, "viewer", "browser viewer (self-service)")[0]
    page = browse.new_page()
    sign_in(page, token, tab="bots")
    expect(page.locator("#b-table tbody tr").first).to_be_attached()
    expect(page.locator("#b-create")).to_be_hidden()
    page.locator('[data-tab="packs"]').click()
    expect(page.locator("#p-upload")).to_be_hidden()
    expect(page.locator("#p-faq")).to_be_hidden()


def test_should_show_the_demo_data_when_there_is_no_real_traffic_yet(
    dash: Page,  # noqa: F811
    strategy_token: str,
) -> None:
    """A fresh `make run` has only simulated traffic: the usage view ticks 「模擬データを含める」 and
    says so, instead of opening on empty reports. The reports are stood in for at the network layer
    (the shared test database has real traffic by now)."""
    import json

    def usage(route) -> None:
        simulated = "include_simulated=true" in route.request.url
        total = {
            "bot": "tax",
            "sessions": 12 if simulated else 0,
            "resident_messages": 30 if simulated else 0,
        }
        real = route.fetch()
        body = real.json()
        body["totals"] = [
            {**t, "sessions": total["sessions"], "resident_messages": total["resident_messages"]}
            for t in body["totals"]
        ]
        route.fulfill(response=real, body=json.dumps(body))

    dash.route("**/admin/api/v1/reports/usage?*", usage)
    sign_in(dash, strategy_token)
    expect(dash.locator("#usage-msg")).to_contain_text("実際の利用はまだありません", timeout=30_000)
    for box in ("#u-sim", "#c-sim", "#n-sim"):
        expect(dash.locator(box)).to_be_checked()
