"""Eligibility verdicts (met / not met / unknown, with what to ask) and the policy calculator."""

from __future__ import annotations

import pytest

from policy_kb.query import KnowledgeBase, Profile, Status

APPLICANT_TYPES = [
    "enterprise",
    "high_tech_enterprise",
    "farmer",
    "research_institution",
    "service_institution",
    "individual",
    "township",
    "district_government",
]


def _applicant(verdict):
    return verdict.conditions[0]


def test_high_tech_enterprise_for_rd_subsidy_is_unknown_because_the_document_is_silent(kb: KnowledgeBase):
    verdict = kb.verdict("rd_subsidy", Profile(applicant_type="high_tech_enterprise"))
    assert _applicant(verdict).status is Status.met  # a high-tech enterprise is an enterprise
    conditions = verdict.conditions[1:]
    assert conditions and all(c.status is Status.unknown for c in conditions)
    # 符合条件的: the document lists no conditions, so the bot sends the user to the lead units
    assert "市科技局" in conditions[0].ask and "市财政局" in conditions[0].ask
    assert verdict.status is Status.unknown


def test_farmer_for_rd_subsidy_is_not_met(kb: KnowledgeBase):
    verdict = kb.verdict("rd_subsidy", Profile(applicant_type="farmer"))
    assert _applicant(verdict).status is Status.not_met
    assert verdict.status is Status.not_met


@pytest.mark.parametrize(("fact", "status"), [(True, Status.met), (False, Status.not_met)])
def test_township_with_the_national_title(kb: KnowledgeBase, fact: bool, status: Status):
    profile = Profile(applicant_type="township", facts={"national_innovative_township": fact})
    verdict = kb.verdict("innovative_township_award", profile)
    assert verdict.status is status
    assert verdict.of(Status.unknown) == []


def test_township_for_the_county_award_is_not_met(kb: KnowledgeBase):
    profile = Profile(applicant_type="township", facts={"national_innovative_county": True})
    assert kb.verdict("innovative_county_award", profile).status is Status.not_met


def test_district_government_for_the_county_award_without_facts_is_asked(kb: KnowledgeBase):
    verdict = kb.verdict("innovative_county_award", Profile(applicant_type="district_government"))
    assert verdict.status is Status.unknown
    (open_question,) = verdict.of(Status.unknown)
    assert open_question.ask == "贵区市是否已创建为国家创新型县（市）？"
    assert open_question.quote == "对创建为国家创新型县（市）的区市"
    told = Profile(applicant_type="district_government", facts={"national_innovative_county": True})
    assert kb.verdict("innovative_county_award", told).status is Status.met


def test_commissioner_is_unknown_until_told(kb: KnowledgeBase):
    before = kb.verdict("tech_commissioner", Profile(applicant_type="individual"))
    assert before.status is Status.unknown
    asked = {c.ask for c in before.of(Status.unknown)}
    assert "您是否是到县域服务的科技特派员（高校院所科研人员或在校学生）？" in asked

    told = kb.verdict("tech_commissioner", Profile("individual", facts={"is_commissioner": True}))
    is_commissioner = next(c for c in told.conditions if c.label.startswith("科技特派员"))
    assert is_commissioner.status is Status.met
    # 择优 stays with the authority whatever the user says
    assert told.status is Status.unknown
    (pending,) = told.of(Status.unknown)
    assert "择优" in pending.label and pending.ask == "由市科技局认定，请向其咨询"

    denied = kb.verdict("tech_commissioner", Profile("individual", facts={"is_commissioner": False}))
    assert denied.status is Status.not_met


def test_the_user_cannot_declare_an_authoritys_judgement(kb: KnowledgeBase):
    profile = Profile("individual", facts={"is_commissioner": True, "commissioner_effective": True})
    assert kb.verdict("tech_commissioner", profile).status is Status.unknown


def test_service_institution_for_innovation_voucher(kb: KnowledgeBase):
    profile = Profile(applicant_type="service_institution", facts={"public_service_in_county": True})
    assert kb.verdict("innovation_voucher", profile).status is Status.met
    profile = Profile(applicant_type="service_institution", facts={"public_service_in_county": False})
    assert kb.verdict("innovation_voucher", profile).status is Status.not_met
    assert kb.verdict("innovation_voucher", Profile(applicant_type="enterprise")).status is Status.not_met


