"""WCAG 2.1 AA on every page, in real Chromium against the real stack: axe-core (tests/axe.py) finds nothing on
the demo page, the widget (empty, answered, original text expanded, error, 长辈模式), the calculator (empty,
answered, error, 长辈模式), the staff login (empty, refused), the console (searched, card, asked the bot), analytics
and review (queue, marking 答错了).

Each test checks every state of its page and reports all of them at once, so one run gives the whole count.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from harness.stack import Stack
from tests.axe import details, violations
from tests.staff.test_browser import _log_in, _seed_questions, browser, create_account  # noqa: F401

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
expect.set_options(timeout=20_000)

LAUNCHER = "#weihai-policy-widget-launcher"
PANEL = "#weihai-policy-widget-panel"
ELDER_KEY = "weihai-policy-elder"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def _check(found: dict[str, dict[str, int]], where: Any) -> None:
    bad = {state: counts for state, counts in found.items() if counts}
    assert bad == {}, f"axe (WCAG 2.1 AA) violations by state: {json.dumps(bad, ensure_ascii=False)}; " + (
        json.dumps(details(where), ensure_ascii=False)[:3000] if where is not None else ""
    )


def _widget(page: Any) -> Any:
    frame = next(f for f in page.frames if "/widget/" in f.url)
    return frame


def _open_widget(page: Any, stack: Stack) -> Any:
    page.goto(f"{stack.url}/")
    page.click(LAUNCHER)
    chat = page.frame_locator(f"{PANEL} iframe")
    expect(chat.locator(".Composer-input")).to_be_visible()
    return chat


def _ask(chat: Any, question: str) -> None:
    box = chat.locator(".Composer-input")
    box.fill(question)
    box.press("Enter")


def test_demo_page_and_widget_in_every_state(page: Any, stack: Stack) -> None:
    found: dict[str, dict[str, int]] = {}
    page.goto(f"{stack.url}/")
    found["demo"] = violations(page, exclude=[PANEL])
    chat = _open_widget(page, stack)
    found["demo, widget open"] = violations(page, exclude=[PANEL])
    found["widget empty"] = violations(_widget(page))
    _ask(chat, "研发补助最多多少")
    expect(chat.locator(".PolicyCard-citation")).to_be_visible()
    page.wait_for_timeout(500)  # the reveal of the answer
    found["widget answered"] = violations(_widget(page))
    chat.get_by_role("button", name="查看原文").click()
    expect(chat.locator(".PolicyCard-original")).to_be_visible()
    found["widget card expanded"] = violations(_widget(page))
    _ask(chat, "我们是合作社，有什么政策")
    expect(chat.locator(".CalcLink")).to_be_visible()
    page.wait_for_timeout(500)
    found["widget calculator answer"] = violations(_widget(page))
    elder = chat.get_by_role("switch", name="长辈模式")
    if elder.count():
        elder.click()
        page.wait_for_timeout(300)
        found["widget 长辈模式"] = violations(_widget(page))
    _check(found, _widget(page))


def test_widget_error_state(page: Any, stack: Stack) -> None:
    page.context.route(
        "**/api/chat",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"error": "智能助手暂时不可用，请稍后再试，或拨打12345"}, ensure_ascii=False),
        ),
    )
    chat = _open_widget(page, stack)
    _ask(chat, "研发补助最多多少")
    expect(chat.locator(".ErrorNotice")).to_be_visible()
    _check({"widget error": violations(_widget(page))}, _widget(page))


def test_calculator_in_every_state(page: Any, stack: Stack) -> None:
    found: dict[str, dict[str, int]] = {}
    page.goto(f"{stack.url}/calculator")
    found["empty"] = violations(page)
    page.goto(f"{stack.url}/calculator?applicant=farmer&district=rongcheng&approved=500000")
    expect(page.locator(".measure-card").first).to_be_visible()
    found["answered"] = violations(page)
    page.locator(".measure-card details summary").first.click()
    found["original open"] = violations(page)
    page.goto(f"{stack.url}/calculator?applicant=farmer&approved=abc")
    expect(page.locator("[role=alert]")).to_be_visible()
    found["error"] = violations(page)
    page.goto(f"{stack.url}/calculator?applicant=enterprise&district=huancui")
    page.get_by_role("switch", name="长辈模式").click()
    found["长辈模式"] = violations(page)
    _check(found, page)


def test_staff_pages(page: Any, stack: Stack) -> None:
    found: dict[str, dict[str, int]] = {}
    page.goto(f"{stack.url}/staff/login")
    found["login"] = violations(page)
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    expect(page.locator(".error, [role=alert]").first).to_be_visible()
    found["login refused"] = violations(page)

    _seed_questions(stack)
    sender = f"a11y-{uuid.uuid4().hex[:8]}"
    for question in ("研发补助最多多少", "俺们那小站子政府给钱不", "明天威海下雨吗"):
        stack.texts(sender, question)
    analyst = create_account(stack, "analyst")
    _log_in(page, stack, analyst, "/staff")
    page.fill("#search", "特派员 奖励")
    page.wait_for_timeout(800)
    found["console searched"] = violations(page)
    page.locator("#results button").first.click()
    expect(page.locator("#card")).to_be_visible()
    found["console card"] = violations(page)
    page.fill("#ask-input", "研发补助最多能拿多少？")
    page.click("#ask-form button[type=submit]")
    expect(page.locator("#ask-replies")).to_contain_text("依据")
    found["console asked the bot"] = violations(page)
    page.goto(f"{stack.url}/staff/analytics")
    page.wait_for_selector("#chart-measures canvas")
    page.wait_for_timeout(1500)
    found["analytics"] = violations(page)
    page.goto(f"{stack.url}/staff/review")
    page.wait_for_timeout(1500)
    found["review"] = violations(page)
    page.locator("button.verdict-wrong").first.click()  # the picker, aspect, alias and note open
    page.wait_for_timeout(500)
    found["review, marking 答错了"] = violations(page)
    _check(found, page)


def test_every_page_reflows_at_320_px(browser: Any, stack: Stack) -> None:  # noqa: F811
    """WCAG 1.4.10: at 320 CSS px nothing scrolls sideways (a wide table scrolls inside its own region)."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="zh-CN")
    widths: dict[str, int] = {}
    try:
        page = context.new_page()
        for path in ("/", "/calculator?applicant=enterprise&district=rongcheng&approved=50%E4%B8%87", "/staff/login"):
            page.goto(stack.url + path)
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        _log_in(page, stack, create_account(stack, "analyst"), "/staff")
        for path in ("/staff", "/staff/analytics", "/staff/review"):
            page.goto(stack.url + path)
            page.wait_for_timeout(1000)  # the data, drawn after the page
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()
    assert {path: width for path, width in widths.items() if width > 320} == {}
