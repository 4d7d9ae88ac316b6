"""Migration 0002: question_log.public_id and the feedback table, up and down, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app_store import QuestionRecord, engine_for, log_question, record_feedback
from app_store.feedback import FeedbackResult, feedback_for
from bot.migrate import downgrade, upgrade

# The gateway's fixture: a migrated database, once on SQLite and once on PostgreSQL (skipped without it).
from tests.bot.conftest import migrated_url, pg_app_url  # noqa: F401


def _record(public_id: str | None) -> QuestionRecord:
    return QuestionRecord(
        created_at=datetime.now(timezone.utc),
        channel="web",
        conversation="c0ffee",
        text="研发补助最多多少",
        outcome="answered",
        latency_ms=12,
        public_id=public_id,
    )


def test_0002_adds_public_id_and_feedback_and_0001_is_what_it_was(migrated_url: str) -> None:  # noqa: F811
    engine = engine_for(migrated_url)
    inspector = inspect(engine)
    assert "public_id" in {column["name"] for column in inspector.get_columns("question_log")}
    assert {column["name"] for column in inspector.get_columns("feedback")} == {
        "id",
        "created_at",
        "question_public_id",
        "vote",
        "reason",
    }
    downgrade(migrated_url, "0001")
    inspector = inspect(engine)
    assert "feedback" not in inspector.get_table_names()
    assert "public_id" not in {column["name"] for column in inspector.get_columns("question_log")}
    upgrade(migrated_url)


def test_public_ids_are_unique_but_old_rows_may_have_none(migrated_url: str) -> None:  # noqa: F811
    engine = engine_for(migrated_url)
    log_question(engine, _record(None))
    log_question(engine, _record(None))
    log_question(engine, _record("a" * 32))
    with pytest.raises(IntegrityError):
        log_question(engine, _record("a" * 32))


def test_votes_are_plus_or_minus_one_and_name_a_logged_question(migrated_url: str) -> None:  # noqa: F811
    engine = engine_for(migrated_url)
    log_question(engine, _record("b" * 32))
    assert record_feedback(engine, "b" * 32, -1, "没回答金额") is FeedbackResult.RECORDED
    assert record_feedback(engine, "c" * 32, 1) is FeedbackResult.UNKNOWN_QUESTION
    stored = feedback_for(engine, "b" * 32)
    assert stored is not None and (stored.vote, stored.reason) == (-1, "没回答金额")
    with pytest.raises(ValueError):
        record_feedback(engine, "b" * 32, 2)
    # The database itself refuses a vote other than ±1, whoever writes it.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("INSERT INTO feedback (created_at, question_public_id, vote) VALUES (:at, :id, 5)"),
            {"at": datetime.now(timezone.utc), "id": "b" * 32},
        )
