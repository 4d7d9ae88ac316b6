"""The policy calculator: who pays what of an R&D subsidy (省级 50%、市级 25%、县级 25%, 荣成市按 50%),
the 1000万 cap, and caps relative to a figure the user gives (≤ 20% of county funds, ≤ county outlay)."""

from __future__ import annotations

import pytest

from policy_kb.query import KnowledgeBase

WAN = 10_000
DISTRICTS = ["huancui", "wendeng", "rongcheng", "rushan", "gaoqu", "jingqu", "lingang", "zongbao", "nanhai"]


def _yuan(split) -> dict[str, int]:
    return {share.level: share.yuan for share in split.shares}


def test_the_data_has_these_nine_districts(kb: KnowledgeBase):
    assert sorted(d.id for d in kb.districts) == sorted(DISTRICTS)


@pytest.mark.parametrize("district", DISTRICTS)
def test_rd_subsidy_of_200_wan(kb: KnowledgeBase, district: str):
    split = kb.cost_split("rd_subsidy", district, 200 * WAN)
    assert split.district.id == district
    assert split.basis_yuan == split.requested_yuan == 200 * WAN
    assert not split.over_cap
    assert [s.level for s in split.shares] == ["province", "city", "county"]
    if district == "rongcheng":
        assert _yuan(split) == {"province": 100 * WAN, "city": 0, "county": 100 * WAN}
        city = next(s for s in split.shares if s.level == "city")
        assert city.derived and city.percent == 0  # not stated: what is left after 50% + 50%
        assert split.exception_note and "荣成市" in split.exception_note
    else:
        assert _yuan(split) == {"province": 100 * WAN, "city": 50 * WAN, "county": 50 * WAN}
        assert not any(s.derived for s in split.shares)
        assert split.exception_note is None
    assert sum(_yuan(split).values()) == 200 * WAN
    assert "荣成市按 50%" in split.quote


@pytest.mark.parametrize("district", DISTRICTS)
def test_over_the_cap_is_split_at_the_cap(kb: KnowledgeBase, district: str):
    split = kb.cost_split("rd_subsidy", district, 1500 * WAN)
    assert split.over_cap
    assert split.requested_yuan == 1500 * WAN
    assert split.basis_yuan == 1000 * WAN
    assert sum(_yuan(split).values()) == 1000 * WAN


@pytest.mark.parametrize("district", DISTRICTS)
def test_exactly_the_cap_is_not_over_it(kb: KnowledgeBase, district: str):
    split = kb.cost_split("rd_subsidy", district, 1000 * WAN)
    assert not split.over_cap
    assert split.basis_yuan == 1000 * WAN


@pytest.mark.parametrize("district", DISTRICTS)
def test_without_an_amount_the_cap_is_split(kb: KnowledgeBase, district: str):
    split = kb.cost_split("rd_subsidy", district)
    assert not split.over_cap
    assert split.requested_yuan is None
    assert split.basis_yuan == 1000 * WAN
    expected = (
        {"province": 500 * WAN, "city": 0, "county": 500 * WAN}
        if district == "rongcheng"
        else {"province": 500 * WAN, "city": 250 * WAN, "county": 250 * WAN}
    )
    assert _yuan(split) == expected


def test_without_a_district_the_default_shares_apply(kb: KnowledgeBase):
    split = kb.cost_split("rd_subsidy", None, 200 * WAN)
    assert split.district is None
    assert _yuan(split) == {"province": 100 * WAN, "city": 50 * WAN, "county": 50 * WAN}


@pytest.mark.parametrize("district", DISTRICTS)
@pytest.mark.parametrize("amount", [333_333, 1, 2, 3, 7, 999_999, 1_000_001, 2_345_679, 9_999_999])
def test_odd_amounts_split_exactly(kb: KnowledgeBase, district: str, amount: int):
    """Shares are whole yuan and always add up to the amount; none is negative."""
    split = kb.cost_split("rd_subsidy", district, amount)
    yuan = _yuan(split)
    assert sum(yuan.values()) == amount
    assert all(value >= 0 for value in yuan.values())
    for share in split.shares:  # each share is within a yuan of its percentage
        assert abs(yuan[share.level] - amount * share.percent / 100) < 1
    if district == "rongcheng":
        assert yuan["city"] == 0


def test_333333_yuan(kb: KnowledgeBase):
    assert _yuan(kb.cost_split("rd_subsidy", "huancui", 333_333)) == {
        "province": 166_667,
        "city": 83_333,
        "county": 83_333,
    }
    assert _yuan(kb.cost_split("rd_subsidy", "rongcheng", 333_333)) == {
        "province": 166_667,
        "city": 0,
        "county": 166_666,
    }


def test_a_measure_without_shares_has_no_split(kb: KnowledgeBase):
    with pytest.raises(ValueError, match="分担比例"):
        kb.cost_split("innovation_voucher", "huancui", 100 * WAN)


@pytest.mark.parametrize(
    ("measure_id", "user_yuan", "limit_yuan"),
    [
        ("fund_allocation", 3000 * WAN, 500 * WAN),  # 20% is 600万: the 500万 cap wins
        ("fund_allocation", 1000 * WAN, 200 * WAN),  # 20% of 1000万
        ("fund_allocation", 2500 * WAN, 500 * WAN),  # 20% is exactly the cap
        ("fund_allocation", 0, 0),
        ("tech_transfer_institution", 300 * WAN, 300 * WAN),  # not more than the county's own outlay
        ("tech_transfer_institution", 5000 * WAN, 5000 * WAN),  # 一事一议: no absolute cap stated
    ],
)
def test_limits_for(kb: KnowledgeBase, measure_id: str, user_yuan: int, limit_yuan: int):
    (limit,) = kb.limits_for(measure_id, user_yuan)
    assert limit.user_yuan == user_yuan
    assert limit.limit_yuan == limit_yuan
    assert limit.quote.replace(" ", "") in kb.clause(kb.measure(measure_id).clause).text.replace(" ", "")


def test_limits_for_names_what_the_figure_is(kb: KnowledgeBase):
    assert kb.limits_for("fund_allocation", 1000 * WAN)[0].label == "县级财政科技专项资金"
    assert kb.limits_for("tech_transfer_institution", 300 * WAN)[0].label == "县级出资额度"
    assert kb.limits_for("rd_subsidy", 300 * WAN) == []
