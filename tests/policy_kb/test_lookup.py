"""Finding measures, districts and applicant types in what people type: names, aliases, one-character
typos and colloquial sentences; and not finding a measure where none is meant."""

from __future__ import annotations

import pytest

from policy_kb.query import KnowledgeBase

# what a caller types -> the measure meant
MEASURE_PHRASINGS = [
    # typos (one wrong, missing or extra character; IME homophones)
    ("创新卷", "innovation_voucher"),
    ("科技创新卷", "innovation_voucher"),
    ("创新劵怎么领", "innovation_voucher"),
    ("创薪券", "innovation_voucher"),
    ("特派圆", "tech_commissioner"),
    ("特派猿", "tech_commissioner"),
    ("科技特派圆有补助吗", "tech_commissioner"),
    ("研发补住", "rd_subsidy"),
    ("研发补组怎么申请", "rd_subsidy"),
    ("农科驿占", "xingchuang_nongke"),
    ("农科译站", "xingchuang_nongke"),
    ("星创天第", "xingchuang_nongke"),
    ("创新性乡镇", "innovative_township_award"),
    # colloquial sentences
    ("俺们村想办个农科驿站，政府给钱不？", "xingchuang_nongke"),
    ("村里想建个星创天地", "xingchuang_nongke"),
    ("我们公司想申请研发补贴", "rd_subsidy"),
    ("研发费用补助最多给多少", "rd_subsidy"),
    ("荣成的企业研发补助怎么分担", "rd_subsidy"),
    ("我是大学老师，想当科技特派员", "tech_commissioner"),
    ("科技特派员一年给多少钱", "tech_commissioner"),
    ("科创券", "innovation_voucher"),
    ("我们镇被评上国家创新型乡镇了", "innovative_township_award"),
    ("我们区评上国家创新型县（市）了，奖多少", "innovative_county_award"),
    ("创新型区市是个啥", "innovative_county_award"),
    ("大学科技园有奖补吗", "innovation_park_award"),
    ("获批省级农业科技园区有啥奖励", "hightech_park_award"),
    ("企业参与制定行业标准有支持吗", "standards_support"),
    ("海参养殖技术攻关", "agri_key_tech"),
    ("科技保险有保费补贴吗", "tech_insurance"),
    ("想引进高校来建分校", "tech_transfer_institution"),
    ("技术经纪人怎么培训", "tech_market_services"),
    ("办创新创业大赛能补助吗", "innovation_events"),
    ("科技支行贷款", "tech_bank"),
    ("人才补贴怎么申请", "talent_support"),
    ("县里科技专项资金", "fund_allocation"),
    ("新旧动能转换基金怎么投", "tech_funds"),
    ("每年开几次会商会议", "consultation_meeting"),
]

# sentences that name no measure, or name something the document calls otherwise
NOT_A_MEASURE = [
    "今天天气怎么样",
    "你好",
    "谢谢",
    "我想开个饭店",
    "我们公司在荣成",
    "我们是创新型企业",
    "我们是高新技术企业",
    "威海是国家创新型城市吗",
    "创新型城市建设",
    "找科技局行吗",
    "这个政策什么时候出台的",
]


@pytest.mark.parametrize(("text", "measure_id"), MEASURE_PHRASINGS, ids=[p[0] for p in MEASURE_PHRASINGS])
def test_find_measure(kb: KnowledgeBase, text: str, measure_id: str):
    found = kb.find_measure(text)
    assert found is not None, f"{text!r} found nothing"
    assert found.id == measure_id


def test_there_are_enough_phrasings():
    assert len(MEASURE_PHRASINGS) >= 25
    assert len({m for _, m in MEASURE_PHRASINGS}) >= 15


@pytest.mark.parametrize("text", NOT_A_MEASURE)
def test_no_measure(kb: KnowledgeBase, text: str):
    found = kb.find_measure(text)
    assert found is None, f"{text!r} -> {found.id}"


def test_innovative_enterprise_is_not_the_county_award(kb: KnowledgeBase):
    for text in ["我们是创新型企业", "创新型企业有什么支持", "创新型企业"]:
        found = kb.find_measure(text)
        assert found is None or found.id != "innovative_county_award", text


def test_every_name_and_alias_finds_its_own_measure(kb: KnowledgeBase):
    for measure in kb.measures:
        for alias in [measure.name, *measure.aliases]:
            assert kb.find_measure(alias).id == measure.id, alias


def test_exact_beats_typo_and_both_measures_are_found(kb: KnowledgeBase):
    hits = kb.find_measures("研发补助和创新券有什么区别")
    assert [h.key for h in hits] == ["rd_subsidy", "innovation_voucher"]
    assert not any(h.fuzzy for h in hits)
    typo = kb.find_measures("特派圆")[0]
    assert typo.fuzzy and typo.term == "特派员" and typo.text == "特派圆"


