"""The widget for everyone, in real Chromium against the real stack: keyboard only from the host page to an
answer, feedback and back to the launcher; new messages announced in the live region; 长辈模式 (one switch,
remembered, shared with the calculator page) with text of 20 px and up and targets of 44 px and up; 朗读 only
with a Chinese voice; the profile answer's link to the calculator; no horizontal scroll at 320 px.
Saves widget-elder.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.stack import Stack
from tests.widget.conftest import SCREENSHOTS

pytest.importorskip("playwright")
from playwright.sync_api import BrowserContext, FrameLocator, Page, expect  # noqa: E402

expect.set_options(timeout=20_000)

LAUNCHER = "#weihai-policy-widget-launcher"
PANEL = "#weihai-policy-widget-panel"
CITATION = "依据：威政办发〔2018〕32号 二（六）"
# A browser with a zh-CN voice, as most desktop and phone browsers in China have: a stand-in speechSynthesis
# that records what it would read (headless Chromium has no voices at all).
CHINESE_VOICE = """
    window.__spoken = [];
    window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    const voice = {lang: 'zh-CN', name: '中文（普通话）', default: true, localService: true, voiceURI: 'zh-CN'};
    Object.defineProperty(window, 'speechSynthesis', {value: {
        getVoices: () => [voice],
        speak: (u) => { window.__spoken.push(u.text); setTimeout(() => u.onend && u.onend(), 10); },
        cancel: () => {}, addEventListener: () => {}, removeEventListener: () => {}}});
"""
# What every element with text in 长辈模式 must reach (px), and every control.
ELDER_TEXT_PX = 20
TOUCH_PX = 44


@pytest.fixture
def context(browser: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"JavaScript errors: {errors}"


def _chat(page: Page) -> FrameLocator:
    return page.frame_locator(f"{PANEL} iframe")


def _focused(page: Page) -> str:
    """What has the keyboard focus, inside the widget's frame too: its tag, class and name."""
    frame = next((f for f in page.frames if "/widget/" in f.url), None)
    script = (
        "(() => { const el = document.activeElement; return el ? `${el.tagName} ${el.className} "
        "${el.getAttribute('aria-label') || el.textContent.trim().slice(0, 20)}` : ''; })()"
    )
    outer = page.evaluate(script)
    return frame.evaluate(script) if frame is not None and outer.startswith("IFRAME") else outer


def _tab_to(page: Page, wanted: str, limit: int = 40) -> int:
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if wanted in _focused(page):
            return presses
    raise AssertionError(f"{wanted!r} not reached with Tab; focus is on {_focused(page)!r}")


