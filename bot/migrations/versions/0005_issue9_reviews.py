"""The review loop: which model answered each logged question, and the analysts' verdicts on them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rasa's model_id of the model that answered (a trained model's own id); rows logged before are NULL.
    with op.batch_alter_table("question_log") as batch:
        batch.add_column(sa.Column("model_version", sa.String(40)))
        batch.create_index("ix_question_log_model_version", ["model_version"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "question_id",
            sa.Integer,
            sa.ForeignKey("question_log.id", ondelete="CASCADE", name="fk_reviews_question"),
            nullable=False,
        ),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("target_kind", sa.String(8)),
        sa.Column("target_id", sa.String(64)),
        sa.Column("aspect", sa.String(32)),
        sa.Column("note", sa.String(200)),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('correct', 'wrong', 'out_of_scope', 'policy_gap')", name="ck_reviews_verdict"),
    )
    op.create_index("ux_reviews_question_id", "reviews", ["question_id"], unique=True)
    op.create_index("ix_reviews_verdict", "reviews", ["verdict"])


def downgrade() -> None:
    op.drop_table("reviews")
    with op.batch_alter_table("question_log") as batch:
        batch.drop_index("ix_question_log_model_version")
        batch.drop_column("model_version")
