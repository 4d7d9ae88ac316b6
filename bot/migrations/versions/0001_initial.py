"""Question log and hand-off tickets.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Column types are spelled out rather than imported from app_store.models: a migration must keep
    # describing the schema as it was when written, whatever the models become.
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("conversation", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(100)),
        sa.Column("confidence", sa.Float()),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("measure", sa.String(64)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("reply", sa.Text()),
    )
    op.create_index("ix_question_log_created_at", "question_log", ["created_at"])
    op.create_index("ix_question_log_intent", "question_log", ["intent"])
    op.create_index("ix_question_log_measure", "question_log", ["measure"])
    op.create_index("ix_question_log_outcome", "question_log", ["outcome"])

    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("callback_phone", sa.String(32)),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_handoff_tickets_status_created_at", "handoff_tickets", ["status", "created_at"])


def downgrade() -> None:
    op.drop_table("handoff_tickets")
    op.drop_table("question_log")
