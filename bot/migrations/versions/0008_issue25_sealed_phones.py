"""Callback numbers sealed at rest (app_store.sealing): the held number and the ticket's number become
'v1:<key id>:<base64>' values, so their columns widen, and the numbers already stored are sealed.

The key is the one the processes use (DATA_KEY, or derived from APP_SECRET): run the migration with the
same settings as the gateway (`make run` and scripts/run_production.sh do). bot.migrate scrubs the files
afterwards, so the plain numbers do not survive in a free page or the WAL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app_store import rotation
from app_store.models import SEALED_CHARS, SEALED_COLUMNS, sealed_as
from app_store.settings import data_keys

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_PLAIN_CHARS = 32


def upgrade() -> None:
    _resize(SEALED_CHARS)
    bind = op.get_bind()
    # Only read the key when there is something to seal: a fresh database needs none.
    if rotation.stale(bind, None):
        rotation.reseal(bind, data_keys())


def downgrade() -> None:
    bind = op.get_bind()
    if rotation.stale(bind, None) < sum(_count(bind, column) for column in SEALED_COLUMNS):
        keys = data_keys()
        for column in SEALED_COLUMNS:
            [primary_key] = column.table.primary_key.columns
            for key, value in bind.execute(sa.select(primary_key, column).where(column.is_not(None))).all():
                plain = keys.open(value, sealed_as(column))
                bind.execute(sa.update(column.table).where(primary_key == key).values({column.name: plain}))
    _resize(_PLAIN_CHARS)


def _count(bind: sa.engine.Connection, column: sa.Column) -> int:  # type: ignore[type-arg]
    return int(bind.execute(sa.select(sa.func.count()).where(column.is_not(None))).scalar_one())


def _resize(chars: int) -> None:
    with op.batch_alter_table("callback_holds") as batch:
        batch.alter_column("phone", type_=sa.String(chars), existing_nullable=False)
    with op.batch_alter_table("handoff_tickets") as batch:
        batch.alter_column("callback_phone", type_=sa.String(chars), existing_nullable=True)
