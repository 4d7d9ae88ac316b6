"""The calculator page in real Chromium against the real stack: the form, the shareable URL, the cards, the print
stylesheet, 问政策助手 (the widget opens and the profile is said), 长辈模式 remembered, 朗读 offered only with a
Chinese voice, and no horizontal scroll at 320 px. Saves calculator.png and calculator-elder.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from harness.stack import SCREENSHOTS, Stack
from tests.widget.conftest import browser, widget_dist  # noqa: F401

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
expect.set_options(timeout=20_000)

DESKTOP = {"width": 1280, "height": 900}
PROFILE = "我们是荣成市的农民、合作社和村集体，有什么政策"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def _screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def test_the_form_lists_every_measure_with_money_first_and_the_url_can_be_shared(page: Any, stack: Stack) -> None:
    page.goto(f"{stack.url}/calculator")
    page.get_by_label("申请主体类型").select_option(label="农民、合作社和村集体")
    page.get_by_label("所在区市").select_option(label="荣成市")
    page.get_by_label("已获批的研发补助金额（选填）").fill("50万")
    page.get_by_label("行业或关键词（选填）").fill("农科驿站")
    page.get_by_role("button", name="查看可享受的政策").click()
    expect(page).to_have_url(
        f"{stack.url}/calculator?applicant=farmer&district=rongcheng&approved=50%E4%B8%87&fund=&words=%E5%86%9C%E7%A7%91%E9%A9%BF%E7%AB%99"
    )
    cards = page.locator(".measure-card")
    expect(cards.first).to_be_visible()
    api = page.request.get(f"{stack.url}/api/calculator?applicant=farmer&district=rongcheng").json()
    expect(cards).to_have_count(api["count"])
    expect(page.locator("#results h2")).to_have_text(
        f"荣成市农民、合作社和村集体：共 {api['count']} 项政策，其中 {api['with_money']} 项写明了金额"
    )
    titles = cards.locator("h3").all_text_contents()
    assert titles == [m["title"] for m in api["measures"]]
    assert titles.index("星创天地和农科驿站奖补") >= 0
    related = page.locator("#measure-xingchuang_nongke")
    expect(related.locator(".tag")).to_have_text("与“农科驿站”相关")
    expect(related.locator(".amount")).to_contain_text("文件未规定")
    expect(related.locator(".citation")).to_have_text("依据：威政办发〔2018〕32号 二（十二）")
    expect(page.locator("#results")).to_be_focused()  # keyboard and screen reader users land on the answer
    related.locator("summary").click()
    expect(related.locator("details p")).to_contain_text("农科驿站")

    # The URL alone gives the same page (bookmark, share, come back)
    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    assert other.locator(".measure-card h3").all_text_contents() == titles
    other.close()

    # Print: the answer, not the form or the buttons
    page.emulate_media(media="print")
    expect(page.locator("form.profile")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(cards.first).to_be_visible()
    page.emulate_media(media="screen")


def test_ask_the_bot_opens_the_widget_with_the_profile_already_said(page: Any, stack: Stack) -> None:
    page.goto(f"{stack.url}/calculator?applicant=farmer&district=rongcheng")
    page.get_by_role("button", name="问政策助手").click()
    chat = page.frame_locator("#weihai-policy-widget-panel iframe")
    expect(chat.locator(".Message.right .Bubble").last).to_have_text(PROFILE)
    expect(chat.locator(".Message.left .Bubble").last).to_contain_text("依据：威政办发〔2018〕32号")
    expect(chat.locator(".Message.left .Bubble").last).to_contain_text("荣成市的农民、合作社和村集体")


def test_elder_mode_is_one_remembered_switch_with_large_text_and_targets(page: Any, stack: Stack) -> None:
    page.goto(f"{stack.url}/calculator?applicant=enterprise&district=huancui&approved=50%E4%B8%87")
    switch = page.get_by_role("switch", name="长辈模式")
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(page.locator("#measure-rd_subsidy .shares li")).to_have_text(
        ["省级 50%：25万元", "市级 25%：12.5万元", "县级 25%：12.5万元"]
    )
    _screenshot(page, "calculator.png")  # the results have the focus: the R&D card, split for 环翠区
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    page.reload()
    expect(page.get_by_role("switch", name="长辈模式")).to_have_attribute("aria-checked", "true")  # remembered
    sizes = page.evaluate(
        "[...document.querySelectorAll('main p, main li, main dd, main dt, main label, main h3')]"
        ".filter(el => el.offsetParent && el.textContent.trim()).map(el => parseFloat(getComputedStyle(el).fontSize))"
    )
    assert min(sizes) >= 20, min(sizes)
    targets = page.evaluate(
        "[...document.querySelectorAll('button, select, input, summary, a.secondary')]"
        ".filter(el => el.offsetParent).map(el => { const r = el.getBoundingClientRect();"
        " return [el.textContent.trim() || el.id, r.width, r.height]; })"
    )
    assert [t for t in targets if t[1] < 44 or t[2] < 44] == []
    _screenshot(page, "calculator-elder.png")
    page.get_by_role("switch", name="长辈模式").click()
    page.reload()
    expect(page.get_by_role("switch", name="长辈模式")).to_have_attribute("aria-checked", "false")


def test_read_aloud_is_offered_only_with_a_chinese_voice(browser: Any, stack: Stack) -> None:  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    spoken: list[str] = []
    try:
        page = context.new_page()
        page.goto(f"{stack.url}/calculator?applicant=farmer")
        has_voice = page.evaluate("speechSynthesis.getVoices().some(v => /^zh/i.test(v.lang))")
        if not has_voice:  # this Chromium has no speech voices: the button is not offered
            expect(page.locator("button.speak").first).to_be_hidden()
        # A browser with a zh-CN voice: a stand-in speechSynthesis records what would be read.
        context.add_init_script(
            """
            window.__spoken = [];
            window.SpeechSynthesisUtterance = function (text) { this.text = text; };
            const voice = {lang: 'zh-CN', name: '中文', default: true, localService: true, voiceURI: 'zh'};
            Object.defineProperty(window, 'speechSynthesis', {value: {
              getVoices: () => [voice],
              speak: (u) => { window.__spoken.push(u.text); setTimeout(() => u.onend && u.onend(), 10); },
              cancel: () => {}, addEventListener: () => {}, onvoiceschanged: null}});
            """
        )
        page.reload()
        button = page.locator("#measure-xingchuang_nongke").get_by_role("button", name="朗读")
        expect(button).to_be_visible()
        button.click()
        page.wait_for_function("() => window.__spoken.length > 0")
        spoken = page.evaluate("window.__spoken")
    finally:
        context.close()
    assert (
        spoken
        and spoken[0].startswith("星创天地和农科驿站奖补")
        and "依据：威政办发〔2018〕32号 二（十二）" in spoken[0]
    )


def test_no_horizontal_scroll_at_320_px(browser: Any, stack: Stack) -> None:  # noqa: F811
    for elder in (False, True):
        context = browser.new_context(viewport={"width": 320, "height": 640}, locale="zh-CN")
        try:
            page = context.new_page()
            if elder:
                page.add_init_script("localStorage.setItem('weihai-policy-elder', '1')")
            page.goto(f"{stack.url}/calculator?applicant=enterprise&district=rongcheng&approved=50%E4%B8%87")
            expect(page.locator(".measure-card").first).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, elder
        finally:
            context.close()


def test_keyboard_only_from_the_form_to_the_cards_and_the_chat(page: Any, stack: Stack) -> None:
    page.goto(f"{stack.url}/calculator")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到结果")).to_be_focused()  # the first stop skips the form
    page.keyboard.press("Tab")
    expect(page.get_by_role("switch", name="长辈模式")).to_be_focused()
    page.keyboard.press("Tab")
    applicant = page.get_by_label("申请主体类型")
    expect(applicant).to_be_focused()
    page.keyboard.press("ArrowDown")  # the first kind, 企业
    expect(applicant).to_have_value("enterprise")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the third district, 荣成市
    expect(page.get_by_label("所在区市")).to_have_value("rongcheng")
    for _field in ("approved", "fund", "words"):
        page.keyboard.press("Tab")
    expect(page.get_by_label("行业或关键词（选填）")).to_be_focused()
    page.keyboard.press("Enter")  # submits the form from a text field
    expect(page).to_have_url(re.compile(r"applicant=enterprise&district=rongcheng"))
    expect(page.locator("#results")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="问政策助手")).to_be_focused()
    page.keyboard.press("Enter")
    chat = page.frame_locator("#weihai-policy-widget-panel iframe")
    expect(chat.locator(".Message.right .Bubble").last).to_have_text("我们是荣成市的企业，有什么政策")
    expect(chat.locator(".Composer-input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#weihai-policy-widget-panel")).to_be_hidden()
    expect(page.locator("#weihai-policy-widget-launcher")).to_be_focused()
