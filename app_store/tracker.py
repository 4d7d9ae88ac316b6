"""Rasa's tracker store as plain tables, for the purge and the erasure (no Rasa import: the gateway
does not load Rasa). The columns are those of Rasa's SQLTrackerStore (`events`) and of
policy_rasa.tracker_store (`tracker_windows`, the checkpoints)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app_store.privacy import pseudonym
from infra.sqlite import use_sqlite_pragmas

EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)
# The tables personal data is deleted from (app_store.scrub after the purge and the erasure).
TABLES = ("events", "tracker_windows")
WINDOWS = sa.table(
    "tracker_windows",
    sa.column("sender_id", sa.String),
    sa.column("first_event_id", sa.Integer),
)


@lru_cache(maxsize=8)
def tracker_engine(url: str) -> Engine:
    """The purge's and the erasure's engine: what they delete is zeroed on SQLite (app_store.scrub)."""
    engine = sa.create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    use_sqlite_pragmas(engine, wal=True, secure_delete=True)
    return engine


def has_events(engine: Engine) -> bool:
    """False until Rasa has created its tables (it does on first start)."""
    return sa.inspect(engine).has_table("events")


def _has_windows(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("tracker_windows")


def delete_before(engine: Engine, cutoff: float) -> int:
    """Delete the events stamped before `cutoff` (Unix seconds), and the checkpoints that pointed into
    them (their leading slots are as old); returns how many events went."""
    if not has_events(engine):
        return 0
    with engine.begin() as connection:
        deleted = connection.execute(sa.delete(EVENTS).where(EVENTS.c.timestamp < cutoff)).rowcount
        if _has_windows(engine):
            # A checkpoint whose first event is gone is stale; the tracker then starts at what is left.
            orphan = ~sa.exists().where(EVENTS.c.id == WINDOWS.c.first_event_id)
            connection.execute(sa.delete(WINDOWS).where(orphan))
    return int(deleted)


def senders_of(engine: Engine, secret: str, conversation: str) -> list[str]:
    """The tracker's sender ids whose pseudonym is `conversation`.

    The question log and the tickets know a conversation only by its keyed hash, which cannot be
    reversed; hashing every sender id is cheap (about a microsecond each)."""
    if not has_events(engine):
        return []
    with engine.connect() as connection:
        senders = connection.execute(sa.select(EVENTS.c.sender_id).distinct()).scalars()
        return [sender for sender in senders if pseudonym(secret, sender) == conversation]


def delete_senders(engine: Engine, senders: Iterable[str]) -> int:
    """Delete every event and checkpoint of `senders`; returns how many events went."""
    wanted = list(senders)
    if not wanted or not has_events(engine):
        return 0
    with engine.begin() as connection:
        deleted = connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(wanted))).rowcount
        if _has_windows(engine):
            connection.execute(sa.delete(WINDOWS).where(WINDOWS.c.sender_id.in_(wanted)))
    return int(deleted)
