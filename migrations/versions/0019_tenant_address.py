"""tenants: the enterprise's street address and public phone (empty until its owner fills
them in on the settings page), printed on confirmations and receipts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tenants", sa.Column("address", sa.String(200), server_default="", nullable=False)
    )
    op.add_column("tenants", sa.Column("phone", sa.String(40), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("tenants", "phone")
    op.drop_column("tenants", "address")
