"""Re-sealing the personal values kept on purpose: after the data key changed (`python -m bot.privacy
rotate-key`), and once for the numbers stored in plain text before migration 0008 sealed them.

Every value of app_store.models.SEALED_COLUMNS not sealed under the current key is opened (with a retired
key, or read as it is when it is plain) and sealed again; then the files are scrubbed, so that neither the
plain number nor the value under the old key survives in a free page or the WAL.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from app_store.models import SEALED_COLUMNS, sealed_as
from app_store.scrub import scrub
from app_store.sealing import DataKeys, is_sealed


def stale(connection: Connection, keys: DataKeys | None) -> int:
    """How many values are not sealed under `keys`' current key (None: how many are not sealed at all)."""
    count = 0
    for column in SEALED_COLUMNS:
        for (value,) in connection.execute(select(column).where(column.is_not(None))):
            count += not (keys.is_current(value) if keys is not None else is_sealed(value))
    return count


def reseal(connection: Connection, keys: DataKeys) -> dict[str, int]:
    """Seal under the current key every value that is not; returns how many per column ("table.column")."""
    done: dict[str, int] = {}
    for column in SEALED_COLUMNS:
        table = column.table
        [primary_key] = table.primary_key.columns
        name = sealed_as(column)
        rows = connection.execute(select(primary_key, column).where(column.is_not(None))).all()
        done[name] = 0
        for key, value in rows:
            if keys.is_current(value):
                continue
            plain = keys.open(value, name) if is_sealed(value) else value
            connection.execute(update(table).where(primary_key == key).values({column.name: keys.seal(plain, name)}))
            done[name] += 1
    return done


def rotate(engine: Engine, keys: DataKeys) -> dict[str, int]:
    """`reseal` in one transaction, then scrub the tables it changed."""
    with engine.begin() as connection:
        done = reseal(connection, keys)
    scrub(engine, [name.split(".")[0] for name, count in done.items() if count])
    return done
