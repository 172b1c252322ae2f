"""The Content-Security-Policy and friends, in a real browser: the dashboard at /admin/ and the widget
on the demo page at / work under them with not one violation, and the headers are what we promise.

Violations are caught twice: the page's ``securitypolicyviolation`` events (recorded by a script the
browser runs before the page's own, outside its policy) and Chromium's console errors.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import update

from core.storage.models import ApiToken
from tests.browser.widget_page import ask, open_demo

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watched:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console.append(message.text)

    def assert_no_violations(self) -> None:
        events = self.page.evaluate("() => window.__violations")
        assert events == [] and self.console == [], (events, self.console)


@pytest.fixture
def watched(page: Page) -> Watched:
    return Watched(page)


def test_should_send_the_security_headers_on_the_dashboard_and_the_demo_page(server_url: str) -> None:
    with httpx.Client(base_url=server_url) as http:
        for path in ("/admin/", "/admin/static/dashboard.js", "/admin/api/v1/me"):
            headers = http.get(path).headers
            csp = headers["content-security-policy"]
            assert (
                "script-src 'self'" in csp
                and "'unsafe-inline'" not in csp
                and "frame-ancestors 'none'" in csp
            )
            assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
        demo = http.get("/").headers
        assert "script-src 'self'" in demo["content-security-policy"]
        assert "'unsafe-inline'" not in demo["content-security-policy"]
        assert demo["x-content-type-options"] == "nosniff" and demo["referrer-policy"]
        # the widget's files carry nothing that would stop another site from loading them
        widget = http.get("/static/madoguchi-widget.js").headers
        assert "content-security-policy" not in widget and "cross-origin-resource-policy" not in widget
        assert widget["content-type"].startswith(("text/javascript", "application/javascript"))


def test_should_run_the_widget_on_the_demo_page_without_a_csp_violation(watched: Watched) -> None:
    page = watched.page
    open_demo(page, "tax")
    answer = ask(page, "自動車税の納期限はいつですか")
    expect(answer).to_contain_text("5月31日")
    page.locator("#mdg-input").fill("一行目\n二行目\n三行目")  # the input grows (a style set from script)
    expect(page.locator("#bot-picker option")).to_have_count(6)  # the demo's own script filled it
    open_demo(page, "consumer", lang="en")
    expect(page.locator("h1")).to_contain_text("Osaka Prefecture")
    watched.assert_no_violations()


def test_should_run_the_dashboard_without_a_csp_violation(watched: Watched, browser_services) -> None:
    from admin.auth import create_token

    with browser_services.db.session() as session:
        token = create_token(session, "strategy", "browser CSP test")[0]
    page = watched.page
    page.goto("/admin/")
    page.locator("#token").fill(token)
    page.get_by_role("button", name="サインイン").click()
    expect(page.locator("#app")).to_be_visible()
    for tab in ("利用状況", "費用", "棚卸し", "未回答の質問", "パック", "ボット"):
        page.get_by_role("button", name=tab, exact=True).click()
        page.wait_for_load_state("networkidle")
    watched.assert_no_violations()


def test_should_tell_the_holder_of_an_expired_token_to_create_a_new_one(page: Page, browser_services) -> None:
    from admin.auth import create_token

    with browser_services.db.session() as session:
        token, record = create_token(session, "viewer", "browser expired")
        session.flush()
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == record.id)
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )
    page.goto("/admin/")
    page.locator("#token").fill(token)
    page.get_by_role("button", name="サインイン").click()
    expect(page.locator("#signin-msg")).to_contain_text("有効期限")
    expect(page.locator("#signin-msg")).to_contain_text("madoguchi token create")
