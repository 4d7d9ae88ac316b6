"""The WeChat channel's short-lived memory, shared by the gateway copies: deliveries by MsgId (retries)
and each follower's numbered options.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wechat_deliveries",
        sa.Column("key", sa.String(16), primary_key=True),
        sa.Column("conversation", sa.String(16), nullable=False),
        sa.Column("claimant", sa.String(32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("reply", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wechat_deliveries_created_at", "wechat_deliveries", ["created_at"])
    op.create_index("ix_wechat_deliveries_conversation", "wechat_deliveries", ["conversation"])
    op.create_table(
        "wechat_followers",
        sa.Column("conversation", sa.String(16), primary_key=True),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("more", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wechat_followers_updated_at", "wechat_followers", ["updated_at"])


def downgrade() -> None:
    op.drop_table("wechat_followers")
    op.drop_table("wechat_deliveries")
