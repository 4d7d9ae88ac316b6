"""The cleaner: one comparable form of the text, personal numbers never passed on."""

from __future__ import annotations

import pytest

from app_store.privacy import mask
from policy_answers.clean import clean


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("農科驛站政府給錢嗎？", "农科驿站政府给钱吗？"),
        ("研發補助最多多少錢", "研发补助最多多少钱"),
        ("我身份证号370602198801011234，电话13812345678，想问研发补助", "想问研发补助"),
        ("研发补助，座机0631-5201234", "研发补助，座机【电话】"),
        ("问下 zhang.san@example.com 研发补助", "问下 【邮箱】 研发补助"),
        ("<img src=x onerror=alert(1)>研发补助", "研发补助"),
        ("<script>alert(1)</script>创新券", "创新券"),
        ("&lt;b&gt;创新券&lt;/b&gt;", "创新券"),
        ("**研发补助** [点这里](http://a.cn/x) 多少", "研发补助 点这里 多少"),
        ("研发补助😀多少👋", "研发补助 多少"),
        ("ｈｉ，研发补助５００万", "研发补助500万"),
        ("ＡＢＣ研发补助", "ABC研发补助"),
        ("创新型县（市）奖励多少？", "创新型县（市）奖励多少？"),  # the Chinese punctuation the KB's names use stays
        ("R&amp;D subsidy 多少", "R&D subsidy 多少"),
        # pleasantries around a question go; alone, they stay what they are
        ("你好，研发补助多少", "研发补助多少"),
        ("hi，在高区。", "在高区。"),
        ("high-tech zone 奖补", "high-tech zone 奖补"),
        ("创新型乡镇是不是奖50万？，谢谢", "创新型乡镇是不是奖50万？"),
        ("谢谢，顺便问一下，特派员奖励多少", "特派员奖励多少"),
        ("嗯，那个，就是我们还不是高企", "我们还不是高企"),
        ("我电话13812345678，研发补助怎么申请", "研发补助怎么申请"),
        ("你好", "你好"),
        ("你好，谢谢", "谢谢"),
        ("谢谢啊", "谢谢啊"),
        ("我的电话是13812345678", "我的电话是【电话】"),
    ],
)
def test_clean(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


@pytest.mark.parametrize("raw", ["農科驛站政府給錢嗎？", "电话13812345678", "<b>研发</b> 😀", "ｈｉ，ＡＢＣ"])
def test_clean_is_idempotent(raw: str) -> None:
    assert clean(clean(raw)) == clean(raw)


def test_money_is_not_taken_for_a_phone_number() -> None:
    assert clean("批了1000万，县里出多少") == "批了1000万，县里出多少"


@pytest.mark.parametrize(
    "raw",
    [
        "我电话13812345678，研发补助最多多少",
        "身份证370602198801011234想问研发补助",
        "卡号 6222 0212 3456 7890 123",
        "邮箱zhang.san@example.com",
        "座机(0631)5201234",
        "+86 138 0013 8000 创新券",
    ],
)
def test_masked_text_cleans_like_the_original(raw: str) -> None:
    # The gateway sends Rasa masked text ('138****5678'): the NLU must see the same placeholders.
    assert clean(mask(raw)) == clean(raw)
