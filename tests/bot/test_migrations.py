from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from app_store import Base, engine_for
from bot.migrate import downgrade, main, upgrade


def test_upgrade_creates_both_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    inspector = inspect(engine_for(url))
    assert {"question_log", "handoff_tickets"} <= set(inspector.get_table_names())
    columns = {column["name"] for column in inspector.get_columns("question_log")}
    assert columns == {
        "id",
        "created_at",
        "channel",
        "conversation",
        "text",
        "intent",
        "confidence",
        "entities",
        "measure",
        "outcome",
        "answered",
        "latency_ms",
        "reply",
        "public_id",  # 0002
        "model_version",  # 0005
    }
    assert "reviews" in inspector.get_table_names()


def test_upgrade_is_idempotent_and_downgrade_removes_the_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    upgrade(url)
    downgrade(url, "base")
    assert set(inspect(engine_for(url)).get_table_names()) == {"alembic_version"}


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    with engine_for(url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_cli_upgrades_app_db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("APP_DB_URL", url)
    main([])
    assert "question_log" in inspect(engine_for(url)).get_table_names()


def _schema_drift(url: str) -> list[object]:
    with engine_for(url).connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def test_models_match_the_migrated_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    assert _schema_drift(url) == []


def test_migrations_on_postgresql(pg_app_url: str) -> None:
    upgrade(pg_app_url)
    assert {"question_log", "handoff_tickets"} <= set(inspect(engine_for(pg_app_url)).get_table_names())
    assert _schema_drift(pg_app_url) == []
    downgrade(pg_app_url, "base")
    upgrade(pg_app_url)


def test_0005_keeps_logged_questions_and_their_reviews_go_with_a_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url, "0004")
    engine = engine_for(url)
    with engine.begin() as connection:
        _log_question(connection, "研发补助")
    upgrade(url)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT text, model_version FROM question_log")).all() == [("研发补助", None)]
        connection.execute(
            text(
                "INSERT INTO reviews (question_id, verdict, reviewer, reviewed_at)"
                " VALUES (1, 'correct', 'a', '2026-11-02 00:00:00')"
            )
        )
    downgrade(url, "0004")
    inspector = inspect(engine_for(url))
    assert "reviews" not in inspector.get_table_names()
    with engine_for(url).connect() as connection:
        assert connection.execute(text("SELECT text FROM question_log")).scalars().all() == ["研发补助"]


def test_0006_adds_the_reviewers_word_and_keeps_the_reviews(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url, "0005")
    engine = engine_for(url)
    with engine.begin() as connection:
        _log_question(connection, "小站子给钱不", outcome="fallback")
        connection.execute(
            text(
                "INSERT INTO reviews (question_id, verdict, target_kind, target_id, reviewer,"
                " reviewed_at) VALUES (1, 'wrong', 'measure', 'xingchuang_nongke', 'a',"
                " '2026-11-02 00:00:00')"
            )
        )
    upgrade(url)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT target_id, alias FROM reviews")).all() == [("xingchuang_nongke", None)]
        connection.execute(text("UPDATE reviews SET alias = '小站子'"))
    downgrade(url, "0005")
    with engine_for(url).connect() as connection:
        assert connection.execute(text("SELECT verdict, target_id FROM reviews")).all() == [
            ("wrong", "xingchuang_nongke")
        ]


def test_0007_adds_the_wechat_memory_and_a_downgrade_keeps_the_rest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url, "0006")
    engine = engine_for(url)
    with engine.begin() as connection:
        _log_question(connection, "研发补助", channel="wechat")
    upgrade(url)
    inspector = inspect(engine_for(url))
    assert {column["name"] for column in inspector.get_columns("wechat_deliveries")} == {
        "key",
        "conversation",
        "claimant",
        "claimed_at",
        "answered_at",
        "reply",
        "created_at",
    }
    assert {column["name"] for column in inspector.get_columns("wechat_followers")} == {
        "conversation",
        "options",
        "more",
        "updated_at",
    }
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO wechat_deliveries (key, conversation, claimant, claimed_at, created_at)"
                " VALUES ('k', 'c', 'gateway-a', '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO wechat_followers (conversation, options, more, updated_at)"
                """ VALUES ('c', '[["申请条件", "/ask_conditions"]]', '[]', '2026-11-01 00:00:00')"""
            )
        )
    downgrade(url, "0006")
    inspector = inspect(engine_for(url))
    assert not {"wechat_deliveries", "wechat_followers"} & set(inspector.get_table_names())
    with engine_for(url).connect() as connection:
        assert connection.execute(text("SELECT channel, text FROM question_log")).all() == [("wechat", "研发补助")]


def _log_question(connection: Connection, question: str, *, channel: str = "web", outcome: str = "answered") -> None:
    """One question-log row as the gateway writes it, in the columns every revision has."""
    connection.execute(
        text(
            "INSERT INTO question_log"
            " (created_at, channel, conversation, text, entities, outcome, answered, latency_ms)"
            " VALUES ('2026-11-01 00:00:00', :channel, 'c', :text, '[]', :outcome, :answered, 5)"
        ),
        {"channel": channel, "text": question, "outcome": outcome, "answered": int(outcome == "answered")},
    )
