"""One helper sets the SQLite pragmas of the three stores; each gets what it needs (real files)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

import app_store
import policy_kb.store
from policy_rasa.tracker_store import TurnRecordingTrackerStore
from tests.production.test_tracker_window import DOMAIN


def pragmas(engine: Engine) -> dict[str, object]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }


def test_app_database_has_wal_and_waits_for_the_lock(tmp_path: Path) -> None:
    engine = app_store.engine_for(f"sqlite:///{tmp_path / 'app.db'}")
    # synchronous: 1 is NORMAL (the default, FULL, is 2).
    assert pragmas(engine) == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 5000, "foreign_keys": 0}


def test_knowledge_base_enforces_foreign_keys(tmp_path: Path) -> None:
    engine = policy_kb.store.engine_for(f"sqlite:///{tmp_path / 'kb.db'}")
    assert pragmas(engine) == {"journal_mode": "delete", "synchronous": 2, "busy_timeout": 5000, "foreign_keys": 1}


def test_tracker_store_has_wal(tmp_path: Path) -> None:
    store = TurnRecordingTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert pragmas(store.engine) == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 5000, "foreign_keys": 0}
