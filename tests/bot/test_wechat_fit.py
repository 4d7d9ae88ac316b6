"""Fitting the bot's replies into one WeChat text message (bot.wechat.fit)."""

from __future__ import annotations

import re

from bot.wechat.fit import TEXT_LIMIT_BYTES, card_summary, fit, plain, split

CITE = "依据：威政办发〔2018〕32号 二（六）"
FIGURES = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:万元|亿元|元|%)")


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_short_reply_is_one_part_with_its_citation_last() -> None:
    fitted = fit([{"text": f"研发补助单个企业最高1000万元。\n{CITE}"}])
    assert fitted.parts == (f"研发补助单个企业最高1000万元。\n{CITE}",) and fitted.options == ()


def test_buttons_become_numbered_options_after_the_citation() -> None:
    fitted = fit(
        [
            {
                "text": f"最高1000万元。\n{CITE}",
                "buttons": [
                    {"title": "申请条件", "payload": "/ask_conditions"},
                    {"title": "转人工", "payload": "/handoff"},
                ],
            }
        ]
    )
    assert fitted.parts == (f"最高1000万元。\n{CITE}\n回复 1：申请条件\n回复 2：转人工",)
    assert fitted.options == (("申请条件", "/ask_conditions"), ("转人工", "/handoff"))


def test_card_is_dropped_when_text_carries_the_answer_and_summarised_when_alone() -> None:
    card = {
        "type": "policy_card",
        "title": "研发费用补助",
        "support": "研发投入补助",
        "who": "企业",
        "amount": "最高1000万元",
        "lead_units": ["市科技局", "市财政局"],
        "citation": CITE,
    }
    assert fit([{"text": f"最高1000万元。\n{CITE}"}, {"custom": card}]).parts == (f"最高1000万元。\n{CITE}",)
    [alone] = fit([{"custom": card}]).parts
    assert alone.splitlines() == [
        "研发费用补助",
        "支持内容：研发投入补助",
        "申请主体：企业",
        "金额：最高1000万元",
        "牵头单位：市科技局、市财政局",
        CITE,
    ]
    assert card_summary({"type": "policy_card", "title": "x"}) == "x"


def test_markup_becomes_plain_text() -> None:
    assert (
        plain("**最高**1000万元，详见[官网](https://kjj.weihai.gov.cn)<br>")
        == "最高1000万元，详见官网（https://kjj.weihai.gov.cn）"
    )
    assert plain("# 标题\n- 一项\n* 两项") == "标题\n· 一项\n· 两项"


def test_long_reply_is_split_under_the_limit_keeping_citation_and_figures() -> None:
    lines = [f"第{i}项措施：单个项目最高{i * 10}万元，县级分担50% {i * 5}万元。" for i in range(1, 80)]
    fitted = fit([{"text": "\n".join([*lines, CITE]), "buttons": [{"title": "转人工", "payload": "/handoff"}]}])
    assert len(fitted.parts) > 1
    for number, part in enumerate(fitted.parts):
        assert size(part) <= TEXT_LIMIT_BYTES
        body = part.splitlines()
        assert CITE in body  # every part carries its source
        assert ("内容较长，回复 0 查看后续内容" in body) == (number < len(fitted.parts) - 1)
        assert "回复 1：转人工" in body
    # Nothing lost, nothing repeated, every line whole.
    sent = [line for part in fitted.parts for line in part.splitlines() if line.startswith("第")]
    assert sent == lines


def test_one_long_line_is_cut_at_sentence_ends_never_inside_a_figure() -> None:
    sentence = "按荣成市的比例分担：省级50% 1234.5万元，市级不分担，县级50% 1234.5万元。"
    text = sentence * 60
    pieces = split(text, 300)
    assert "".join(pieces) == text
    assert all(size(piece) <= 300 and piece.endswith("。") for piece in pieces)


def test_hard_cut_without_punctuation_keeps_figures_whole() -> None:
    text = "金额" + "最高12345678万元再加" * 100
    pieces = split(text, 100)
    assert "".join(pieces) == text and all(size(piece) <= 100 for piece in pieces)
    assert [f for piece in pieces for f in FIGURES.findall(piece)] == FIGURES.findall(text)


def test_nothing_to_say() -> None:
    assert fit([]).parts == ()
    assert fit([{"text": "  "}]).parts == ()


def test_what_the_text_leaves_to_the_card_comes_from_the_card() -> None:
    text = f"牵头单位：市发展改革委、市经济和信息化委、市科技局等部门（全部牵头单位见卡片）。\n{CITE}"
    card = {
        "type": "policy_card",
        "title": "研发费用补助",
        "citation": CITE,
        "lead_units": ["市发展改革委", "市经济和信息化委", "市科技局", "市财政局"],
    }
    [part] = fit([{"text": text}, {"custom": card}]).parts
    assert "卡片" not in part
    assert part.splitlines() == [
        "牵头单位：市发展改革委、市经济和信息化委、市科技局等部门（全部牵头单位见下）。",
        "牵头单位：市发展改革委、市经济和信息化委、市科技局、市财政局",
        CITE,
    ]
