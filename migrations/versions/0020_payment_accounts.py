"""payments: each enterprise's own Stripe connected account (one per tenant, forced RLS),
and the connected account each payment was charged on

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db.rls import disable_rls, enable_rls

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_accounts",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_account_id", sa.String(length=255), nullable=False),
        sa.Column("account_type", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("details_submitted", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("charges_enabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("payouts_enabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "requirements_due",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("disabled_reason", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payment_accounts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_accounts")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_payment_accounts_tenant_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "provider_account_id",
            name=op.f("uq_payment_accounts_tenant_id_provider_account_id"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_payment_accounts_tenant_id_id")),
    )
    enable_rls(op, "payment_accounts")
    op.add_column(
        "payments", sa.Column("provider_account_id", sa.String(length=255), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("payments", "provider_account_id")
    disable_rls(op, "payment_accounts")
    op.drop_table("payment_accounts")
