"""Feedback on answers: a public id per logged question, and the 👍/👎 users give.

The widget only ever sees `question_log.public_id` (random, returned as `message_id` by /api/chat), never
the row id, so ids cannot be guessed to vote on other people's questions or to count the log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows logged before this revision have no public id: nobody can vote on them, which is right.
    op.add_column("question_log", sa.Column("public_id", sa.String(32)))
    # Unique, and the target of the feedback foreign key; NULLs do not collide on SQLite or PostgreSQL.
    op.create_index("ux_question_log_public_id", "question_log", ["public_id"], unique=True)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "question_public_id",
            sa.String(32),
            sa.ForeignKey("question_log.public_id", ondelete="CASCADE", name="fk_feedback_question"),
            nullable=False,
        ),
        sa.Column("vote", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.CheckConstraint("vote IN (1, -1)", name="ck_feedback_vote"),
    )
    # One verdict per answer: voting again replaces it (see app_store.feedback.record_feedback).
    op.create_index("ux_feedback_question_public_id", "feedback", ["question_public_id"], unique=True)
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_index("ux_question_log_public_id", table_name="question_log")
    # SQLite cannot drop a column in place: batch mode copies the table without it.
    with op.batch_alter_table("question_log") as batch:
        batch.drop_column("public_id")