def test_keyboard_only_from_the_page_to_an_answer_feedback_and_back(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.url}/")
    stops = _tab_to(page, "政策咨询：打开")
    assert stops <= 10, stops
    page.keyboard.press("Enter")
    chat = _chat(page)
    expect(chat.locator(".Composer-input")).to_be_focused()
    page.keyboard.type("您好")
    page.keyboard.press("Enter")
    live = chat.locator("[role=status][aria-live=polite]")
    expect(live).to_contain_text("政策助手：")  # each new bot message announced once, politely
    _tab_to(page, "研发补助，双击发送")  # the bot's buttons under its reply
    page.keyboard.press("Enter")
    expect(chat.locator(".Message.right .Bubble")).to_have_text(["您好", "研发补助"])
    expect(chat.locator(".PolicyCard-citation")).to_have_text(CITATION)
    expect(live).to_contain_text("政策助手：企业研究开发财政补助")

    _tab_to(page, "查看原文")  # the card's button
    page.keyboard.press("Enter")
    expect(chat.locator(".PolicyCard-original")).to_be_visible()
    _tab_to(page, "有帮助")  # the next one after 查看原文: the answer's own
    page.keyboard.press("Space")
    rating = chat.locator(".Feedback").last
    expect(rating.get_by_role("button", name="有帮助", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(rating.locator(".Feedback-status")).to_have_text("感谢您的评价")

    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()
    expect(page.locator(LAUNCHER)).to_be_focused()


def test_elder_mode_is_large_remembered_and_shared_with_the_calculator(page: Page, stack: Stack) -> None:
    page.add_init_script(CHINESE_VOICE)
    page.goto(f"{stack.url}/")
    page.click(LAUNCHER)
    chat = _chat(page)
    switch = chat.get_by_role("switch", name="长辈模式")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    chat.locator(".Composer-input").fill("研发补助最多多少")
    chat.locator(".Composer-input").press("Enter")
    expect(chat.locator(".PolicyCard-citation")).to_have_text(CITATION)
    page.wait_for_timeout(600)  # the answer's reveal
    frame = next(f for f in page.frames if "/widget/" in f.url)
    small = frame.evaluate(
        """(px) => [...document.querySelectorAll('.App *')]
            .filter((el) => el.offsetParent && !el.closest('.sr-only')
                && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
            .map((el) => [el.textContent.trim().slice(0, 12), parseFloat(getComputedStyle(el).fontSize)])
            .filter(([, size]) => size < px)""",
        ELDER_TEXT_PX,
    )
    assert small == []
    tiny = frame.evaluate(
        """(px) => [...document.querySelectorAll('.App button, .App a, .App textarea')]
            .filter((el) => el.offsetParent)
            .map((el) => {
                const r = el.getBoundingClientRect();
                return [el.textContent.trim().slice(0, 8), r.width, r.height];
            })
            .filter(([, w, h]) => w < px || h < px)""",
        TOUCH_PX,
    )
    assert tiny == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-elder.png"))

    chat.get_by_role("button", name="朗读").last.click()
    spoken = frame.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0].startswith("企业研究开发财政补助") and CITATION in spoken[0]

    page.reload()  # remembered
    page.click(LAUNCHER)
    expect(_chat(page).get_by_role("switch", name="长辈模式")).to_have_attribute("aria-checked", "true")
    page.goto(f"{stack.url}/calculator")  # the same choice on the calculator page (same origin, one key)
    expect(page.get_by_role("switch", name="长辈模式")).to_have_attribute("aria-checked", "true")


def test_read_aloud_is_not_offered_without_a_chinese_voice(page: Page, stack: Stack) -> None:
    page.add_init_script(
        "Object.defineProperty(window, 'speechSynthesis', {value: {getVoices: () => "
        "[{lang: 'en-US', name: 'English'}], speak: () => {}, cancel: () => {}, addEventListener: () => {}, "
        "removeEventListener: () => {}}});"
    )
    page.goto(f"{stack.url}/")
    page.click(LAUNCHER)
    chat = _chat(page)
    chat.locator(".Composer-input").fill("研发补助最多多少")
    chat.locator(".Composer-input").press("Enter")
    expect(chat.locator(".PolicyCard-citation")).to_have_text(CITATION)
    expect(chat.get_by_role("button", name="朗读")).to_have_count(0)


def test_the_profile_answer_links_to_the_calculator_with_that_profile(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.url}/")
    page.click(LAUNCHER)
    chat = _chat(page)
    chat.locator(".Composer-input").fill("我们是荣成的合作社，有什么政策")
    chat.locator(".Composer-input").press("Enter")
    link = chat.locator(".CalcLink")
    expect(link).to_have_attribute("href", "/calculator?applicant=farmer&district=rongcheng")
    with page.context.expect_page() as opened:
        link.click()
    calculator = opened.value
    expect(calculator.locator(".measure-card").first).to_be_visible()
    count = calculator.locator(".measure-card").count()
    expect(link).to_have_text(f"在政策计算器中查看全部{count}项（新窗口，可打印）")


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "长辈模式"])
def test_no_horizontal_scroll_at_320_px(browser: Any, stack: Stack, elder: bool) -> None:
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        if elder:
            page.add_init_script("localStorage.setItem('weihai-policy-elder', '1')")
        page.goto(f"{stack.url}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.click(LAUNCHER)
        chat = _chat(page)
        chat.locator(".Composer-input").fill("研发补助最多多少")
        chat.locator(".Composer-input").press("Enter")
        expect(chat.locator(".PolicyCard-citation")).to_have_text(CITATION)
        page.wait_for_timeout(600)
        frame = next(f for f in page.frames if "/widget/" in f.url)
        overflow = frame.evaluate(
            "[document.documentElement, "
            "...document.querySelectorAll('.PullToRefresh, .MessageList, .ChatFooter, .Header')]"
            ".filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.className || el.tagName)"
        )
        assert overflow == []
        widest = frame.evaluate(
            "Math.max(...[...document.querySelectorAll('.Message, .PolicyCard, .Composer, .Header-actions')]"
            ".map(el => el.getBoundingClientRect().right))"
        )
        assert widest <= 320
    finally:
        context.close()
