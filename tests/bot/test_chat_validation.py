"""Bad input to /api/chat: the exact status, a Chinese sentence, and nothing sent to Rasa or logged."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.bot.conftest import logged_rows
from tests.bot.stub_rasa import StubRasa

CHINESE = re.compile(r"[\u4e00-\u9fff]")


async def assert_rejected(
    client: TestClient, stub: StubRasa, body: bytes, status: int, message: str, **headers: str
) -> None:
    response = await client.post("/api/chat", data=body, headers=headers or {"Content-Type": "application/json"})
    assert response.status == status
    assert response.content_type == "application/json"
    error = (await response.json())["error"]
    assert CHINESE.search(error)
    assert message in error
    assert stub.received == []
    assert await logged_rows(client) == []


def as_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b'{"sender": "a", "message": ',
        b"\xff\xfe{}",
        as_json(["sender", "message"]),
        as_json("你好"),
        as_json(None),
        b"[" * 50_000,
        b'{"sender": "a", "message": "\\ud800"}',
    ],
    ids=[
        "empty",
        "text",
        "truncated",
        "invalid-utf8",
        "array",
        "string",
        "null",
        "deep-nesting",
        "surrogate",
    ],
)
async def test_malformed_body(gateway: TestClient, stub_rasa: StubRasa, body: bytes) -> None:
    await assert_rejected(gateway, stub_rasa, body, 400, "请求格式不正确")


@pytest.mark.parametrize(
    "sender",
    [None, 42, "", "   ", "x" * 129, ["a"], "a\x00b"],
    ids=["null", "number", "empty", "blank", "too-long", "list", "control-char"],
)
async def test_bad_sender(gateway: TestClient, stub_rasa: StubRasa, sender: Any) -> None:
    await assert_rejected(gateway, stub_rasa, as_json({"sender": sender, "message": "你好"}), 400, "sender")


async def test_missing_sender(gateway: TestClient, stub_rasa: StubRasa) -> None:
    await assert_rejected(gateway, stub_rasa, as_json({"message": "你好"}), 400, "会话标识")


@pytest.mark.parametrize(
    "payload",
    [
        {"sender": "v1"},
        {"sender": "v1", "message": None},
        {"sender": "v1", "message": 12345},
        {"sender": "v1", "message": ""},
        {"sender": "v1", "message": " \n\t\u3000 "},
        {"sender": "v1", "message": "\x00\x1b\u200b"},
    ],
    ids=["missing", "null", "number", "empty", "whitespace", "only-control-chars"],
)
async def test_no_question(gateway: TestClient, stub_rasa: StubRasa, payload: dict[str, Any]) -> None:
    await assert_rejected(gateway, stub_rasa, as_json(payload), 400, "请输入问题")


async def test_question_too_long(make_gateway: Any, stub_rasa: StubRasa) -> None:
    client = await make_gateway(max_message_chars=20)
    body = as_json({"sender": "v1", "message": "研" * 21})
    await assert_rejected(client, stub_rasa, body, 413, "不超过20个字")


async def test_default_limit_is_500_characters(gateway: TestClient, stub_rasa: StubRasa) -> None:
    await assert_rejected(gateway, stub_rasa, as_json({"sender": "v1", "message": "研" * 2001}), 413, "不超过2000个字")


async def test_unknown_channel(gateway: TestClient, stub_rasa: StubRasa) -> None:
    body = as_json({"sender": "v1", "message": "你好", "channel": "wechat"})
    await assert_rejected(gateway, stub_rasa, body, 400, "channel")


async def test_oversized_body_gets_a_chinese_413(gateway: TestClient, stub_rasa: StubRasa) -> None:
    body = as_json({"sender": "v1", "message": "你好", "padding": "x" * 70_000})
    await assert_rejected(gateway, stub_rasa, body, 413, "请求内容太大")


async def test_limit_is_counted_after_cleaning(make_gateway: Any, stub_rasa: StubRasa) -> None:
    client = await make_gateway(max_message_chars=4)
    response = await client.post("/api/chat", json={"sender": "v1", "message": "  研发\x00\u200b补助\n  "})
    assert response.status == 200
    assert stub_rasa.received[0]["message"] == "研发补助"


async def test_control_characters_are_stripped_but_line_breaks_kept(gateway: TestClient, stub_rasa: StubRasa) -> None:
    response = await gateway.post(
        "/api/chat",
        json={"sender": "v1", "message": "第一行\r\n第二\x07行\u202e\t尾", "extra": {"ignored": True}},
    )
    assert response.status == 200
    assert stub_rasa.received[0]["message"] == "第一行\n第二行 尾"
    [row] = await logged_rows(gateway)
    assert row.text == "第一行\n第二行 尾"


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/nowhere", 404, "页面不存在"),
        ("GET", "/api/chat", 405, "不支持该请求方式"),
        ("PUT", "/healthz", 405, "不支持该请求方式"),
    ],
)
async def test_routing_errors_are_chinese_json(
    gateway: TestClient, method: str, path: str, status: int, message: str
) -> None:
    response = await gateway.request(method, path)
    assert response.status == status
    assert (await response.json()) == {"error": message}
