"""Driving the widget in the browser tests: opening it, asking, waiting for the answer."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

BOT_MSG = '.mdg-msg[data-role="bot"]'
ROOT_JS = "document.getElementById('madoguchi-widget').shadowRoot"


def open_demo(page: Page, bot: str = "tax", lang: str = "ja", open_panel: bool = True) -> None:
    """Load the demo page with the widget for `bot`; with open_panel, wait until the panel is open."""
    page.goto(f"/?bot={bot}&lang={lang}" + ("&open=1" if open_panel else ""))
    if open_panel:
        expect(page.locator("#mdg-panel")).to_be_visible()
        expect(page.locator("#mdg-input")).to_be_focused()
    else:
        expect(page.locator("#mdg-launcher")).to_be_visible()


def bot_count(page: Page) -> int:
    return int(page.evaluate(f"() => {ROOT_JS}.querySelectorAll('{BOT_MSG}').length"))


def wait_for_reply(page: Page, before: int) -> None:
    """Wait until a bot message beyond the first `before` has appeared and the typing dots are gone."""
    page.wait_for_function(
        f"""n => {{ const r = {ROOT_JS};
            return r.querySelectorAll('{BOT_MSG}').length > n && !r.getElementById('mdg-typing'); }}""",
        arg=before,
    )


def ask(page: Page, text: str) -> Locator:
    """Type `text` into the widget, press Enter, and return the newest bot message once it is there.

    The locator is pinned by position, so it keeps pointing at this message when more arrive."""
    before = bot_count(page)
    page.locator("#mdg-input").fill(text)
    page.locator("#mdg-input").press("Enter")
    wait_for_reply(page, before)
    return page.locator(BOT_MSG).nth(bot_count(page) - 1)
