"""Every sum the knowledge base states is the document's sum, and is rendered as the document writes
it; the figure parser reads amounts as people type them."""

from __future__ import annotations

import pytest

from policy_kb.figures import format_yuan, parse_money
from policy_kb.query import KnowledgeBase
from policy_kb.schema import AmountKind

# From the official text (威政办发〔2018〕32号), read by hand:
#   二（二）  最高不超过 500 万元                      -> fund_allocation, a cap
#   二（三）  市级给予 500 万元奖励 / 100 万元奖励       -> innovative_county_award, innovative_township_award
#   二（六）  单个企业最高 1000 万元补助                 -> rd_subsidy, a cap
#   二（十二）择优给予不低于 10 万元的研发支持           -> tech_commissioner, a floor
EXPECTED_AMOUNTS = {
    "fund_allocation": (AmountKind.max, 5_000_000, "最高500万元"),
    "innovative_county_award": (AmountKind.fixed, 5_000_000, "500万元"),
    "innovative_township_award": (AmountKind.fixed, 1_000_000, "100万元"),
    "rd_subsidy": (AmountKind.max, 10_000_000, "最高1000万元"),
    "tech_commissioner": (AmountKind.min, 100_000, "不低于10万元"),
}


def test_exactly_these_measures_state_a_sum(kb: KnowledgeBase):
    sums = (AmountKind.fixed, AmountKind.max, AmountKind.min)
    with_sum = {m.id for m in kb.measures if m.amount.kind in sums}
    assert with_sum == set(EXPECTED_AMOUNTS)


@pytest.mark.parametrize(
    ("measure_id", "kind", "yuan", "rendered"),
    [(k, *v) for k, v in EXPECTED_AMOUNTS.items()],
    ids=list(EXPECTED_AMOUNTS),
)
def test_sum_is_the_documents(kb: KnowledgeBase, measure_id: str, kind: AmountKind, yuan: int, rendered: str):
    measure = kb.measure(measure_id)
    assert measure.amount.kind is kind
    assert measure.amount.value_yuan == yuan
    assert parse_money(measure.amount.quote) == yuan
    assert measure.amount.quote.replace(" ", "") in kb.clause(measure.clause).text.replace(" ", "")
    text = kb.amount_text(measure)
    assert rendered in text
    assert text.startswith(measure.amount.per)


@pytest.mark.parametrize(
    "measure_id",
    [
        "innovation_park_award",
        "hightech_park_award",
        "talent_support",
        "tech_transfer_institution",
        "xingchuang_nongke",
        "innovation_voucher",
        "tech_insurance",
    ],
)
def test_measures_without_a_sum_say_what_the_document_says(kb: KnowledgeBase, measure_id: str):
    """No invented figure: the answer is the document's own wording (一事一议, 择优给予奖补 …)."""
    measure = kb.measure(measure_id)
    assert measure.amount.value_yuan is None
    text = kb.amount_text(measure)
    assert text == measure.amount.quote
    assert parse_money(text) is None


def test_every_measure_and_target_cites_its_clause(kb: KnowledgeBase):
    clause_ids = {c.id for c in kb.data.clauses}
    for measure in kb.measures:
        assert measure.clause in clause_ids
        assert kb.citation(measure.clause) == f"依据：威政办发〔2018〕32号 {measure.clause}"
    for target in kb.targets:
        assert target.clause in clause_ids


@pytest.mark.parametrize(
    ("target_id", "value", "unit"),
    [
        ("tech_trade", 3_500_000_000, "元"),
        ("provincial_platforms", 330, "个"),
        ("national_platforms", 30, "个"),
        ("incubators", 50, "家"),
        ("agri_hightech_enterprises", 50, "家"),
        ("transfer_service_institutions", 100, "家"),
        ("tech_brokers", 1000, "名"),
        ("commissioners", 1000, "名"),
        ("tech_progress_contribution", 1.5, "个百分点"),
        ("rd_intensity", 0.1, "个百分点"),
        ("hightech_output_share", 1, "个百分点"),
    ],
)
def test_targets_are_the_documents(kb: KnowledgeBase, target_id: str, value: float, unit: str):
    target = kb.target(target_id)
    assert target.value == value
    assert target.unit == unit
    assert target.year == 2020


def test_range_target(kb: KnowledgeBase):
    target = kb.target("national_innovative_counties")
    assert (target.value_min, target.value_max) == (1, 2)


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("200万", 2_000_000),
        ("两百万元", 2_000_000),
        ("1.5亿", 150_000_000),
        ("一千五百万", 15_000_000),
        ("五十万", 500_000),
        ("3000元", 3_000),
        ("10万块", 100_000),
        ("最高 1000 万元补助", 10_000_000),
        ("不低于 10 万元", 100_000),
        ("35 亿元", 3_500_000_000),
        ("二百五十万", 2_500_000),
        ("十万元", 100_000),
        ("5千元", 5_000),
        ("12.5万元", 125_000),
        ("一亿两千万", 120_000_000),
        ("我们今年研发投入了三百万，能补多少", 3_000_000),
    ],
)
def test_parse_money(text: str, yuan: int):
    assert parse_money(text) == yuan


@pytest.mark.parametrize(
    "text", ["研发补助怎么申请", "2020年", "330个", "1000名经纪人", "千人规模", "万众创新", "", "一事一议"]
)
def test_parse_money_is_none_without_an_amount(text: str):
    assert parse_money(text) is None


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (10_000_000, "1000万元"),
        (5_000_000, "500万元"),
        (2_500_000, "250万元"),
        (1_000_000, "100万元"),
        (100_000, "10万元"),
        (125_000, "12.5万元"),
        (3_000, "3000元"),
        (0, "0元"),
        (150_000_000, "1.5亿元"),
        (3_500_000_000, "35亿元"),
    ],
)
def test_format_yuan(yuan: int, text: str):
    assert format_yuan(yuan) == text


@pytest.mark.parametrize("yuan", [2_000_000, 150_000_000, 15_000_000, 100_000, 3_000, 125_000, 3_500_000_000])
def test_format_then_parse_round_trips(yuan: int):
    assert parse_money(format_yuan(yuan)) == yuan
