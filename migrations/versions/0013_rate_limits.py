"""rate_limit_hits: a platform table for rate-limiting public look-ups

Global (no tenant_id, no row-level security), like login_attempts: public pages are
limited before any tenant is known.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "key", "window_start", name=op.f("pk_rate_limit_hits")),
    )
    op.create_index(
        op.f("ix_rate_limit_hits_expires_at"), "rate_limit_hits", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limit_hits_expires_at"), table_name="rate_limit_hits")
    op.drop_table("rate_limit_hits")
