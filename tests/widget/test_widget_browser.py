"""The widget in a real headless Chromium against the real stack (action server, Rasa, gateway): embedded
in the demo page with its one script tag, as a visitor would use it. Saves the screenshots under
harness.stack.SCREENSHOTS (`make screenshots` refreshes docs/screenshots/)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app_store.privacy import pseudonym
from harness.stack import Stack
from tests.widget.conftest import SCREENSHOTS, STORAGE_KEY

pytest.importorskip("playwright")
from playwright.sync_api import BrowserContext, Frame, FrameLocator, Page, Route, expect  # noqa: E402

# The first answer of a fresh Rasa can take a few seconds on two cores.
expect.set_options(timeout=20_000)

CITATION = "依据：威政办发〔2018〕32号 二（六）"
LAUNCHER = "#weihai-policy-widget-launcher"
PANEL = "#weihai-policy-widget-panel"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def context(browser: Any) -> Iterator[BrowserContext]:
    # A new context per test: its own localStorage, so every test starts a new conversation.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"JavaScript errors: {errors}"


def open_widget(page: Page, stack: Stack) -> FrameLocator:
    page.goto(f"{stack.url}/")
    page.click(LAUNCHER)
    chat = page.frame_locator(f"{PANEL} iframe")
    expect(chat.locator(".Composer-input")).to_be_visible()
    return chat


def widget_frame(page: Page) -> Frame:
    frame = page.frame(url=re.compile(r"/widget/"))
    assert frame is not None
    return frame


def ask(chat: FrameLocator, question: str) -> None:
    box = chat.locator(".Composer-input")
    box.fill(question)
    box.press("Enter")


def saved(page: Page) -> dict[str, Any]:
    return json.loads(widget_frame(page).evaluate(f"localStorage.getItem({json.dumps(STORAGE_KEY)})"))


def user_bubbles(chat: FrameLocator) -> Any:
    return chat.locator(".Message.right .Bubble")


def test_a_policy_question_gets_the_answer_card_with_its_citation(page: Page, stack: Stack) -> None:
    chat = open_widget(page, stack)
    expect(chat.locator(".Message.left .Bubble").first).to_contain_text("威政办发〔2018〕32号")  # the welcome
    ask(chat, "研发补助最多多少")

    expect(user_bubbles(chat)).to_have_text(["研发补助最多多少"])
    card = chat.locator(".PolicyCard")
    expect(card).to_have_count(1)
    expect(card.locator(".PolicyCard-citation")).to_have_text(CITATION)
    expect(card.locator(".PolicyCard-title")).to_have_text("企业研究开发财政补助")
    expect(card.locator(".PolicyCard-amount")).to_contain_text("1000万元")
    expect(card.locator(".Shares-list li")).to_have_count(3)
    expect(card).to_contain_text("市科技局")
    expect(chat.locator(".Message-author").first).to_have_text("政策助手")
    expect(chat.locator(".Message-meta time").first).to_be_visible()  # timestamp

    toggle = card.get_by_role("button", name="查看原文")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(card.locator(".PolicyCard-original")).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-desktop.png"))

    toggle.click()
    expect(card.get_by_role("button", name="收起原文")).to_have_attribute("aria-expanded", "true")
    original = card.locator(".PolicyCard-original")
    expect(original).to_be_visible()
    expect(original).to_contain_text("实施企业研究开发财政补助政策，符合条件的给予单个企业最高 1000 万元补助")
    expect(original.locator("mark")).to_contain_text("最高 1000 万元")


def test_a_quick_reply_sends_its_payload_and_shows_its_title(page: Page, stack: Stack) -> None:
    chat = open_widget(page, stack)
    ask(chat, "您好")
    reply = chat.locator(".QuickReply", has_text="研发补助")
    expect(reply).to_be_visible()
    reply.click()
    expect(user_bubbles(chat)).to_have_text(["您好", "研发补助"])  # the title, not /ask_measure_info{...}
    expect(chat.locator(".PolicyCard .PolicyCard-title")).to_have_text("企业研究开发财政补助")
    expect(chat.locator(".PolicyCard-citation")).to_have_text(CITATION)


def test_thumbs_up_and_down_are_stored_against_the_logged_question(page: Page, stack: Stack) -> None:
    chat = open_widget(page, stack)
    ask(chat, "研发补助最多多少")
    expect(chat.locator(".PolicyCard")).to_be_visible()
    chat.get_by_role("button", name="有帮助", exact=True).click()
    expect(chat.get_by_role("button", name="有帮助", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(chat.locator(".Feedback-status")).to_have_text("感谢您的评价")
    [(up_id, vote)] = saved(page)["votes"].items()
    assert vote == "up"

    ask(chat, "创新券补给谁")
    expect(chat.locator(".Feedback")).to_have_count(2)
    second = chat.locator(".Feedback").nth(1)
    second.get_by_role("button", name="没有帮助").click()
    second.get_by_label("哪里不满意").fill("没说清楚，请打 13800138000 联系我")
    second.get_by_role("button", name="提交").click()
    expect(second.locator(".Feedback-status")).to_have_text("感谢您的评价")
    votes = saved(page)["votes"]
    [down_id] = [key for key, value in votes.items() if value == "down"]

    engine = create_engine(stack.app_db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT q.text, f.vote, f.reason FROM feedback f "
                    "JOIN question_log q ON q.public_id = f.question_public_id "
                    "WHERE f.question_public_id IN (:up, :down) ORDER BY f.vote DESC"
                ),
                {"up": up_id, "down": down_id},
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("研发补助最多多少", 1, None),
        ("创新券补给谁", -1, "没说清楚，请打 138****8000 联系我"),
    ]


def test_history_survives_a_reload_and_restart_clears_it(page: Page, stack: Stack) -> None:
    chat = open_widget(page, stack)
    ask(chat, "研发补助最多多少")
    expect(chat.locator(".PolicyCard")).to_be_visible()
    chat.get_by_role("button", name="有帮助", exact=True).click()
    expect(chat.get_by_role("button", name="有帮助", exact=True)).to_have_attribute("aria-pressed", "true")
    sender = saved(page)["sender"]

    page.reload()
    page.click(LAUNCHER)
    chat = page.frame_locator(f"{PANEL} iframe")
    expect(user_bubbles(chat)).to_have_text(["研发补助最多多少"])
    expect(chat.locator(".PolicyCard-citation")).to_have_text(CITATION)
    expect(chat.get_by_role("button", name="有帮助", exact=True)).to_have_attribute("aria-pressed", "true")
    assert saved(page)["sender"] == sender

    chat.get_by_role("button", name="重新开始").click()
    expect(user_bubbles(chat)).to_have_count(0)
    expect(chat.locator(".PolicyCard")).to_have_count(0)
    # The welcome again, and how to have the conversation just left erased (its conversation id).
    expect(chat.locator(".Message.left .Bubble")).to_have_count(2)
    expect(chat.locator(".Message.left .Bubble").nth(1)).to_contain_text(
        f"如需现在删除，请联系政策咨询热线并提供对话编号：{pseudonym(stack.env['APP_SECRET'], sender)}"
    )
    fresh = saved(page)
    assert fresh["sender"] != sender and fresh["votes"] == {}
    page.reload()
    page.click(LAUNCHER)
    expect(page.frame_locator(f"{PANEL} iframe").locator(".PolicyCard")).to_have_count(0)


@pytest.mark.parametrize("markup", ["<script>window.__x=1</script>", '<img src=x onerror="window.__x=1">'])
def test_what_the_user_types_is_shown_as_text(page: Page, stack: Stack, markup: str) -> None:
    chat = open_widget(page, stack)
    ask(chat, markup)
    expect(user_bubbles(chat)).to_have_text([markup])
    expect(chat.locator(".Message.left").nth(1)).to_be_visible()  # the bot answered
    frame = widget_frame(page)
    assert frame.evaluate("typeof window.__x") == "undefined"
    assert page.evaluate("typeof window.__x") == "undefined"
    assert frame.locator(".MessageList script, .MessageList img[src='x']").count() == 0


def test_what_the_bot_says_is_shown_as_text(page: Page, context: BrowserContext, stack: Stack) -> None:
    # Whatever a reply holds (a compromised data file, a bug in an action), it must not become markup.
    attack = '<img src=x onerror="window.__x=1"><script>window.__x=2</script>'
    body = {
        "replies": [
            {"text": attack, "buttons": [{"title": attack, "payload": "/greet"}]},
            {
                "custom": {
                    "type": "policy_card",
                    "title": attack,
                    "who": attack,
                    "amount": attack,
                    "shares": [{"level": attack, "percent": 100, "amount": attack}],
                    "lead_units": [attack],
                    "citation": attack,
                    "clause_text": attack,
                    "quote": "<script>",
                }
            },
        ],
        "message_id": "0" * 32,
    }
    context.route(
        "**/api/chat",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(body)),
    )
    chat = open_widget(page, stack)
    ask(chat, "你好")
    expect(chat.locator(".Message.left .Bubble").nth(1)).to_have_text(attack)
    expect(chat.locator(".PolicyCard-title")).to_have_text(attack)
    chat.get_by_role("button", name="查看原文").click()
    expect(chat.locator(".PolicyCard-original")).to_contain_text(attack)
    expect(chat.locator(".QuickReply")).to_have_text([attack])
    frame = widget_frame(page)
    assert frame.evaluate("typeof window.__x") == "undefined"
    assert frame.locator(".MessageList script, .MessageList img[src='x'], .QuickReplies img").count() == 0


def test_server_and_network_failures_say_so_in_chinese_and_retry(
    page: Page, context: BrowserContext, stack: Stack
) -> None:
    calls: list[str] = []

    def flaky(route: Route) -> None:
        calls.append(route.request.post_data or "")
        if len(calls) == 1:
            route.fulfill(
                status=503,
                content_type="application/json",
                body=json.dumps({"error": "智能助手暂时不可用，请稍后再试，或拨打12345"}, ensure_ascii=False),
            )
        elif len(calls) == 2:
            route.abort("failed")
        else:
            route.continue_()

    context.route("**/api/chat", flaky)
    chat = open_widget(page, stack)
    ask(chat, "研发补助最多多少")
    notice = chat.locator(".ErrorNotice")
    expect(notice).to_contain_text("智能助手暂时不可用，请稍后再试，或拨打12345")
    notice.get_by_role("button", name="重试").click()
    expect(notice).to_contain_text("网络连接失败")
    chat.locator(".ErrorNotice").get_by_role("button", name="重试").click()
    expect(chat.locator(".PolicyCard-citation")).to_have_text(CITATION)
    expect(chat.locator(".ErrorNotice")).to_have_count(0)
    expect(user_bubbles(chat)).to_have_text(["研发补助最多多少"])  # sent again, not shown twice
    assert len(calls) == 3 and all(json.loads(call)["message"] == "研发补助最多多少" for call in calls)


def test_enter_while_an_ime_is_composing_does_not_send(page: Page, stack: Stack) -> None:
    chat = open_widget(page, stack)
    box = chat.locator(".Composer-input")
    box.fill("研发补助")
    # What Chrome and Safari send for the Enter that picks a candidate: isComposing, or keyCode 229.
    for init in ({"isComposing": True, "keyCode": 13}, {"keyCode": 229}):
        box.evaluate(
            "(el, init) => el.dispatchEvent(new KeyboardEvent('keydown', "
            "{key: 'Enter', code: 'Enter', bubbles: true, cancelable: true, ...init}))",
            init,
        )
    page.wait_for_timeout(500)
    expect(user_bubbles(chat)).to_have_count(0)
    expect(box).to_have_value("研发补助")
    box.press("Enter")  # composition over: Enter sends
    expect(user_bubbles(chat)).to_have_text(["研发补助"])


def test_a_long_paste_is_answered_and_one_over_the_limit_is_explained(page: Page, stack: Stack) -> None:
    """A clause pasted with a question after it (under 2,000 characters) gets the question's answer; a paste
    the box cannot hold is cut to 2,000 characters and the widget says so in Chinese."""
    chat = open_widget(page, stack)
    clause = (
        "（十二）实施双创驱动助力精准扶贫。大力开展科技精准扶贫，各区市要支持建设一批低成本、便利化、"
        "全要素、开放式的星创天地、农科驿站，市级择优给予奖补。"
    )
    question = "我从网上复制了一段：" + clause * 8 + "我们村想建一个农科驿站，市级奖补具体给多少钱？"
    assert 500 < len(question) < 2000
    ask(chat, question)
    answer = chat.locator(".Message.left .Bubble").last  # the reply's text; its card follows it
    expect(answer).to_contain_text("二（十二）")
    expect(answer).to_contain_text("未规定")

    box = chat.locator(".Composer-input")
    box.fill("")
    box.evaluate(
        "(el, text) => { const data = new DataTransfer(); data.setData('text', text);"
        " el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }",
        "研" * 2100,
    )
    expect(chat.locator(".ErrorNotice-text").last).to_contain_text("超过了2000字")
    expect(box).to_have_attribute("maxlength", "2000")


def test_keyboard_and_screen_reader(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.url}/")
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    chat = page.frame_locator(f"{PANEL} iframe")
    expect(chat.locator(".Composer-input")).to_be_focused()
    page.keyboard.type("研发补助最多多少")
    page.keyboard.press("Enter")
    live = chat.locator("[role=status][aria-live=polite].sr-only")
    expect(live).to_contain_text("政策助手：")
    expect(live).to_contain_text(CITATION)
    # ChatUI's per-message role=alert is gone: only the live region speaks.
    expect(chat.locator(".Message-content[role=alert]")).to_have_count(0)
    unlabelled = widget_frame(page).evaluate(
        "[...document.querySelectorAll('button, textarea')]"
        ".filter(el => !(el.getAttribute('aria-label') || el.labels?.length || el.textContent.trim()))"
        ".map(el => el.outerHTML)"
    )
    assert unlabelled == []
    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()
    expect(launcher).to_be_focused()


def test_phone_layout_is_a_full_screen_panel_without_horizontal_scroll(browser: Any, stack: Stack) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        chat = open_widget(page, stack)
        assert page.locator(PANEL).bounding_box() == {"x": 0, "y": 0, **PHONE}
        expect(page.locator(LAUNCHER)).to_be_hidden()  # the panel covers the page; × closes it
        ask(chat, "研发补助最多多少")
        expect(chat.locator(".PolicyCard-citation")).to_have_text(CITATION)
        page.wait_for_timeout(400)  # the scroll to the new answer
        frame = widget_frame(page)
        overflow = frame.evaluate(
            "[document.documentElement, ...document.querySelectorAll('.PullToRefresh, .MessageList, .ChatFooter')]"
            ".filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.className || el.tagName)"
        )
        assert overflow == []
        widest = frame.evaluate(
            "Math.max(...[...document.querySelectorAll('.Message, .PolicyCard, .Composer')]"
            ".map(el => el.getBoundingClientRect().right))"
        )
        assert widest <= PHONE["width"]
        box = chat.locator(".Composer-input").bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))

        chat.get_by_role("button", name="关闭对话窗口").click()
        expect(page.locator(PANEL)).to_be_hidden()
        expect(page.locator(LAUNCHER)).to_be_visible()
    finally:
        context.close()
