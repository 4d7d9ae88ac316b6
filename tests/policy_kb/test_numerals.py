"""Chinese numerals as people and the document write them (policy_kb.figures.chinese_to_int, via cn2an)."""

from __future__ import annotations

import pytest

from policy_kb.figures import chinese_to_int, parse_money


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10),
        ("三十五", 35),
        ("两百", 200),
        ("一千五百", 1500),
        ("一百零五", 105),
        ("壹仟", 1000),
        ("一亿两千万", 120_000_000),
        ("两亿", 200_000_000),
        ("一千五", 1500),
        ("二〇一八", 2018),
        ("零", 0),
        # a numeral that starts with its unit is one of it: '千人规模' is a thousand people
        ("千", 1000),
        ("百万", 1_000_000),
    ],
)
def test_a_numeral_is_read(text: str, value: int) -> None:
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("text", ["", "十三五", "五五十", "研发", "100"])
def test_what_is_no_numeral_is_none(text: str) -> None:
    # 十三五 is the 13th five-year plan, not a number
    assert chinese_to_int(text) is None


def test_money_in_chinese_numerals() -> None:
    assert parse_money("最高补助两百万元") == 2_000_000
    assert parse_money("一次性奖励壹拾万元") == 100_000
