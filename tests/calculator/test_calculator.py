"""The calculator in process: policy_answers.calculator on the real knowledge base, and the gateway's
/calculator and /api/calculator (the stand-in Rasa is never called)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from policy_answers.calculator import (
    COUNTY_FUND,
    NOT_STATED,
    CalculatorInputError,
    CalculatorQuery,
    calculate,
    chat_message,
    profile_measures,
    read_query,
    read_yuan,
)
from policy_answers.engine import calculator as bot_calculator
from policy_kb.figures import find_money, format_yuan
from policy_kb.query import KnowledgeBase


def test_the_bot_and_the_page_list_the_same_measures_for_every_profile(kb: KnowledgeBase) -> None:
    for applicant in kb.data.applicant_types:
        for district in [None, *(d.id for d in kb.districts)]:
            answer = bot_calculator(kb, applicant.id, district)
            page = calculate(kb, CalculatorQuery(applicant.id, district))
            ids = [m["measure"] for m in page["measures"]]
            assert list(answer.measures) == ids == [v.measure.id for v in profile_measures(kb, applicant.id, district)]
            assert answer.replies[0].custom == {
                "type": "calculator_list",
                "applicant": applicant.id,
                "district": district,
                "measures": ids,
            }


def test_money_first_and_every_card_cites_its_clause(kb: KnowledgeBase) -> None:
    result = calculate(kb, CalculatorQuery("enterprise", "rongcheng"))
    money = [m["has_money"] for m in result["measures"]]
    assert money == sorted(money, reverse=True) and money[0]
    assert result["with_money"] == sum(money)
    for card in result["measures"]:
        assert card["citation"] == f"依据：威政办发〔2018〕32号 {card['clause']}"
        assert card["clause_text"] and card["lead_units"] and card["conditions"]
        if not card["has_money"]:
            assert card["amount"] == NOT_STATED and card["amount_quote"]


def test_every_figure_on_a_card_is_the_documents_or_the_users(kb: KnowledgeBase) -> None:
    document = "".join(c.text for c in kb.data.clauses) + "".join(m.quote + m.amount.quote for m in kb.measures)
    stated = {yuan for _surface, yuan in find_money(document.replace(" ", ""))}
    approved, fund = 500_000, 20_000_000
    for applicant in kb.data.applicant_types:
        result = calculate(kb, CalculatorQuery(applicant.id, "rongcheng", approved, fund))
        for card in result["measures"]:
            shown = f"{card['amount']} {card['split']} {card['allocation']} {card['shares']}"
            for _surface, yuan in find_money(shown):
                # the KB's figures, the user's, arithmetic on the user's (shares of it, 20% of the fund), 市级 0元
                assert yuan in stated or yuan in (0, approved, fund, approved // 2, fund // 5), (card["measure"], yuan)


def test_an_approved_subsidy_is_split_by_the_districts_shares(kb: KnowledgeBase) -> None:
    rongcheng = _card(calculate(kb, CalculatorQuery("enterprise", "rongcheng", approved_yuan=500_000)), "rd_subsidy")
    assert [(s["level"], s["percent"], s["amount"]) for s in rongcheng["shares"]] == [
        ("省级", 50, "25万元"),
        ("市级", 0, "0元"),
        ("县级", 50, "25万元"),
    ]
    huancui = _card(calculate(kb, CalculatorQuery("enterprise", "huancui", approved_yuan=500_000)), "rd_subsidy")
    assert [s["amount"] for s in huancui["shares"]] == ["25万元", "12.5万元", "12.5万元"]
    over = _card(calculate(kb, CalculatorQuery("enterprise", "huancui", approved_yuan=30_000_000)), "rd_subsidy")
    assert over["split"]["over_cap"] and over["split"]["basis"] == "1000万元"


def test_a_county_fund_gives_the_allocation_at_20_percent_and_the_cap(kb: KnowledgeBase) -> None:
    assert any(limit.of == COUNTY_FUND for m in kb.measures for limit in m.limits)  # the KB still names it
    small = _card(calculate(kb, CalculatorQuery("district_government", county_fund_yuan=20_000_000)), "fund_allocation")
    assert small["allocation"]["at_most"] == "400万元" and small["allocation"]["percent"] == 20
    large = _card(calculate(kb, CalculatorQuery("district_government", county_fund_yuan=80_000_000)), "fund_allocation")
    assert large["allocation"]["at_most"] == format_yuan(5_000_000)  # the cap, 最高不超过 500 万元


def test_industry_words_mark_the_measures_they_find(kb: KnowledgeBase) -> None:
    result = calculate(kb, CalculatorQuery("farmer", words="农科驿站"))
    assert [m["measure"] for m in result["measures"] if m["related"]] == ["xingchuang_nongke"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "请选择申请主体类型。"),
        ({"applicant": "martians"}, "申请主体类型不在可选范围内，请从列表中选择。"),
        ({"applicant": "farmer", "district": "beijing"}, "所在区市不在可选范围内，请从列表中选择。"),
        ({"applicant": "farmer", "approved": "很多"}, "已获批的补助金额请填写大于0的金额，例如 500000 或 50万。"),
        ({"applicant": "farmer", "fund": "-5"}, f"{COUNTY_FUND}请填写大于0的金额，例如 500000 或 50万。"),
        ({"applicant": "farmer", "words": "养" * 51}, "行业或关键词请不超过50个字。"),
    ],
)
def test_bad_input_is_refused_in_chinese(kb: KnowledgeBase, raw: dict[str, str], message: str) -> None:
    with pytest.raises(CalculatorInputError, match=re.escape(message)):
        read_query(kb, raw)


@pytest.mark.parametrize("typed", ["1e9", "abc12", "12abc", "0", "-5", "负5万", "很多"])
def test_a_sum_is_read_whole_or_refused(typed: str) -> None:
    with pytest.raises(CalculatorInputError, match="请填写大于0的金额"):
        read_yuan(typed, "已获批的补助金额")


def test_amounts_are_read_as_people_write_them() -> None:
    assert [read_yuan(t, "x") for t in ("500000", "500,000", "五十万", "５０万元", "1.5亿", "", None)] == [
        500_000,
        500_000,
        500_000,
        500_000,
        150_000_000,
        None,
        None,
    ]


def test_the_chat_message_names_the_profile_as_a_user_would(kb: KnowledgeBase) -> None:
    assert chat_message(kb, CalculatorQuery("individual", "rongcheng")) == "我们是荣成市的个人，有什么政策"
    assert chat_message(kb, CalculatorQuery("farmer")) == "我们是农民、合作社和村集体，有什么政策"


async def test_the_page_and_the_api(make_staff_gateway: Callable[..., Any]) -> None:
    client = await make_staff_gateway()
    empty = await client.get("/calculator")
    assert empty.status == 200 and "政策计算器" in await empty.text()
    assert "default-src 'self'" in empty.headers["Content-Security-Policy"]

    query = {"applicant": "farmer", "district": "rongcheng"}
    listed = await (await client.get("/api/calculator", params=query)).json()
    page = await client.get("/calculator", params={**query, "approved": "50万"})
    html = await page.text()
    assert page.status == 200 and listed["count"] > 0
    assert html.count('class="measure-card') == listed["count"]
    assert (
        "依据：威政办发〔2018〕32号" in html and 'data-message="我们是荣成市的农民、合作社和村集体，有什么政策"' in html
    )

    markup = "<script>alert(1)</script>"
    bad = await client.get("/calculator", params={"applicant": "farmer", "words": markup, "approved": "x"})
    text = await bad.text()
    assert bad.status == 400 and 'role="alert"' in text and markup not in text

    api = await client.get("/api/calculator", params={"applicant": "nobody"})
    assert api.status == 400 and (await api.json()) == {"error": "申请主体类型不在可选范围内，请从列表中选择。"}


def _card(result: dict[str, Any], measure: str) -> dict[str, Any]:
    return next(card for card in result["measures"] if card["measure"] == measure)


async def test_the_page_names_the_configured_hotline_and_the_kbs_document(
    make_staff_gateway: Callable[..., Any],
) -> None:
    client = await make_staff_gateway(hotline="0631-5288000")
    html = await (await client.get("/calculator")).text()
    assert "拨打0631-5288000" in html and "12345" not in html
    assert "《关于加快县域创新驱动发展的实施意见》（威政办发〔2018〕32号）" in html
