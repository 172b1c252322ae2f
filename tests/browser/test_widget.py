"""The resident chat widget in a real browser (Debian's Chromium through Playwright).

Every test loads the demo page from the real app (uvicorn on 127.0.0.1, SQLite, the packs in bots/)
in a fresh browser context. The widget lives in an open shadow root on #madoguchi-widget; Playwright's
CSS locators pierce it, and page.evaluate reaches it through ``shadowRoot``. Screenshots for people to
look at are written to tests/artifacts/.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route, expect

from core.storage.models import Message, Rating
from tests.browser.widget_page import BOT_MSG, ROOT_JS, ask, bot_count, open_demo, wait_for_reply

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BOT_IDS = {"consumer", "covid_general", "covid_sticker", "covid_tracing", "inquiry", "tax"}
BOT_TEXT = f"{BOT_MSG} .mdg-text"
USER_TEXT = '.mdg-msg[data-role="user"] .mdg-text'
# The id of the focused element, looking inside the widget's shadow root when focus is there.
ACTIVE_JS = """() => {
  const a = document.activeElement;
  if (a && a.shadowRoot) { const s = a.shadowRoot.activeElement; return s ? (s.id || s.className) : a.id; }
  return a ? (a.id || a.tagName) : null;
}"""


# ---- helpers -------------------------------------------------------------------------


def stored_state(page: Page, bot: str = "tax") -> dict:
    return page.evaluate(f"() => JSON.parse(sessionStorage.getItem('madoguchi:v1:{bot}'))")


def active_id(page: Page) -> str | None:
    return page.evaluate(ACTIVE_JS)


def settle_panel(page: Page) -> None:
    """Wait for the panel's opening animation (a slide of 8 px) to end before measuring it: on a busy
    machine a measurement could land mid-slide."""
    page.locator("#mdg-panel").evaluate("panel => Promise.all(panel.getAnimations().map((a) => a.finished))")


def assert_usable_in_viewport(page: Page, width: int, height: int) -> None:
    """The input and the send and close buttons are fully on screen and nothing scrolls sideways."""
    settle_panel(page)
    for selector in ("#mdg-input", "#mdg-send", "#mdg-close"):
        box = page.locator(selector).bounding_box()
        assert box is not None, f"{selector} is not rendered"
        assert box["x"] >= 0 and box["y"] >= 0, f"{selector} starts off screen: {box}"
        assert box["x"] + box["width"] <= width + 0.5, f"{selector} sticks out on the right: {box}"
        assert box["y"] + box["height"] <= height + 0.5, f"{selector} is below the viewport: {box}"
        assert box["width"] >= 24 and box["height"] >= 24, f"{selector} is too small to use: {box}"
    sizes = page.evaluate(
        f"""() => {{ const r = {ROOT_JS}; const d = document.documentElement;
            const p = r.getElementById('mdg-panel'), l = r.getElementById('mdg-log');
            return {{page: [d.scrollWidth, window.innerWidth], panel: [p.scrollWidth, p.clientWidth],
                     log: [l.scrollWidth, l.clientWidth]}}; }}"""
    )
    for where, (scroll, client) in sizes.items():
        assert scroll <= client, f"horizontal scroll in the {where}: scrollWidth {scroll} > {client}"


def japan_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")).date()


def kanji_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---- the tests ---------------------------------------------------------------------------


def test_should_list_the_six_bots_and_answer_the_automobile_tax_question(page: Page, artifacts: Path):
    open_demo(page, "tax", open_panel=False)
    options = page.locator("#bot-picker option")
    expect(options).to_have_count(len(BOT_IDS))
    assert set(options.evaluate_all("os => os.map(o => o.value)")) == BOT_IDS
    expect(page.locator("#bot-picker")).to_have_value("tax")

    launcher = page.locator("#mdg-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(page.locator("#mdg-panel")).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#mdg-title")).to_have_text("府税相談")  # the name comes from /api/v1/bots

    answer = ask(page, "自動車税の納期限はいつですか")
    expect(page.locator(USER_TEXT).last).to_have_text("自動車税の納期限はいつですか")
    expect(answer.locator(".mdg-text")).to_contain_text("5月31日")
    expect(answer.locator(".mdg-choice")).to_have_count(3)
    expect(page.locator("#mdg-panel")).to_have_attribute("data-status", "idle")
    page.screenshot(path=str(artifacts / "desktop.png"))


def test_should_show_a_button_title_as_the_residents_bubble_and_answer_it(page: Page):
    open_demo(page, "tax")
    answer = ask(page, "自動車税の納期限はいつですか")
    choice = answer.locator(".mdg-choice", has_text="支払い方法")
    expect(choice).to_have_attribute("data-payload", "/auto_tax_payment")

    before = bot_count(page)
    choice.click()
    wait_for_reply(page, before)
    # The resident sees the title they chose, never the payload.
    expect(page.locator(USER_TEXT).last).to_have_text("支払い方法")
    expect(page.locator(USER_TEXT, has_text="/auto_tax_payment")).to_have_count(0)
    expect(page.locator(BOT_TEXT).last).to_contain_text("Pay-easy")
    # One answer per set of buttons: the chosen one is marked, all of the set are disabled.
    expect(choice).to_have_class(re.compile(r"\bis-chosen\b"))
    for button in answer.locator(".mdg-choice").all():
        expect(button).to_be_disabled()


def test_should_complete_the_cooling_off_form_with_buttons_and_typing(page: Page, artifacts: Path):
    first_day = japan_today()
    open_demo(page, "consumer")
    panel = page.locator("#mdg-panel")

    question = ask(page, "クーリングオフできるか確認したい")
    expect(question.locator(".mdg-text")).to_contain_text("どの取引で契約しましたか")
    expect(panel).to_have_attribute("data-status", "in_form")
    choice = question.locator(".mdg-choice", has_text="訪問販売").first
    expect(choice).to_have_attribute("data-payload", '/inform{"transaction_type": "訪問販売"}')

    before = bot_count(page)
    choice.click()
    wait_for_reply(page, before)
    expect(page.locator(USER_TEXT).last).to_have_text("訪問販売")
    expect(page.locator(BOT_TEXT).last).to_contain_text("受け取った日を教えてください")
    expect(panel).to_have_attribute("data-status", "in_form")
    page.screenshot(path=str(artifacts / "form-in-progress.png"))

    result = ask(page, "きのう").locator(".mdg-text")
    expect(result).to_contain_text("訪問販売のクーリング・オフ期間")
    expect(result).to_contain_text("8日間")
    text = result.inner_text()
    # Received yesterday (Japan time) is day 1 of 8, so the last day is 6 days from today.
    last_days = {
        kanji_date(today - timedelta(days=1) + timedelta(days=7)) for today in {first_day, japan_today()}
    }
    assert any(f"最終日は{d}" in text for d in last_days), f"expected a last day among {last_days}: {text}"
    expect(panel).to_have_attribute("data-status", "idle")


def test_should_thank_for_a_rating_and_store_it(page: Page, browser_services):
    open_demo(page, "tax")
    answer = ask(page, "自動車税の納期限はいつですか")
    message_id = answer.get_attribute("data-message-id")
    assert message_id, "a rateable answer needs its message id"
    expect(answer.locator(".mdg-rating")).to_contain_text("この回答は役に立ちましたか")

    answer.locator('.mdg-rate[data-helpful="true"]').click()
    expect(answer.locator(".mdg-rated")).to_have_text("ありがとうございました")
    expect(answer.locator(".mdg-rate")).to_have_count(0)

    session_id = stored_state(page)["sessionId"]
    with browser_services.db.session() as session:
        rating = session.get(Rating, message_id)
        assert rating is not None, "no Rating row for the rated message"
        assert rating.helpful is True
        assert rating.conversation_id == session_id
        assert rating.bot_id == "tax"

    page.reload()  # the rated state survives a reload: thanks, not the question again
    expect(page.locator(f'{BOT_MSG}[data-message-id="{message_id}"] .mdg-rated')).to_have_text(
        "ありがとうございました"
    )
    expect(page.locator(".mdg-rate")).to_have_count(0)


def test_should_keep_the_transcript_and_session_after_a_reload(page: Page, browser_services):
    open_demo(page, "tax")
    ask(page, "自動車税の納期限はいつですか")
    session_id = stored_state(page)["sessionId"]
    assert session_id

    page.reload()
    expect(page.locator("#mdg-panel")).to_be_visible()
    expect(page.locator(USER_TEXT)).to_have_count(1)
    expect(page.locator(USER_TEXT).first).to_have_text("自動車税の納期限はいつですか")
    expect(page.locator(BOT_TEXT)).to_have_count(2)  # the welcome, then the answer
    expect(page.locator(BOT_TEXT).first).to_contain_text("府税相談です")
    expect(page.locator(BOT_TEXT).nth(1)).to_contain_text("5月31日")

    answer = ask(page, "自動車税はどこで払えますか")
    expect(answer.locator(".mdg-text")).to_contain_text("お支払いいただけます")
    assert stored_state(page)["sessionId"] == session_id, "the reload started a new session"
    expect(page.locator(USER_TEXT)).to_have_count(2)
    with browser_services.db.session() as session:
        incoming = session.query(Message).filter_by(conversation_id=session_id, direction="in").count()
    assert incoming == 2, f"both messages belong to the one conversation, found {incoming}"


XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def test_should_show_a_residents_markup_as_text(page: Page):
    open_demo(page, "tax")
    ask(page, XSS)
    bubble = page.locator(USER_TEXT).last
    expect(bubble).to_have_text(XSS)
    page.wait_for_timeout(200)  # give a broken image's onerror the time to fire
    assert page.evaluate("() => window.__xss") is None
    counts = page.evaluate(f"() => {ROOT_JS}.querySelectorAll('img, script').length")
    assert counts == 0, "markup from the resident became elements in the widget"
    assert page.evaluate("() => document.querySelectorAll('img').length") == 0

    page.reload()  # the transcript restored from sessionStorage is text too
    expect(page.locator(USER_TEXT).last).to_have_text(XSS)
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate(f"() => {ROOT_JS}.querySelectorAll('img, script').length") == 0


BOT_MARKUP = (
    '<b onclick="window.__xss=3">太字</b> <img src=x onerror="window.__xss=4"> '
    '<a href="javascript:window.__xss=5">javascript:window.__xss=6</a> '
    'https://www.pref.osaka.lg.jp/"><script>window.__xss=7</script>'
)


def test_should_render_a_bot_answer_with_markup_as_text(page: Page):
    sent: list[dict] = []

    def canned(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        body = {
            "session_id": sent[-1].get("session_id", "x"),
            "status": "idle",
            "replayed": False,
            "messages": [
                {
                    "id": f"canned-{len(sent)}",
                    "text": BOT_MARKUP,
                    "buttons": [
                        {
                            "title": '<i onmouseover="window.__xss=8">選ぶ</i>',
                            "payload": "javascript:window.__xss=9",
                        }
                    ],
                    "bot": "tax",
                    "bot_name": '<u onclick="window.__xss=10">府税</u>',
                    "response": "utter_canned",
                    "rateable": False,
                }
            ],
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body, ensure_ascii=False))

    page.route("**/api/v1/bots/tax/messages", canned)
    open_demo(page, "tax")
    answer = ask(page, "こんにちは")
    text = answer.locator(".mdg-text")
    expect(text).to_contain_text('<b onclick="window.__xss=3">太字</b>')
    expect(text).to_contain_text("<script>window.__xss=7</script>")
    expect(answer.locator(".mdg-who")).to_have_text('<u onclick="window.__xss=10">府税</u>')
    choice = answer.locator(".mdg-choice")
    expect(choice).to_have_text('<i onmouseover="window.__xss=8">選ぶ</i>')

    page.locator(BOT_TEXT).last.click()  # clicking where a <b onclick> would be does nothing
    choice.hover()
    before = bot_count(page)
    choice.click()  # the payload is sent as plain text, not followed as a URL
    wait_for_reply(page, before)
    assert sent[-1]["text"] == "javascript:window.__xss=9"
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__xss") is None

    found = page.evaluate(
        f"""() => {{ const r = {ROOT_JS};
            return {{markup: r.querySelectorAll('b, i, u, img, script').length,
                     hrefs: [...r.querySelectorAll('a')].map(a => a.getAttribute('href'))}}; }}"""
    )
    assert found["markup"] == 0, "markup from a bot answer became elements in the widget"
    # Only the http(s) address became a link, cut before the markup; javascript: never did.
    assert set(found["hrefs"]) == {"https://www.pref.osaka.lg.jp/"}, found["hrefs"]


def test_should_work_with_the_keyboard_alone(page: Page):
    open_demo(page, "tax", open_panel=False)
    for _ in range(40):
        page.keyboard.press("Tab")
        if active_id(page) == "mdg-launcher":
            break
    else:
        pytest.fail("Tab never reached the chat launcher")

    page.keyboard.press("Enter")
    expect(page.locator("#mdg-panel")).to_be_visible()
    expect(page.locator("#mdg-launcher")).to_have_attribute("aria-expanded", "true")
    assert active_id(page) == "mdg-input", "opening the chat must put focus in the input"

    before = bot_count(page)
    page.keyboard.type("自動車税の納期限はいつですか")
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    expect(page.locator(USER_TEXT).last).to_have_text("自動車税の納期限はいつですか")
    expect(page.locator(BOT_TEXT).last).to_contain_text("5月31日")
    assert active_id(page) == "mdg-input", "focus must stay in the input after sending"
    expect(page.locator("#mdg-input")).to_have_value("")

    # Shift+Tab back from the input to the answer's buttons; Enter chooses one.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if active_id(page) == "mdg-choice":
            break
    else:
        pytest.fail("Shift+Tab from the input never reached the answer's buttons")
    chosen = page.evaluate(f"() => {ROOT_JS}.activeElement.textContent")
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    expect(page.locator(USER_TEXT).last).to_have_text(chosen)
    assert active_id(page) == "mdg-input", "after a keyboard choice focus returns to the input"

    page.keyboard.press("Escape")
    expect(page.locator("#mdg-panel")).to_be_hidden()
    expect(page.locator("#mdg-launcher")).to_have_attribute("aria-expanded", "false")
    assert active_id(page) == "mdg-launcher", "closing the chat must return focus to the launcher"


def test_should_be_usable_on_a_360px_phone(browse, artifacts: Path):
    page = browse.new_page(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    open_demo(page, "tax")
    answer = ask(page, "自動車税はどこで払えますか")  # a long answer with a URL and buttons
    expect(answer.locator(".mdg-text a")).to_have_count(1)
    settle_panel(page)
    box = page.locator("#mdg-panel").bounding_box()
    assert box == {"x": 0, "y": 0, "width": 360, "height": 740}, (
        f"the panel should fill a phone screen: {box}"
    )
    assert_usable_in_viewport(page, 360, 740)
    page.screenshot(path=str(artifacts / "phone-360.png"))
    # The panel covers the page, so Tab wraps around inside it instead of reaching the hidden page.
    assert active_id(page) == "mdg-input"
    page.keyboard.press("Tab")
    assert active_id(page) == "mdg-send"
    page.keyboard.press("Tab")
    assert active_id(page) == "mdg-new", "Tab from the last control must wrap to the first one"
    page.keyboard.press("Shift+Tab")
    assert active_id(page) == "mdg-send", "Shift+Tab from the first control must wrap to the last one"


def test_should_be_usable_at_200_percent_zoom(browse, artifacts: Path):
    # A 1280×800 window at 200 % zoom lays out in 640×400 CSS pixels at two device pixels each.
    page = browse.new_page(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    open_demo(page, "tax")
    ask(page, "自動車税はどこで払えますか")
    assert_usable_in_viewport(page, 640, 400)
    page.screenshot(path=str(artifacts / "zoom-200.png"))


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def run_axe(page: Page) -> dict:
    return page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
          const brief = (v) => ({id: v.id, impact: v.impact, help: v.help,
                                 targets: v.nodes.map((n) => n.target)});
          return {violations: r.violations.map(brief), passes: r.passes.map(brief),
                  incomplete: r.incomplete.map(brief)};
        }""",
        AXE_TAGS,
    )