def test_terms_are_found_in_a_long_message(kb: KnowledgeBase):
    """Long messages are matched by the same rules (the index tries only lengths a term can have)."""
    padding = "我们公司去年营收不错，想了解一下政策，" * 15
    hits = kb.find_measures(padding + "特派圆和研发补助有什么区别")
    assert [(h.key, h.fuzzy) for h in hits] == [("tech_commissioner", True), ("rd_subsidy", False)]
    assert hits[0].start == len(padding) and hits[1].end == len(padding) + 8
    assert kb.find_measures("科技保险")[0].end == 4  # a hit never runs past the text


def test_fuzzy_can_be_switched_off(kb: KnowledgeBase):
    assert kb.find_measures("特派圆", fuzzy=False) == []


DISTRICT_PHRASINGS = [
    ("高区", "gaoqu"),
    ("威海高区", "gaoqu"),
    ("火炬高新区", "gaoqu"),
    ("我们公司在高区", "gaoqu"),
    ("经区", "jingqu"),
    ("经开区", "jingqu"),
    ("经区的企业能申请吗", "jingqu"),
    ("临港区", "lingang"),
    ("临港", "lingang"),
    ("综保区", "zongbao"),
    ("综合保税区", "zongbao"),
    ("保税区", "zongbao"),
    ("南海新区", "nanhai"),
    ("南海", "nanhai"),
    ("荣成", "rongcheng"),
    ("荣成市", "rongcheng"),
    ("我在荣成市", "rongcheng"),
    ("环翠", "huancui"),
    ("环翠区", "huancui"),
    ("文登", "wendeng"),
    ("文登区的企业", "wendeng"),
    ("乳山", "rushan"),
    ("乳山市", "rushan"),
]


@pytest.mark.parametrize(("text", "district_id"), DISTRICT_PHRASINGS, ids=[p[0] for p in DISTRICT_PHRASINGS])
def test_find_district(kb: KnowledgeBase, text: str, district_id: str):
    found = kb.find_district(text)
    assert found is not None and found.id == district_id


def test_every_district_alias(kb: KnowledgeBase):
    for district in kb.districts:
        for alias in [district.name, *district.aliases]:
            assert kb.find_district(alias).id == district.id, alias


@pytest.mark.parametrize("text", ["威海", "今天天气怎么样", "研发补助"])
def test_no_district(kb: KnowledgeBase, text: str):
    assert kb.find_district(text) is None


APPLICANT_PHRASINGS = [
    ("我们是高新技术企业", "high_tech_enterprise"),
    ("我们是高企", "high_tech_enterprise"),
    ("我们公司", "enterprise"),
    ("我们是一家科技型企业", "enterprise"),
    ("我是农民", "farmer"),
    ("合作社", "farmer"),
    ("养殖户", "farmer"),
    ("俺们村", "farmer"),
    ("我是大学老师", "research_institution"),
    ("研究所", "research_institution"),
    ("孵化器", "service_institution"),
    ("众创空间", "service_institution"),
    ("科研人员", "individual"),
    ("高校毕业生", "individual"),
    ("镇政府", "township"),
    ("区政府", "district_government"),
    ("管委会", "district_government"),
]


@pytest.mark.parametrize(("text", "type_id"), APPLICANT_PHRASINGS, ids=[p[0] for p in APPLICANT_PHRASINGS])
def test_find_applicant_type(kb: KnowledgeBase, text: str, type_id: str):
    assert kb.find_applicant_type(text) == type_id


def test_every_applicant_alias(kb: KnowledgeBase):
    for applicant in kb.data.applicant_types:
        for alias in [applicant.name, *applicant.aliases]:
            found = kb.find_applicant_type(alias)
            # an alias may contain a more specific one ('高新技术企业' contains '企业'), never a foreign one
            assert (
                found == applicant.id
                or kb.applicant_covers(applicant.id, found)
                or kb.applicant_covers(found, applicant.id)
            ), (alias, found)


@pytest.mark.parametrize("text", ["今天天气怎么样", "研发补助怎么申请"])
def test_no_applicant_type(kb: KnowledgeBase, text: str):
    assert kb.find_applicant_type(text) is None


def test_warm_loads_the_segmenter_and_every_index() -> None:
    """After warm() no user's turn pays for jieba's dictionary or an index build."""
    import jieba

    from policy_kb.query import load_kb

    kb = load_kb()
    kb.warm()
    assert jieba.dt.initialized
    for name in (
        "_measure_terms",
        "_district_terms",
        "_applicant_terms",
        "_unit_terms",
        "_target_terms",
        "_clause_titles",
        "_search_index",
    ):
        assert name in kb.__dict__, name  # cached_property values live in the instance's dict
