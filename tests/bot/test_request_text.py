"""The one cleaning of client text: chat messages and feedback reasons come out the same."""

from __future__ import annotations

import json

import pytest

from bot.chat_input import parse_chat_request
from bot.request_text import InputError, clean_text, is_plain, json_object
from bot.views.feedback import parse_feedback_request

TRICKY = [
    "  研发补助\r\n最多多少？ ",
    "零\u200b宽\u200d字\ufeff符",
    "方向\u202e覆盖\u202c",
    "制表\t符与\x00空\x1b[31m字符",
    "软\u00ad连字符",
    "多行\n问题\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_chat_and_feedback_clean_text_alike(text: str) -> None:
    chat = parse_chat_request(json.dumps({"sender": "s", "message": text}).encode(), 500)
    feedback = parse_feedback_request(json.dumps({"message_id": "0" * 32, "vote": "down", "reason": text}).encode())
    assert chat.message == feedback.reason == clean_text(text)
    assert is_plain(chat.message)


def test_what_cleaning_does() -> None:
    assert clean_text("  研发补助\r\n最多多少？\t ") == "研发补助\n最多多少？"
    assert clean_text("零\u200b宽\x07") == "零宽"


@pytest.mark.parametrize("body", [b"[1]", b"\xff", b"{", b"[" * 100_000, b'"text"'])
def test_anything_but_a_json_object_is_the_given_sentence(body: bytes) -> None:
    with pytest.raises(InputError) as raised:
        json_object(body, "格式不对")
    assert (raised.value.status, raised.value.message) == (400, "格式不对")


def test_a_lone_surrogate_is_refused_by_both() -> None:
    with pytest.raises(InputError):
        parse_chat_request(b'{"sender": "s", "message": "\\ud800"}', 500)
    with pytest.raises(InputError):
        parse_feedback_request(('{"message_id": "%s", "vote": "up", "reason": "\\ud800"}' % ("0" * 32)).encode())
