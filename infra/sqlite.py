"""SQLite connection settings, set on every new connection of an Engine: one helper for the three stores
(the knowledge base, the app database, Rasa's tracker store), which differ in what they need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from infra import settings


def use_sqlite_pragmas(
    engine: Engine,
    *,
    wal: bool,
    foreign_keys: bool = False,
    secure_delete: bool = False,
    busy_timeout_ms: int | None = None,
) -> None:
    """Set the pragmas on each connection `engine` opens from now on (nothing for other databases).

    `wal`: write-ahead log with synchronous=NORMAL, for files written by several processes: readers go on
    during a write, and a crash of a process loses nothing (a power cut may lose the last commits; FULL
    would wait for the disk on every commit, and production runs on PostgreSQL).
    `foreign_keys`: SQLite enforces declared foreign keys only when asked to.
    `secure_delete`: deleted content is overwritten with zeros, not left in free space (personal data:
    app_store.scrub then checkpoints the WAL so that no older copy of the page survives either).
    The busy timeout makes a writer wait for the lock instead of failing at once (default: the setting
    SQLITE_BUSY_TIMEOUT_MS, how long a writer waits for another process's write lock).
    """
    if engine.dialect.name != "sqlite":
        return
    if busy_timeout_ms is None:
        busy_timeout_ms = settings.get_int("SQLITE_BUSY_TIMEOUT_MS", minimum=0, maximum=600_000)
    statements = [f"PRAGMA busy_timeout={int(busy_timeout_ms)}"]
    if wal:
        statements += ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"]
    if foreign_keys:
        statements.append("PRAGMA foreign_keys=ON")
    if secure_delete:
        statements.append("PRAGMA secure_delete=ON")

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()

    event.listen(engine, "connect", on_connect)
