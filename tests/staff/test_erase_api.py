"""POST /staff/api/erase: analysts only, a Chinese sentence for bad or unknown references, and one
conversation's rows gone from the app database (the tracker store part: tests/e2e/test_privacy.py)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app_store import HandoffTicketRow, QuestionLogRow, create_ticket, engine_for
from app_store.privacy import pseudonym
from tests.bot.conftest import KEYS, SECRET, logged_rows
from tests.staff.conftest import log_in, page_csrf


async def test_an_analyst_erases_a_conversation_by_its_id(analyst: TestClient, app_db_url: str) -> None:
    token = {"X-CSRF-Token": await page_csrf(analyst)}
    for who in ("leaving", "leaving", "staying"):
        response = await analyst.post("/api/chat", json={"sender": who, "message": "农科驿站补多少"})
        assert response.status == 200
    conversation = (await response.json())["conversation_id"]
    assert conversation == pseudonym(SECRET, "staying")
    await logged_rows(analyst)
    engine = engine_for(app_db_url)
    create_ticket(
        engine, conversation=pseudonym(SECRET, "leaving"), question="转人工", callback_phone="13812345678", keys=KEYS
    )

    response = await analyst.post("/staff/api/erase", json={"reference": pseudonym(SECRET, "leaving")}, headers=token)
    assert response.status == 200
    body = await response.json()
    assert (body["questions"], body["tickets"], body["found"]) == (2, 1, True)
    with Session(engine) as session:
        assert set(session.execute(select(QuestionLogRow.conversation)).scalars()) == {pseudonym(SECRET, "staying")}
        assert session.execute(select(HandoffTicketRow)).first() is None

    again = await analyst.post("/staff/api/erase", json={"reference": pseudonym(SECRET, "leaving")}, headers=token)
    assert again.status == 404 and "没有找到" in (await again.json())["error"]


async def test_bad_references_get_a_chinese_sentence(analyst: TestClient) -> None:
    token = {"X-CSRF-Token": await page_csrf(analyst)}
    for body in ({}, {"reference": ""}, {"reference": 12}, {"reference": "x" * 129}):
        response = await analyst.post("/staff/api/erase", json=body, headers=token)
        assert response.status == 400 and "对话编号" in (await response.json())["error"], body
    unknown = await analyst.post("/staff/api/erase", json={"reference": "f" * 32}, headers=token)
    assert unknown.status == 404


async def test_hotline_staff_and_strangers_may_not_erase(gateway: TestClient) -> None:
    assert (await gateway.post("/staff/api/erase", json={"reference": "a" * 16})).status == 401
    assert (await log_in(gateway, "staff1")).status == 302
    token = {"X-CSRF-Token": await page_csrf(gateway)}
    assert (await gateway.post("/staff/api/erase", json={"reference": "a" * 16}, headers=token)).status == 403