@pytest.mark.parametrize("applicant_type", APPLICANT_TYPES)
def test_xingchuang_nongke_applicant_is_unknown_because_not_stated(kb: KnowledgeBase, applicant_type: str):
    verdict = kb.verdict("xingchuang_nongke", Profile(applicant_type=applicant_type))
    assert _applicant(verdict).status is Status.unknown
    assert "文件未写明" in _applicant(verdict).label
    assert _applicant(verdict).ask == "由市科技局认定，请向其咨询"
    assert verdict.status is Status.unknown


def test_without_an_applicant_type_the_bot_asks_who_you_are(kb: KnowledgeBase):
    verdict = kb.verdict("rd_subsidy", Profile())
    assert _applicant(verdict).status is Status.unknown
    assert "企业" in _applicant(verdict).ask and "乡镇" in _applicant(verdict).ask


@pytest.mark.parametrize("applicant_type", APPLICANT_TYPES)
def test_measures_for_each_applicant_type(kb: KnowledgeBase, applicant_type: str):
    verdicts = kb.measures_for(Profile(applicant_type=applicant_type))
    assert verdicts
    ids = [v.measure.id for v in verdicts]
    assert len(ids) == len(set(ids))
    for verdict in verdicts:
        measure = verdict.measure
        assert verdict.status is not Status.not_met
        if measure.beneficiaries_stated:
            assert any(kb.applicant_covers(b, applicant_type) for b in measure.beneficiaries), measure.id
    # and nothing is left out that is meant for this type
    meant = {
        m.id
        for m in kb.measures
        if m.beneficiaries_stated and any(kb.applicant_covers(b, applicant_type) for b in m.beneficiaries)
    }
    assert meant <= set(ids)


@pytest.mark.parametrize(
    ("applicant_type", "expected", "excluded"),
    [
        ("enterprise", {"rd_subsidy", "standards_support", "tech_insurance"}, {"innovative_county_award"}),
        ("farmer", {"tech_poverty", "popular_science"}, {"rd_subsidy", "innovative_township_award"}),
        ("township", {"innovative_township_award"}, {"innovative_county_award", "rd_subsidy"}),
        ("district_government", {"innovative_county_award", "fund_allocation"}, {"innovative_township_award"}),
        ("individual", {"tech_commissioner", "talent_support"}, {"rd_subsidy", "innovation_voucher"}),
        ("service_institution", {"innovation_voucher", "tech_transfer_institution"}, {"rd_subsidy"}),
        ("research_institution", {"innovation_voucher", "tech_transfer_institution"}, {"tech_commissioner"}),
    ],
)
def test_measures_for_examples(kb: KnowledgeBase, applicant_type: str, expected: set[str], excluded: set[str]):
    ids = {v.measure.id for v in kb.measures_for(Profile(applicant_type=applicant_type))}
    assert expected <= ids
    assert not excluded & ids


def test_high_tech_enterprise_gets_every_enterprise_measure(kb: KnowledgeBase):
    enterprise = {v.measure.id for v in kb.measures_for(Profile(applicant_type="enterprise"))}
    high_tech = {v.measure.id for v in kb.measures_for(Profile(applicant_type="high_tech_enterprise"))}
    for_enterprises = {m.id for m in kb.measures if "enterprise" in m.beneficiaries}
    assert for_enterprises <= high_tech
    assert enterprise <= high_tech


def test_measures_with_money_come_first(kb: KnowledgeBase):
    ids = [v.measure.id for v in kb.measures_for(Profile(applicant_type="district_government"))]
    assert ids[0] == "innovative_county_award"  # a fixed 500万 award
    assert ids.index("fund_allocation") < ids.index("hightech_park_award")  # a cap before 一事一议


def test_a_no_drops_the_measure(kb: KnowledgeBase):
    told = Profile(applicant_type="township", facts={"national_innovative_township": False})
    ids = {v.measure.id for v in kb.measures_for(told)}
    assert "innovative_township_award" not in ids


def test_topic_filter(kb: KnowledgeBase):
    verdicts = kb.measures_for(Profile(applicant_type="enterprise", topic="finance"))
    assert {v.measure.id for v in verdicts} == {"tech_bank", "tech_insurance", "tech_funds"}
    assert kb.measures_for(Profile()) == []
