"""One Engine per database URL, configured for several writer processes."""

from __future__ import annotations

import json
from functools import lru_cache, partial
from typing import Any, cast

from sqlalchemy import create_engine, select
from sqlalchemy.engine import CursorResult, Engine, Result, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from app_store.models import QuestionLogRow
from infra.sqlite import use_sqlite_pragmas


@lru_cache(maxsize=16)
def engine_for(url: str) -> Engine:
    """The shared Engine for `url`. Schema changes go through `bot.migrate`, never create_all."""
    pool: dict[str, Any] = {}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # Keep SQLite connections open (SQLAlchemy 1.4 opens one per use for files): reopening the file
        # and checkpointing the WAL on every close cost the gateway 5 ms of CPU per question-log write.
        # A pooled connection is used by one thread at a time, so it may move between threads.
        pool = {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
    engine: Engine = create_engine(
        url,
        **pool,
        future=True,
        pool_pre_ping=True,
        # Error messages then show the SQL without the values: logs must not collect users' questions.
        hide_parameters=True,
        # Keep Chinese readable in the JSON columns for whoever inspects the database by hand.
        json_serializer=partial(json.dumps, ensure_ascii=False),
    )
    # The gateway and the action server write the same file; what is deleted holds personal data.
    use_sqlite_pragmas(engine, wal=True, secure_delete=True)
    return engine


def ping(engine: Engine) -> None:
    """Raise unless the database answers and has been migrated (the question log table exists)."""
    with Session(engine) as session:
        session.execute(select(QuestionLogRow.id).limit(1))


def changed(result: Result) -> int:
    """The rows an UPDATE or DELETE run through a Session matched. Session.execute is typed as returning a
    Result, which has no count; for these statements it is the CursorResult that has one."""
    return cast(CursorResult, result).rowcount
