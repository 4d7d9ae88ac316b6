"""Callback numbers held between the gateway (which masks them before Rasa) and the hand-off ticket.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_holds",
        sa.Column("conversation", sa.String(16), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("masked", sa.String(40), nullable=False),
    )
    op.create_index("ix_callback_holds_created_at", "callback_holds", ["created_at"])


def downgrade() -> None:
    op.drop_table("callback_holds")