def assert_no_serious_violations(result: dict, state: str) -> None:
    print(f"\naxe ({state}): {len(result['passes'])} rules passed, {len(result['violations'])} violated")
    for v in result["violations"]:
        print(f"  violation: {v['impact']} {v['id']}: {v['help']} at {v['targets']}")
    for v in result["incomplete"]:  # what axe could not decide, for a person to check
        print(f"  needs review: {v['id']}: {v['help']} at {v['targets']}")
    # axe writes the target of an element inside a shadow root as [[host selector, inner selector]].
    in_widget = [
        t
        for p in result["passes"]
        for t in p["targets"]
        if isinstance(t[0], list) and t[0][0] == "#madoguchi-widget"
    ]
    assert in_widget, f"axe checked nothing inside the widget's shadow root ({state})"
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"serious or critical accessibility violations ({state}): {serious}"


def test_should_have_no_serious_accessibility_violations(page: Page):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (it installs axe-core with npm ci in tests/browser)")
    open_demo(page, "tax", open_panel=False)
    # run through the debugger, outside the page's Content-Security-Policy (a <script> tag is refused by it)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert_no_serious_violations(run_axe(page), "launcher only")

    page.locator("#mdg-launcher").click()
    expect(page.locator("#mdg-panel")).to_be_visible()
    ask(page, "自動車税の納期限はいつですか")  # an answer with buttons and the rating question
    ask(page, XSS)  # and a fallback answer
    expect(page.locator(USER_TEXT)).to_have_count(2)
    assert_no_serious_violations(run_axe(page), "panel open with answers")


def test_should_speak_english_with_lang_en(page: Page):
    open_demo(page, "tax", lang="en", open_panel=False)
    launcher = page.locator("#mdg-launcher")
    expect(launcher).to_have_text("Ask a question")
    expect(launcher).to_have_attribute("aria-label", "Ask a question")
    launcher.click()
    expect(page.locator("#mdg-input")).to_have_attribute("placeholder", "Type your question")
    expect(page.locator("#mdg-title")).to_have_text("Prefectural Tax Consultation")

    answer = ask(page, "When is the automobile tax due?")
    expect(answer.locator(".mdg-text")).to_contain_text("31 May")
    expect(answer.locator(".mdg-choice", has_text="How to pay")).to_have_count(1)
    expect(answer.locator('.mdg-rate[data-helpful="true"]')).to_have_text("Yes")
    assert stored_state(page)["lang"] == "en"
