from __future__ import annotations

import pytest

from app_store.privacy import mask, pseudonym


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话13800138000，请回电", "我的电话138****8000，请回电"),
        ("手机 138-0013-8000", "手机 138****8000"),
        ("+86 138 0013 8000", "+86 138****8000"),
        ("8613912345678", "86139****5678"),
        ("全角１３８００１３８０００", "全角138****8000"),
        ("座机0631-5201234", "座机0631-*****34"),
        ("座机 010-12345678 转", "座机 010-******78 转"),
        ("(0631)5201234", "(0631)*****34"),
        ("身份证370602199001011234", "身份证370************234"),
        ("身份证37060219900101123X", "身份证370***********123X"),
        ("370602 19900101 123x", "370***********123x"),
        ("老身份证370602900101123", "老身份证370*********123"),
        ("卡号6222021234567890", "卡号6222********7890"),
        ("卡号 6222 0212 3456 7890 123", "卡号 6222***********0123"),
        ("6217000010001234567", "6217***********4567"),
        ("邮箱 zhang.san@example.com", "邮箱 z***@example.com"),
        ("13800138000@qq.com", "1***@qq.com"),
    ],
)
def test_mask_hides_personal_data(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "研发投入5000000元，能补多少？",
        "威政办发〔2018〕32号 二（六），2018-11-08印发",
        "热线12345，补助最高50万元，比例30%",
        "俺们村想办个农科驿站，政府给钱不？",
        "",
    ],
)
def test_mask_leaves_ordinary_text_alone(text: str) -> None:
    assert mask(text) == text


def test_mask_is_idempotent() -> None:
    text = "电话13800138000 座机0631-5201234 身份证370602199001011234 卡6222021234567890 邮箱a.b@c.cn"
    once = mask(text)
    assert mask(once) == once
    assert not any(secret in once for secret in ("13800138000", "5201234", "19900101", "02123456", "a.b@"))


def test_two_numbers_in_one_message_are_both_masked() -> None:
    assert mask("13800138000 13912345678") == "138****8000 139****5678"


def test_pseudonym_is_stable_keyed_and_short() -> None:
    first = pseudonym("secret", "visitor-1")
    assert first == pseudonym("secret", "visitor-1")
    assert first == pseudonym(b"secret", "visitor-1")
    assert len(first) == 16 and int(first, 16) >= 0
    assert pseudonym("secret", "visitor-2") != first
    assert pseudonym("other-secret", "visitor-1") != first
    assert "visitor" not in first
