"""Cross-site scripting through the widget, end to end in a real browser (Debian's Chromium).

Hostile markup reaches the widget two ways: residents type it, and pack editors write it into answers.
For answers, a tax pack whose auto_tax_due_date answer holds script tags, event handlers, an SVG with
onload, javascript: links and a button titled with markup is uploaded through the admin pack API of
the running server; once the server has reloaded, the question is asked in the browser. Each payload
would set ``window.__xss`` or open an alert if it ever ran: the flag must stay undefined, no dialog may
open, no element may be made from the markup, the text must show literally, and javascript: must never
become a link or a navigation. The previously active tax version is activated again at the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.widget_page import BOT_MSG, ROOT_JS, ask, bot_count, open_demo, wait_for_reply
from tests.conftest import settle

API = "/admin/api/v1"
USER_TEXT = '.mdg-msg[data-role="user"] .mdg-text'
QUESTION = "自動車税の納期限はいつですか"
DUE_DATE_LINE = "納税通知書は5月上旬に届き、納期限は5月31日です（土日祝日にあたる場合は翌開庁日）。"
# one payload per line of the answer; each would set window.__xss or open a dialog if it ran
PAYLOADS = [
    '<script>window.__xss = "script"; alert("script")</script>',
    "<img src=x onerror=\"window.__xss = 'img'; alert('img')\">",
    "<svg onload=\"window.__xss = 'svg'; alert('svg')\"><circle r=\"5\"/></svg>",
    "<a href=\"javascript:window.__xss = 'a'; alert('a')\">納期限の詳細</a>",
    "javascript:alert(1)",
    "<iframe src=\"javascript:alert('iframe')\"></iframe><b onmouseover=\"alert('b')\">太字</b>",
    'https://www.pref.osaka.lg.jp/"><img src=x onerror="alert(\'url\')">',
]
BUTTON_TITLE = "<img src=x onerror=\"window.__xss = 'button'; alert('button')\">支払い方法"
BUTTON_PAYLOAD = "/auto_tax_payment"
JAVASCRIPT_PAYLOAD = "javascript:alert(1)"
# every element the widget may make inside an answer: address links and their screen-reader note
ELEMENTS_IN_ANSWERS = """(node) => [...node.querySelectorAll('*')]
    .filter(el => !(el.tagName === 'A' && /^(https:\\/\\/|tel:(%23)?[0-9]+$)/.test(el.getAttribute('href') || ''))
               && !(el.tagName === 'SPAN' && el.classList.contains('mdg-sr')))
    .map(el => el.outerHTML)"""
FOREIGN_JS = f"""() => {{ const r = {ROOT_JS};
    return [...r.querySelectorAll('script, img, iframe, object, embed, b, circle, svg:not(.mdg-ico)'),
            ...document.querySelectorAll('img, iframe, object, embed, body > svg')].map(el => el.outerHTML); }}"""
HREFS_JS = f"() => [...{ROOT_JS}.querySelectorAll('a')].map(a => a.getAttribute('href'))"
# the text as a reader sees it: without the screen-reader note the widget adds to each link
SHOWN_TEXT = """el => { const copy = el.cloneNode(true);
    copy.querySelectorAll('.mdg-sr').forEach(s => s.remove()); return copy.textContent; }"""


def hostile_responses(original: str, payload: str = BUTTON_PAYLOAD) -> str:
    """tax's responses.yml with the payloads in the due-date answer and a button titled with markup."""
    lines = "\n".join(f"          {p}" for p in PAYLOADS)
    assert original.count(DUE_DATE_LINE) == 1
    changed = original.replace(f"          {DUE_DATE_LINE}", f"          {DUE_DATE_LINE}\n{lines}")
    button = "          - title: 支払い方法\n            payload: /auto_tax_payment\n"
    assert button in changed
    title = json.dumps(BUTTON_TITLE, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return changed.replace(button, f"          - title: {title}\n            payload: {payload}\n", 1)


class AdminApi:
    def __init__(self, base_url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=base_url + API, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def versions(self, bot: str = "tax") -> list[dict[str, Any]]:
        response = self.http.get(f"/bots/{bot}/packs")
        assert response.status_code == 200, response.text
        return response.json()

    def active(self, bot: str = "tax") -> int:
        return next(v["version"] for v in self.versions(bot) if v["active"])

    def files(self, version: int, bot: str = "tax") -> dict[str, str]:
        response = self.http.get(f"/bots/{bot}/packs/{version}")
        assert response.status_code == 200, response.text
        return response.json()["files"]

    def upload(self, responses_yml: str, bot: str = "tax") -> httpx.Response:
        body = {"files": {"responses.yml": responses_yml}, "comment": "XSS test"}
        return self.http.post(f"/bots/{bot}/packs", json=body)

    def activate(self, version: int, bot: str = "tax") -> None:
        response = self.http.post(f"/bots/{bot}/packs/{version}/activate")
        assert response.status_code == 200, response.text


def resident_answer(server_url: str, text: str) -> str:
    with httpx.Client(base_url=server_url, timeout=30) as http:
        session_id = http.post("/api/v1/bots/tax/sessions", json={}).json()["session_id"]
        reply = http.post("/api/v1/bots/tax/messages", json={"session_id": session_id, "text": text})
        assert reply.status_code == 200, reply.text
        return "\n".join(m["text"] for m in reply.json()["messages"])


@pytest.fixture(scope="module")
def admin_api(server_url: str, browser_services) -> Iterator[AdminApi]:
    from admin.auth import create_token

    with browser_services.db.session() as session:
        token = create_token(session, "strategy", "browser XSS test")[0]
    api = AdminApi(server_url, token)
    yield api
    api.http.close()


@pytest.fixture(scope="module")
def hostile_pack(admin_api: AdminApi, browser_services, server_url: str) -> Iterator[int]:
    """The hostile tax pack, uploaded and served; the version active before is activated again after."""
    settle(browser_services)
    before = admin_api.active()
    original = admin_api.files(before)["responses.yml"]
    try:
        response = admin_api.upload(hostile_responses(original))
        assert response.status_code == 201, response.text
        settle(browser_services)
        assert PAYLOADS[0] in resident_answer(server_url, QUESTION), "the server does not serve the upload"
        yield response.json()["version"]
    finally:
        if admin_api.active() != before:
            admin_api.activate(before)
        settle(browser_services)
        assert PAYLOADS[0] not in resident_answer(server_url, QUESTION)
        assert DUE_DATE_LINE in resident_answer(server_url, QUESTION)


@pytest.fixture
def watched(page: Page) -> Iterator[dict[str, list[str]]]:
    """The page, with every dialog (alert, confirm …) and every navigation recorded."""
    seen: dict[str, list[str]] = {"dialogs": [], "navigations": []}

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("framenavigated", lambda frame: seen["navigations"].append(frame.url))
    yield seen


def assert_nothing_ran(page: Page, seen: dict[str, list[str]]) -> None:
    page.wait_for_timeout(300)  # a broken image's onerror, an svg's onload: give them the time to fire
    assert page.evaluate("() => typeof window.__xss") == "undefined", page.evaluate("() => window.__xss")
    assert seen["dialogs"] == [], f"a payload opened a dialog: {seen['dialogs']}"
    assert page.evaluate(FOREIGN_JS) == [], "markup became elements"
    hrefs = page.evaluate(HREFS_JS)
    # the widget makes https addresses and phone numbers (tel: digits only) into links, nothing else
    assert all(re.fullmatch(r"https://\S+|tel:(%23)?[0-9]+", h) for h in hrefs), (
        f"a link that is not https or tel: {hrefs}"
    )
    origin = page.url.split("/?")[0]
    assert all(url.startswith(origin) for url in seen["navigations"]), seen["navigations"]


def test_should_refuse_a_pack_button_with_a_javascript_payload(admin_api: AdminApi, browser_services) -> None:
    settle(browser_services)
    versions = admin_api.versions()
    original = admin_api.files(admin_api.active())["responses.yml"]
    response = admin_api.upload(hostile_responses(original, payload=JAVASCRIPT_PAYLOAD))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "pack_invalid"
    assert any(
        d["code"] == "bad-payload" and d["file"] == "tax/responses.yml" for d in error["diagnostics"]
    ), error
    assert admin_api.versions() == versions, "a refused upload stored a version"


def test_should_show_a_pack_answers_markup_as_text(
    hostile_pack: int, page: Page, watched: dict[str, list[str]]
) -> None:
    open_demo(page)
    answer = ask(page, QUESTION)
    text = answer.locator(".mdg-text")
    expect(text).to_contain_text(DUE_DATE_LINE)
    shown = text.evaluate(SHOWN_TEXT)
    for payload in PAYLOADS:
        assert f"\n{payload}\n" in shown, f"not shown literally: {payload}"  # as the editor wrote it
    assert text.evaluate(ELEMENTS_IN_ANSWERS) == [], "markup in the answer became elements"
    # the one https address is a link, cut before the quote; javascript: is text, never a link
    assert page.evaluate(HREFS_JS) == ["https://www.pref.osaka.lg.jp/"]
    expect(answer.locator("a", has_text="javascript")).to_have_count(0)
    expect(answer.locator("a", has_text="納期限の詳細")).to_have_count(0)

    choice = answer.locator(".mdg-choice").first
    expect(choice).to_have_text(BUTTON_TITLE)
    assert choice.evaluate("b => b.children.length") == 0, "markup in the button title became elements"
    text.hover()
    choice.hover()
    assert_nothing_ran(page, watched)

    before = bot_count(page)
    choice.click()  # the resident's bubble shows the title as text, and the payment answer comes
    wait_for_reply(page, before)
    expect(page.locator(USER_TEXT).last).to_have_text(BUTTON_TITLE)
    expect(page.locator(BOT_MSG).last.locator(".mdg-text")).to_contain_text("Pay-easy")
    assert_nothing_ran(page, watched)

    page.reload()  # the transcript restored from sessionStorage is text too
    restored = page.locator(f"{BOT_MSG} .mdg-text", has_text=DUE_DATE_LINE)
    expect(restored).to_have_count(1)
    assert f"\n{PAYLOADS[0]}\n" in restored.evaluate(SHOWN_TEXT)
    assert_nothing_ran(page, watched)


def test_should_send_a_javascript_button_payload_as_text_and_never_follow_it(
    hostile_pack: int, page: Page, watched: dict[str, list[str]]
) -> None:
    """The validator keeps javascript: payloads out of packs; should one arrive anyway (here the real
    answer is rewritten on its way to the page), the widget still only sends it back as text."""
    sent: list[str] = []

    def rewrite(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}").get("text", ""))
        response = route.fetch()
        body = response.json()
        for message in body.get("messages", []):
            for button in message["buttons"]:
                if button["title"] == BUTTON_TITLE:
                    button["payload"] = JAVASCRIPT_PAYLOAD
        route.fulfill(response=response, json=body)

    page.route("**/api/v1/bots/tax/messages", rewrite)
    open_demo(page)
    answer = ask(page, QUESTION)
    choice = answer.locator(".mdg-choice").first
    expect(choice).to_have_attribute("data-payload", JAVASCRIPT_PAYLOAD)
    before = bot_count(page)
    choice.click()
    wait_for_reply(page, before)
    assert sent[-1] == JAVASCRIPT_PAYLOAD, sent
    expect(page.locator(USER_TEXT).last).to_have_text(BUTTON_TITLE)
    assert_nothing_ran(page, watched)


RESIDENT_PAYLOADS = [
    "<svg onload=\"window.__xss = 'svg'; alert('svg')\"></svg>",
    "<img src=x onerror=\"window.__xss = 'img'; alert('img')\">",
    '<script>alert("script")</script>',
    "<a href=\"javascript:alert('a')\">押してください</a>",
    "javascript:alert(1)",
]


def test_should_show_a_residents_markup_as_text(page: Page, watched: dict[str, list[str]]) -> None:
    open_demo(page)
    for payload in RESIDENT_PAYLOADS:
        answer = ask(page, payload)
        expect(page.locator(USER_TEXT).last).to_have_text(payload)
        assert answer.locator(".mdg-text").evaluate(ELEMENTS_IN_ANSWERS) == []
    bubbles = page.locator(USER_TEXT)
    for index in range(len(RESIDENT_PAYLOADS)):
        assert bubbles.nth(index).evaluate("el => el.children.length") == 0
    assert_nothing_ran(page, watched)
    page.reload()
    expect(page.locator(USER_TEXT).last).to_have_text(RESIDENT_PAYLOADS[-1])
    assert_nothing_ran(page, watched)
