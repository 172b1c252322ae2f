"""The pointer to another bot in a real browser: its button switches the widget to that bot.

A question asked in the wrong widget (automobile tax in the consumer centre's chat) gets a message
naming the bot that answers it, its contact, and a button. Pressing the button ends this
conversation, opens one with that bot in the same panel and asks it the question again.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.widget_page import BOT_MSG, ask, bot_count, open_demo, wait_for_reply

QUESTION = "自動車税の納付書をなくしてしまったんですが"


def test_should_switch_to_the_bot_a_pointer_names_and_ask_it_again(page: Page) -> None:
    open_demo(page, "consumer")
    first_session = page.evaluate("() => JSON.parse(sessionStorage.getItem('madoguchi:v1:consumer'))")

    pointer = ask(page, QUESTION)
    expect(pointer.locator(".mdg-text")).to_contain_text("府税相談")
    expect(pointer.locator(".mdg-text")).to_contain_text("06-6910-8001")
    button = pointer.locator('button[data-open-bot="tax"]')
    expect(button).to_have_text("「府税相談」で質問する")

    before = bot_count(page)
    button.click()
    wait_for_reply(page, before + 1)  # the tax bot's welcome, then its answer to the question again
    expect(page.locator("#mdg-panel")).to_have_attribute("data-bot", "tax")
    expect(page.locator("#mdg-title")).to_have_text("府税相談")
    expect(page.locator('.mdg-msg[data-role="notice"]').last).to_contain_text("府税相談")
    answer = page.locator(BOT_MSG).last
    expect(answer.locator(".mdg-text")).to_contain_text("納税通知書")

    state = page.evaluate("() => JSON.parse(sessionStorage.getItem('madoguchi:v1:consumer'))")
    assert state["bot"] == "tax"
    assert state["sessionId"] and state["sessionId"] != first_session.get("sessionId")
    users = [i["text"] for i in state["items"] if i["role"] == "user"]
    # The earlier exchange stays on screen; the question was asked once more, by the widget.
    assert users == [QUESTION, QUESTION]

    # The new conversation survives a reload with the bot it switched to.
    page.reload()
    expect(page.locator("#mdg-panel")).to_have_attribute("data-bot", "tax")
    follow_up = ask(page, "支払いはコンビニでできますか")
    expect(follow_up.locator(".mdg-text")).to_contain_text("コンビニ")
