"""After rows with personal data are deleted or blanked, leave no copy of them in the database's files.

SQLite: every connection of the app database and of the tracker store (as the purge and the erasure open
it) runs with `secure_delete`, so a deleted row's bytes are zeroed in its page; but in WAL mode the page
before the change stays in the -wal file, and the main file keeps the old page, until a checkpoint copies
the new pages back. `wal_checkpoint(TRUNCATE)` does that and empties the -wal file.
PostgreSQL: a deleted row stays in its page as a dead tuple; VACUUM makes the space reusable but leaves
the bytes there until a new row overwrites them (measured: an erased conversation's word was still in the
table file after VACUUM and CHECKPOINT). VACUUM FULL writes the table anew and drops the old file, so the
erasure uses it; the purge, daily and over large tables, runs VACUUM. What such a page held is masked text
or sealed values (app_store.sealing), never a raw number. PostgreSQL's WAL keeps the change until it
recycles the segment (max_wal_size); nothing here can shorten that.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)


def scrub(engine: Engine, tables: Iterable[str], *, full: bool = False) -> bool:
    """Checkpoint (SQLite) or VACUUM `tables` (PostgreSQL; `full`: VACUUM FULL, which locks each table
    while it is rewritten) after a purge, an erasure or a released hold; False when SQLite could not finish
    the checkpoint (a reader held an old snapshot; the next one will)."""
    names = sorted(set(tables))
    if not names:
        return True
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    with autocommit.connect() as connection:
        if engine.dialect.name == "sqlite":
            busy, _frames, _copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if busy:
                log.warning("WAL checkpoint after removing personal data could not finish; retried next time")
            return not busy
        if engine.dialect.name == "postgresql":
            preparer = engine.dialect.identifier_preparer
            for name in names:
                connection.exec_driver_sql(f"VACUUM {'FULL ' if full else ''}{preparer.quote(name)}")
    return True
