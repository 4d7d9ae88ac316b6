"""The question-log writer on its own: order, retries, bad rows, shutdown."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from app_store import QuestionRecord, engine_for
from bot.question_log import QuestionLogWriter
from tests.bot.conftest import query_rows


def record(question: str, **overrides: object) -> QuestionRecord:
    values: dict[str, object] = {
        "created_at": datetime.now(timezone.utc),
        "channel": "web",
        "conversation": "c",
        "text": question,
        "outcome": "answered",
        "latency_ms": 1,
    }
    values.update(overrides)
    return QuestionRecord(**values)  # type: ignore[arg-type]


async def test_rows_are_written_in_order(app_db_url: str) -> None:
    writer = QuestionLogWriter(engine_for(app_db_url), batch_size=2)
    for n in range(5):
        writer.submit(record(f"问题{n}"))
    await writer.drain(timeout=5)
    assert [row.text for row in query_rows(app_db_url)] == [f"问题{n}" for n in range(5)]


async def test_a_ticket_is_written_when_its_wait_returns(app_db_url: str) -> None:
    writer = QuestionLogWriter(engine_for(app_db_url), batch_size=2)
    tickets = [writer.submit(record(f"问题{n}")) for n in range(3)]
    assert await writer.written(tickets[-1], timeout=5)
    # No drain, no polling: what the chat view relies on before it replies.
    assert [row.text for row in query_rows(app_db_url)] == ["问题0", "问题1", "问题2"]


async def test_waiting_for_a_ticket_stops_while_the_database_fails(app_db_url: str) -> None:
    engine = engine_for(app_db_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE question_log RENAME TO away"))
    writer = QuestionLogWriter(engine, retry_after_s=30)
    ticket = writer.submit(record("第一"))
    assert not await asyncio.wait_for(writer.written(ticket, timeout=30), 5)  # back at the first failure
    assert writer.pending == 1
    assert not await asyncio.wait_for(writer.written(writer.submit(record("第二")), timeout=30), 1)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE away RENAME TO question_log"))
    await writer.retry_now(timeout=5)
    assert [row.text for row in query_rows(app_db_url)] == ["第一", "第二"]


async def test_rows_wait_for_the_database_and_keep_their_time(app_db_url: str) -> None:
    engine = engine_for(app_db_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE question_log RENAME TO away"))
    writer = QuestionLogWriter(engine, retry_after_s=0.05)
    asked = [record("第一"), record("第二")]
    for item in asked:
        writer.submit(item)
    with pytest.raises(asyncio.TimeoutError):
        await writer.drain(timeout=0.3)
    assert writer.failed_attempts >= 2 and writer.pending == 2  # retried on its own, nothing dropped

    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE away RENAME TO question_log"))
    await writer.drain(timeout=5)  # the periodic retry, no nudge needed
    rows = query_rows(app_db_url)
    assert [row.text for row in rows] == ["第一", "第二"]
    assert [row.created_at for row in rows] == [item.created_at for item in asked]


async def test_a_row_the_database_rejects_does_not_block_the_others(
    app_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = engine_for(app_db_url)
    # A trigger stands in for whatever makes a database refuse one particular row.
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON question_log WHEN NEW.text = '坏' "
                "BEGIN SELECT RAISE(ABORT, 'constraint failed'); END"
            )
        )
    writer = QuestionLogWriter(engine)
    for question in ("前", "坏", "后"):
        writer.submit(record(question))
    await writer.drain(timeout=5)
    assert [row.text for row in query_rows(app_db_url)] == ["前", "后"]
    assert writer.dropped == 1
    assert "rejected a row" in caplog.text


async def test_close_makes_a_last_attempt(app_db_url: str) -> None:
    engine = engine_for(app_db_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE question_log RENAME TO away"))
    writer = QuestionLogWriter(engine, retry_after_s=60)
    writer.submit(record("关机前"))
    with pytest.raises(asyncio.TimeoutError):
        await writer.drain(timeout=0.2)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE away RENAME TO question_log"))
    await writer.close(timeout=5)
    assert [row.text for row in query_rows(app_db_url)] == ["关机前"]


async def test_close_reports_rows_it_could_not_write(app_db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    engine = engine_for(app_db_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE question_log RENAME TO away"))
    writer = QuestionLogWriter(engine, retry_after_s=60)
    writer.submit(record("丢失"))
    with caplog.at_level(logging.ERROR):
        await writer.close(timeout=5)
    assert "1 rows could not be written before shutdown" in caplog.text


async def test_queue_has_a_bound(app_db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    engine = engine_for(app_db_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE question_log RENAME TO away"))
    writer = QuestionLogWriter(engine, retry_after_s=60, max_pending=2)
    for n in range(3):
        writer.submit(record(f"{n}"))
    assert (writer.pending, writer.dropped) == (2, 1)
    await writer.close(timeout=1)
