"""Safety first in the widget, in Chromium: a resident in crisis gets the numbers as links a phone
can call with one tap, in any bot's widget."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .widget_page import BOT_MSG, ROOT_JS, ask, open_demo


def tel_links(page: Page) -> list[tuple[str, str]]:
    """(href, text) of every tel: link in the newest bot message."""
    return [
        (link[0], link[1])
        for link in page.evaluate(
            f"""() => {{ const msgs = {ROOT_JS}.querySelectorAll('.mdg-msg[data-role="bot"]');
                return [...msgs[msgs.length - 1].querySelectorAll('a[href^="tel:"]')]
                    .map(a => [a.getAttribute('href'), a.textContent]); }}"""
        )
    ]


def open_with_welcome(page: Page, bot: str) -> None:
    """Open the widget and wait for its welcome, so the next reply counted is the answer."""
    open_demo(page, bot)
    expect(page.locator(BOT_MSG).first).to_be_visible()


def test_should_answer_a_crisis_in_the_tax_widget_with_numbers_to_tap(page: Page):
    # Given the tax bot's widget
    open_with_welcome(page, "tax")
    # When a resident writes about despair inside a tax question
    answer = ask(page, "自動車税が払えなくて、もう消えたい")
    # Then the crisis lines come first, each a tel: link, and the tax answer is one tap away
    expect(answer.locator(".mdg-text")).to_contain_text("0570-064-556")
    assert ("tel:0570064556", "0570-064-556") in tel_links(page)
    assert ("tel:0120279338", "0120-279-338") in tel_links(page)
    assert ("tel:119", "119") in tel_links(page)
    expect(answer.locator(".mdg-choice")).to_have_count(1)


def test_should_link_short_codes_in_the_covid_widget(page: Page):
    open_with_welcome(page, "covid_general")
    ask(page, "夜中に子どもが40度の熱でぐったりしてる、救急車呼ぶべき？")
    links = dict(tel_links(page))
    # '#' is escaped in a tel: URI, or the dialler would drop everything after it
    assert links["tel:%237119"] == "#7119" and links["tel:0665827119"] == "06-6582-7119"
    assert links["tel:%238000"] == "#8000" and links["tel:119"] == "119"
