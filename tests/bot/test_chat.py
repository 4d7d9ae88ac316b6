"""/api/chat against the stand-in Rasa: reply shape, the question log, and upstream failures."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import text

from app_store import callbacks, engine_for
from app_store.privacy import pseudonym
from bot.appkeys import QUESTION_LOG, SETTINGS
from harness.services import free_port
from tests.bot.conftest import SECRET, logged_rows, query_rows
from tests.bot.stub_rasa import StubRasa


async def test_replies_have_only_what_the_widget_shows(gateway: TestClient, stub_rasa: StubRasa) -> None:
    response = await gateway.post("/api/chat", json={"sender": "visitor-1", "message": "农科驿站补多少"})
    assert response.status == 200
    body = await response.json()
    assert body == {
        "replies": [
            {
                "text": "农科驿站每个补助5万元。依据：威政办发〔2018〕32号 二（六）",
                "buttons": [{"title": "申请条件", "payload": "/ask_conditions"}],
            },
            {"custom": {"card": {"measure": "agri_station"}}},
        ],
        # The logged question's public id, for feedback (tests/widget/test_feedback_api.py).
        "message_id": body["message_id"],
        # What the user quotes to have the conversation erased (app_store.erasure).
        "conversation_id": pseudonym(SECRET, "visitor-1"),
    }
    assert re.fullmatch(r"[0-9a-f]{32}", body["message_id"])
    assert "依据：威政办发〔2018〕32号" in await response.text()  # readable, not \\u-escaped
    assert stub_rasa.received == [{"sender": "visitor-1", "message": "农科驿站补多少", "metadata": {"channel": "web"}}]


async def test_one_row_per_message_with_what_rasa_understood(gateway: TestClient, stub_rasa: StubRasa) -> None:
    before = datetime.now(timezone.utc)
    stub_rasa.delay_s = 0.15
    await gateway.post("/api/chat", json={"sender": "visitor-1", "message": "农科驿站补多少", "channel": "staff"})
    [row] = await logged_rows(gateway)
    assert before - timedelta(seconds=1) <= row.created_at <= datetime.now(timezone.utc)
    assert row.channel == "staff"
    assert row.conversation == pseudonym(SECRET, "visitor-1")
    assert row.text == "农科驿站补多少"
    assert (row.intent, row.confidence, row.measure) == ("ask_amount", 0.93, "agri_station")
    assert row.entities == [{"entity": "measure", "value": "agri_station", "text": "农科驿站"}]
    assert (row.outcome, row.answered) == ("answered", True)
    assert row.model_version == "stubmodel0001"  # the model that answered, as Rasa's channel names it
    assert 150 <= row.latency_ms < 2000
    assert row.reply == "农科驿站每个补助5万元。依据：威政办发〔2018〕32号 二（六）"


async def test_phone_numbers_are_stored_masked(gateway: TestClient, stub_rasa: StubRasa) -> None:
    stub_rasa.answer = {"messages": [{"recipient_id": "v", "text": "我们会拨打13800138000联系您"}]}
    engine = engine_for(gateway.app[SETTINGS].app_db_url)
    during: list[list[tuple[str, str]]] = []
    stub_rasa.during_turn = lambda _message: during.append(callbacks.held(engine))
    response = await gateway.post("/api/chat", json={"sender": "v", "message": "请打我电话 138 0013 8000"})
    assert response.status == 200
    # Rasa (and so its tracker store) gets the masked text; the number waits for the hand-off ticket.
    assert stub_rasa.received[0]["message"] == "请打我电话 138****8000"
    [row] = await logged_rows(gateway)
    assert row.text == "请打我电话 138****8000"
    assert row.reply == "我们会拨打138****8000联系您"
    # held while Rasa works on the turn (the hand-off form takes it then), and not kept past the turn
    assert during == [[(pseudonym(SECRET, "v"), "138****8000")]]
    assert callbacks.held(engine) == []


async def test_ids_cards_and_emails_never_reach_rasa(gateway: TestClient, stub_rasa: StubRasa) -> None:
    message = "身份证370602198801011234，卡号6222021234567890，邮箱zhang.san@example.com，研发补助"
    response = await gateway.post("/api/chat", json={"sender": "v2", "message": message})
    assert response.status == 200
    assert stub_rasa.received[0]["message"] == (
        "身份证370************234，卡号6222********7890，邮箱z***@example.com，研发补助"
    )
    # No phone number in it: nothing held.
    assert callbacks.held(engine_for(gateway.app[SETTINGS].app_db_url)) == []


async def test_every_message_is_logged(gateway: TestClient, stub_rasa: StubRasa) -> None:
    questions = [f"问题{n}" for n in range(5)]
    await asyncio.gather(*(gateway.post("/api/chat", json={"sender": "v", "message": q}) for q in questions))
    assert sorted(row.text for row in await logged_rows(gateway)) == questions


async def test_turn_without_outcome_is_logged_as_unknown(gateway: TestClient, stub_rasa: StubRasa) -> None:
    stub_rasa.answer = {"messages": [{"recipient_id": "v", "text": "您好"}]}
    response = await gateway.post("/api/chat", json={"sender": "v", "message": "你好"})
    assert (await response.json())["replies"] == [{"text": "您好"}]
    [row] = await logged_rows(gateway)
    assert (row.outcome, row.answered, row.intent, row.measure, row.entities) == (
        "unknown",
        False,
        None,
        None,
        [],
    )


@pytest.mark.parametrize("outcome", ["fallback", "out_of_scope", "handoff"])
async def test_other_outcomes_are_not_answered(gateway: TestClient, stub_rasa: StubRasa, outcome: str) -> None:
    stub_rasa.answer = {
        "messages": [{"recipient_id": "v", "text": "抱歉，这个问题我还不会"}],
        "nlu": {"intent": "nlu_fallback", "confidence": 0.2},
        "turn": {"outcome": outcome},
    }
    response = await gateway.post("/api/chat", json={"sender": "v", "message": "天气怎么样"})
    assert (await response.json())["replies"] == [{"text": "抱歉，这个问题我还不会"}]
    [row] = await logged_rows(gateway)
    assert (row.outcome, row.answered, row.reply) == (outcome, False, "抱歉，这个问题我还不会")


@pytest.mark.parametrize(
    "messages",
    [[], [{"recipient_id": "v", "image": "https://example.invalid/a.png"}]],
    ids=["nothing", "nothing-to-show"],
)
async def test_an_empty_answer_becomes_a_chinese_apology(
    make_gateway: Any, stub_rasa: StubRasa, messages: list[Any]
) -> None:
    # What Rasa 3.6 sends when the action server is down: it logs the failed action and answers 200
    # with no messages. The user must not be left staring at nothing.
    client = await make_gateway(hotline="0631-12345")
    stub_rasa.answer = {
        "messages": messages,
        "nlu": {"intent": "ask_amount", "confidence": 0.9, "entities": []},
        "turn": {"measure": None, "outcome": "fallback"},
    }
    response = await client.post("/api/chat", json={"sender": "v", "message": "研发补助最多多少"})
    assert response.status == 200
    body = await response.json()
    apology = "抱歉，系统暂时无法回答这个问题，请稍后再试，或拨打0631-12345"
    assert body["replies"] == [{"text": apology}]
    [row] = await logged_rows(client)
    # Not "fallback": the question was understood, the answer was lost on the way.
    assert (row.outcome, row.answered, row.intent, row.reply) == ("error", False, "ask_amount", apology)
    assert row.public_id == body["message_id"]


async def test_rasa_down_gives_503_and_an_error_row(make_gateway: Any) -> None:
    client = await make_gateway(rasa_url=f"http://127.0.0.1:{free_port()}", hotline="0631-12345")
    response = await client.post("/api/chat", json={"sender": "v", "message": "研发补助13800138000"})
    assert response.status == 503
    assert await response.json() == {"error": "智能助手暂时不可用，请稍后再试，或拨打0631-12345"}
    [row] = await logged_rows(client)
    assert (row.outcome, row.answered, row.intent) == ("error", False, None)
    assert row.text == "研发补助138****8000"
    assert row.reply == "智能助手暂时不可用，请稍后再试，或拨打0631-12345"


async def test_default_hotline_in_the_503(make_gateway: Any) -> None:
    client = await make_gateway(rasa_url=f"http://127.0.0.1:{free_port()}")
    response = await client.post("/api/chat", json={"sender": "v", "message": "你好"})
    assert await response.json() == {"error": "智能助手暂时不可用，请稍后再试，或拨打12345"}


async def test_slow_rasa_gives_504(make_gateway: Any, stub_rasa: StubRasa) -> None:
    client = await make_gateway(rasa_timeout_s=0.2)
    stub_rasa.delay_s = 1.0
    response = await client.post("/api/chat", json={"sender": "v", "message": "你好"})
    assert response.status == 504
    assert "超时" in (await response.json())["error"] and "12345" in (await response.json())["error"]
    [row] = await logged_rows(client)
    assert (row.outcome, row.answered) == ("error", False)
    assert 200 <= row.latency_ms < 1000


@pytest.mark.parametrize(
    ("status", "answer"),
    [(500, {"error": "boom"}), (200, "<html>not json</html>"), (200, ["not", "an", "object"])],
    ids=["http-500", "not-json", "wrong-shape"],
)
async def test_broken_rasa_answer_gives_502(gateway: TestClient, stub_rasa: StubRasa, status: int, answer: Any) -> None:
    stub_rasa.status, stub_rasa.answer = status, answer
    response = await gateway.post("/api/chat", json={"sender": "v", "message": "你好"})
    assert response.status == 502
    assert "智能助手出现故障" in (await response.json())["error"]
    [row] = await logged_rows(gateway)
    assert row.outcome == "error"


async def test_log_database_failure_does_not_fail_the_chat(
    gateway: TestClient, stub_rasa: StubRasa, caplog: pytest.LogCaptureFixture
) -> None:
    writer = gateway.server.app[QUESTION_LOG]
    db_url = gateway.server.app[SETTINGS].app_db_url
    with engine_for(db_url).begin() as connection:  # the table vanishes, as during a botched migration
        connection.execute(text("ALTER TABLE question_log RENAME TO question_log_away"))

    response = await gateway.post("/api/chat", json={"sender": "v", "message": "研发补助"})
    assert response.status == 200
    assert len((await response.json())["replies"]) == 2
    await _wait_until(lambda: writer.failed_attempts >= 1)
    assert writer.pending == 1
    assert any(record.levelno == logging.ERROR and record.exc_info for record in caplog.records)

    with engine_for(db_url).begin() as connection:
        connection.execute(text("ALTER TABLE question_log_away RENAME TO question_log"))
    await writer.retry_now(timeout=5)
    [row] = query_rows(db_url)
    assert (row.text, row.outcome) == ("研发补助", "answered")
    assert writer.pending == 0


async def _wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_a_locked_database_does_not_delay_the_reply(gateway: TestClient, stub_rasa: StubRasa) -> None:
    db_path = gateway.server.app[SETTINGS].app_db_url.removeprefix("sqlite:///")
    # Another process holding the write lock: the insert waits (busy timeout), the user must not.
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        response = await gateway.post("/api/chat", json={"sender": "v", "message": "特派员 奖励"})
        assert response.status == 200
        assert time.monotonic() - started < 1.0
        await asyncio.sleep(0.3)
        assert gateway.server.app[QUESTION_LOG].pending == 1
    finally:
        locker.execute("COMMIT")
        locker.close()
    [row] = await logged_rows(gateway)
    assert row.text == "特派员 奖励"
