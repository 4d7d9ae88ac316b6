"""The review loop: the user's own word for the measure a reviewer named, for the KB's aliases.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A word of the (masked) question, e.g. 小站子 for 星创天地和农科驿站奖补; NULL when none was given.
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("alias", sa.String(20)))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("alias")
