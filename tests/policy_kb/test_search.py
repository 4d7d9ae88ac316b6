"""Keyword search as a hotline agent uses it: a few terse terms, and the clause of the FIRST hit must be
the clause that answers the question."""

from __future__ import annotations

import pytest

from policy_kb.query import KnowledgeBase

# query typed by the agent -> the clause that answers it (威政办发〔2018〕32号)
HOTLINE_QUERIES = [
    ("特派员 奖励", "二（十二）"),
    ("特派圆 补助", "二（十二）"),  # typo
    ("创新型乡镇 奖励", "二（三）"),
    ("乡镇 100万", "二（三）"),
    ("创新型县 500万", "二（三）"),
    ("荣成 研发 分担", "二（六）"),
    ("荣成 分担 比例", "二（六）"),
    ("研发 补助 上限", "二（六）"),
    ("高企 研发 补贴", "二（六）"),
    ("标准 制定", "二（六）"),
    ("技术交易额 目标", "一（三）"),
    ("研发投入 占比", "一（三）"),  # a target, not the R&D subsidy
    ("国家级 创新平台", "一（三）"),  # a target, not 技术创新平台 support
    ("创新型县 目标", "一（三）"),  # 1—2 个区市跻身国家创新型县（市）
    ("孵化器 众创空间", "一（三）"),
    ("科技进步贡献率", "一（三）"),
    ("一事一议 分校", "二（八）"),
    ("县级出资", "二（八）"),
    ("技术经纪人", "二（八）"),
    ("科技保险", "二（十）"),
    ("科技支行 贷款", "二（十）"),
    ("引导基金", "二（十）"),
    ("贝类 藻类", "二（七）"),
    ("产业集群", "二（七）"),
    ("海洋牧场", "二（七）"),
    ("农业 旅游 融合", "二（七）"),
    ("创新券 奖补", "二（十二）"),
    ("创新卷", "二（十二）"),  # typo
    ("星创天地 农科驿站", "二（十二）"),
    ("扶贫 贫困村", "二（十二）"),
    ("县级 20%", "二（二）"),
    ("因素分配法", "二（二）"),
    ("英才计划", "二（五）"),
    ("人才 补助", "二（五）"),
    ("大学科技园", "二（四）"),
    ("获批 国家高新区", "二（四）"),
    ("产业用地", "二（四）"),
    ("开放式 创新基金", "二（九）"),
    ("创新创业大赛 补助", "二（九）"),
    ("国际合作基地", "二（九）"),
    ("科普 大讲堂", "二（十一）"),
    ("污染防治", "二（十三）"),
    ("老龄化", "二（十三）"),
    ("科技顾问", "二（十四）"),
    ("知识产权 先行先试", "二（十四）"),
    ("千里海岸线", "二（一）"),
    ("指导思想", "一（一）"),
    ("基本原则", "一（二）"),
    ("重点倾斜 支持", "三（一）"),
    ("会商会议", "三（二）"),
    ("科技管理 培训班", "三（三）"),
    ("宣传 总结", "三（四）"),
]


@pytest.mark.parametrize(("query", "clause"), HOTLINE_QUERIES, ids=[q for q, _ in HOTLINE_QUERIES])
def test_first_hit_is_the_right_clause(kb: KnowledgeBase, query: str, clause: str):
    hits = kb.search(query)
    assert hits, f"{query!r} found nothing"
    assert hits[0].clause == clause, [(h.kind, h.id, h.clause, h.score) for h in hits]


def test_the_table_is_big_enough():
    assert len(HOTLINE_QUERIES) >= 30
    assert len({clause for _, clause in HOTLINE_QUERIES}) == 21  # every clause is somebody's answer


def test_every_clause_id_in_the_table_exists(kb: KnowledgeBase):
    assert {clause for _, clause in HOTLINE_QUERIES} == {c.id for c in kb.data.clauses}


@pytest.mark.parametrize(
    ("query", "measure_id"),
    [
        ("特派员 奖励", "tech_commissioner"),
        ("荣成 研发 分担", "rd_subsidy"),
        ("创新券 奖补", "innovation_voucher"),
        ("一事一议 分校", "tech_transfer_institution"),
        ("获批 国家高新区", "hightech_park_award"),
    ],
)
def test_a_named_measure_is_the_first_hit_itself(kb: KnowledgeBase, query: str, measure_id: str):
    first = kb.search(query)[0]
    assert (first.kind, first.id) == ("measure", measure_id)
    assert first.title == kb.measure(measure_id).name


def test_hits_are_ordered_and_limited(kb: KnowledgeBase):
    hits = kb.search("科技 补助", limit=7)
    assert 0 < len(hits) <= 7
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_spaces_do_not_matter_for_names(kb: KnowledgeBase):
    assert kb.search("科技 保险")[0].id == kb.search("科技保险")[0].id == "tech_insurance"


@pytest.mark.parametrize("query", ["", "   ", "！？"])
def test_nothing_to_search(kb: KnowledgeBase, query: str):
    assert kb.search(query) == []


@pytest.mark.parametrize(
    "query, clause",
    [
        ("二（十二）", "二（十二）"),
        ("二(12)", "二（十二）"),
        ("第二部分第九条 牵头", "二（九）"),
        ("32号文 二（八）", "二（八）"),
        ("保障措施第二条", "三（二）"),
    ],
)
def test_a_clause_number_in_any_form_lists_that_clause_first(kb: KnowledgeBase, query: str, clause: str):
    first = kb.search(query)[0]
    assert (first.kind, first.id) == ("clause", clause)


@pytest.mark.parametrize(
    "query, measure_id",
    [
        ("研补 封顶", "rd_subsidy"),
        ("驿站 补多少", "xingchuang_nongke"),
        ("科技特拍员 奖励", "tech_commissioner"),
    ],
)
def test_shorthand_and_homophones_find_the_measure(kb: KnowledgeBase, query: str, measure_id: str):
    assert kb.search(query)[0].id == measure_id
