"""POST /api/feedback against the stand-in Rasa: the chat's message_id, votes stored against the logged
question, one verdict per answer, masking, and Chinese errors (never a 500)."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app_store import FeedbackRow, QuestionLogRow, engine_for
from bot.appkeys import QUESTION_LOG, SETTINGS
from bot.views import feedback as feedback_view
from tests.bot.conftest import logged_rows


async def _ask(gateway: TestClient, message: str = "农科驿站补多少") -> str:
    response = await gateway.post("/api/chat", json={"sender": "visitor-1", "message": message})
    assert response.status == 200
    return (await response.json())["message_id"]


def _feedback_rows(gateway: TestClient) -> list[FeedbackRow]:
    with Session(engine_for(gateway.server.app[SETTINGS].app_db_url)) as session:
        rows = list(session.execute(select(FeedbackRow).order_by(FeedbackRow.id)).scalars())
        session.expunge_all()
        return rows


async def test_each_answer_has_its_own_message_id_which_names_the_logged_question(gateway: TestClient) -> None:
    first, second = await _ask(gateway), await _ask(gateway, "研发补助最多多少")
    assert first != second
    rows = await logged_rows(gateway)
    assert [(row.public_id, row.text) for row in rows] == [(first, "农科驿站补多少"), (second, "研发补助最多多少")]


async def test_thumbs_up_is_stored_against_the_question(gateway: TestClient) -> None:
    message_id = await _ask(gateway)
    await logged_rows(gateway)
    response = await gateway.post("/api/feedback", json={"message_id": message_id, "vote": "up"})
    assert response.status == 200
    assert await response.json() == {"message_id": message_id, "vote": "up"}
    [row] = _feedback_rows(gateway)
    assert (row.question_public_id, row.vote, row.reason) == (message_id, 1, None)


async def test_thumbs_down_with_a_reason_replaces_the_earlier_vote_and_is_masked(gateway: TestClient) -> None:
    message_id = await _ask(gateway)
    await logged_rows(gateway)
    assert (await gateway.post("/api/feedback", json={"message_id": message_id, "vote": "up"})).status == 200
    assert (await gateway.post("/api/feedback", json={"message_id": message_id, "vote": "down"})).status == 200
    reason = "  没说金额，请打我电话 13800138000\t谢谢\u200b "
    response = await gateway.post("/api/feedback", json={"message_id": message_id, "vote": "down", "reason": reason})
    assert response.status == 200
    [row] = _feedback_rows(gateway)  # one verdict per answer
    assert (row.vote, row.reason) == (-1, "没说金额，请打我电话 138****8000 谢谢")


async def test_a_vote_faster_than_the_question_log_waits_for_its_row(gateway: TestClient) -> None:
    # The reply leaves before the log row is written; a lock keeps the row in the queue a little longer.
    db_path = gateway.server.app[SETTINGS].app_db_url.removeprefix("sqlite:///")
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    message_id = await _ask(gateway)
    assert gateway.server.app[QUESTION_LOG].pending == 1
    vote = asyncio.ensure_future(gateway.post("/api/feedback", json={"message_id": message_id, "vote": "up"}))
    await asyncio.sleep(0.3)
    locker.execute("COMMIT")
    locker.close()
    response = await vote
    assert response.status == 200
    assert [row.vote for row in _feedback_rows(gateway)] == [1]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"message_id": "0" * 32, "vote": "up"}, 404, feedback_view.UNKNOWN_MESSAGE),
        ({"message_id": "../../etc/passwd", "vote": "up"}, 404, feedback_view.UNKNOWN_MESSAGE),
        ({"vote": "up"}, 400, feedback_view.BAD_MESSAGE_ID),
        ({"message_id": 12, "vote": "up"}, 400, feedback_view.BAD_MESSAGE_ID),
        ({"message_id": "{id}", "vote": "meh"}, 400, feedback_view.BAD_VOTE),
        ({"message_id": "{id}", "vote": 1}, 400, feedback_view.BAD_VOTE),
        ({"message_id": "{id}", "vote": []}, 400, feedback_view.BAD_VOTE),  # unhashable: was a 500
        ({"message_id": "{id}", "vote": {"up": True}}, 400, feedback_view.BAD_VOTE),
        ({"message_id": "{id}"}, 400, feedback_view.BAD_VOTE),
        ({"message_id": "{id}", "vote": "down", "reason": ["x"]}, 400, feedback_view.BAD_REASON),
        ({"message_id": "{id}", "vote": "down", "reason": "太" * 501}, 400, feedback_view.REASON_TOO_LONG),
        (["up"], 400, feedback_view.BAD_FORMAT),
    ],
)
async def test_bad_requests_get_a_chinese_sentence(gateway: TestClient, body: Any, status: int, error: str) -> None:
    message_id = await _ask(gateway)
    await logged_rows(gateway)
    if isinstance(body, dict) and body.get("message_id") == "{id}":
        body = {**body, "message_id": message_id}
    response = await gateway.post("/api/feedback", json=body)
    assert response.status == status
    assert await response.json() == {"error": error}
    assert _feedback_rows(gateway) == []


async def test_not_json_and_wrong_method(gateway: TestClient) -> None:
    response = await gateway.post("/api/feedback", data=b"\xff\xfe", headers={"Content-Type": "application/json"})
    assert (response.status, await response.json()) == (400, {"error": feedback_view.BAD_FORMAT})
    response = await gateway.get("/api/feedback")
    assert response.status == 405
    assert "error" in await response.json()


async def test_a_reason_of_500_characters_is_kept_whole(gateway: TestClient) -> None:
    message_id = await _ask(gateway)
    await logged_rows(gateway)
    reason = "答" * 500
    response = await gateway.post("/api/feedback", json={"message_id": message_id, "vote": "down", "reason": reason})
    assert response.status == 200
    assert _feedback_rows(gateway)[0].reason == reason


async def test_database_trouble_is_a_503_not_a_500(gateway: TestClient) -> None:
    message_id = await _ask(gateway)
    await logged_rows(gateway)
    with engine_for(gateway.server.app[SETTINGS].app_db_url).begin() as connection:
        connection.execute(text("ALTER TABLE feedback RENAME TO feedback_away"))
    response = await gateway.post("/api/feedback", json={"message_id": message_id, "vote": "up"})
    assert (response.status, await response.json()) == (503, {"error": feedback_view.UNAVAILABLE})


async def test_questions_logged_before_0002_cannot_be_voted_on(gateway: TestClient) -> None:
    await _ask(gateway)
    [row] = await logged_rows(gateway)
    with Session(engine_for(gateway.server.app[SETTINGS].app_db_url)) as session, session.begin():
        session.get(QuestionLogRow, row.id).public_id = None
    response = await gateway.post("/api/feedback", json={"message_id": row.public_id, "vote": "up"})
    assert response.status == 404
