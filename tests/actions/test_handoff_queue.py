"""A hand-off while the app database is locked for longer than its busy timeout: the ticket waits in the
action server's queue and is written once the lock is released (real SQLite file, real lock)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.handoff import ActionHandoff, ticket_queue
from app_store import HandoffTicketRow, engine_for
from app_store.privacy import pseudonym
from app_store.sealing import keys_from
from app_store.tickets import SEALED_AS
from bot.migrate import upgrade
from tests.actions.test_actions import shown

SECRET = "handoff-queue-test"


def handoff_tracker(sender: str) -> Tracker:
    def user(text: str, intent: str) -> dict[str, Any]:
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}

    events = [
        user("创新券怎么申请", "ask_how_to_apply"),
        {"event": "bot", "text": "文件未规定申请程序"},
        user("转人工", "handoff"),
        {"event": "bot", "text": "请留下电话"},
        user("13800138000", "inform"),
    ]
    return Tracker(
        sender, {"callback_phone": "13800138000"}, events[-1]["parse_data"], events, False, None, {}, "action_listen"
    )


def tickets(url: str) -> list[HandoffTicketRow]:
    with Session(engine_for(url)) as session:
        return list(session.execute(select(HandoffTicketRow)).scalars())


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    path = tmp_path / "app.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("APP_DB_URL", url)
    monkeypatch.setenv("APP_SECRET", SECRET)
    # The same lock and queue as in production, with shorter waits: a writer gives up after 0.2 s (not 5 s)
    # and the queue retries every second (not every 5 s), so the three outages cost seconds, not 20.
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT_MS", "200")
    monkeypatch.setenv("APP_DB_RETRY_S", "1")
    upgrade(url)  # after the settings: the engine reads its busy timeout when it is made
    return url, path


async def test_a_ticket_waits_out_a_locked_database(app_db: tuple[str, Path]) -> None:
    url, path = app_db
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock past the busy timeout
    try:
        dispatcher = CollectingDispatcher()
        await ActionHandoff().run(dispatcher, handoff_tracker("locked-out"), {})
        reply = shown(dispatcher.messages[0])
        assert "稍后自动登记" in reply and "12345" in reply
        assert ticket_queue().pending == 1
    finally:
        locker.execute("COMMIT")
        locker.close()

    # The queue retries on its own (every APP_DB_RETRY_S); no nudge from the test.
    await ticket_queue().drain(timeout=60)
    [ticket] = tickets(url)
    assert ticket.conversation == pseudonym(SECRET, "locked-out")[:16]
    assert ticket.question == "创新券怎么申请" and ticket.callback_phone is not None
    assert keys_from(SECRET).open(ticket.callback_phone, SEALED_AS) == "13800138000"  # sealed at rest
    assert ticket.transcript[-1] == {"who": "user", "text": "138****8000"}  # masked; the callback number is not


async def test_a_ticket_is_written_at_once_when_the_database_answers(app_db: tuple[str, Path]) -> None:
    url, _ = app_db
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, handoff_tracker("at-once"), {})
    assert "已为您转人工并登记" in shown(dispatcher.messages[0])
    assert ticket_queue().pending == 0 and len(tickets(url)) == 1


async def test_tickets_queued_in_an_outage_keep_their_order(app_db: tuple[str, Path]) -> None:
    url, path = app_db
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        replies = []
        for sender in ("first", "second"):
            dispatcher = CollectingDispatcher()
            await ActionHandoff().run(dispatcher, handoff_tracker(sender), {})
            replies.append(shown(dispatcher.messages[0]))
        assert all("稍后自动登记" in reply for reply in replies)
    finally:
        locker.execute("COMMIT")
        locker.close()
    await asyncio.wait_for(ticket_queue().retry_now(), 60)
    assert [row.conversation for row in tickets(url)] == [pseudonym(SECRET, s)[:16] for s in ("first", "second")]
