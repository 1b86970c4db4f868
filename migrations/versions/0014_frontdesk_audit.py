"""frontdesk night audit: daily figures per business day (forced RLS), and folio indexes
for reading a day's room nights and charges

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db.rls import disable_rls, enable_rls

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "frontdesk_daily_figures"
COUNTS = (
    "rooms",
    "room_nights_available",
    "room_nights_sold",
    "occupancy_bp",
)
MONEY = (
    "adr_fen",
    "revpar_fen",
    "room_revenue_fen",
    "fnb_revenue_fen",
    "other_revenue_fen",
)
PEOPLE = (
    "arrivals",
    "departures",
    "in_house_guests",
    "guests_domestic",
    "guests_foreign",
    "no_shows",
    "cancellations",
)


def _zero(name: str, kind: type[sa.types.TypeEngine]) -> sa.Column:
    return sa.Column(name, kind(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("business_date", sa.Date(), nullable=False),
        *(_zero(name, sa.Integer) for name in COUNTS),
        *(_zero(name, sa.BigInteger) for name in MONEY),
        sa.Column(
            "revenue_by_source",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        *(_zero(name, sa.Integer) for name in PEOPLE),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("computed_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "rooms >= 0 AND room_nights_available >= 0 AND room_nights_sold >= 0",
            name=op.f("ck_frontdesk_daily_figures_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["computed_by"], ["users.id"], name=op.f("fk_frontdesk_daily_figures_computed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_frontdesk_daily_figures_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frontdesk_daily_figures")),
        sa.UniqueConstraint(
            "tenant_id",
            "business_date",
            name=op.f("uq_frontdesk_daily_figures_tenant_id_business_date"),
        ),
    )
    enable_rls(op, TABLE)
    op.create_index(
        "ix_folio_lines_tenant_id_service_date", "folio_lines", ["tenant_id", "service_date"]
    )
    op.create_index("ix_folio_lines_tenant_id_posted_at", "folio_lines", ["tenant_id", "posted_at"])


def downgrade() -> None:
    op.drop_index("ix_folio_lines_tenant_id_posted_at", table_name="folio_lines")
    op.drop_index("ix_folio_lines_tenant_id_service_date", table_name="folio_lines")
    disable_rls(op, TABLE)
    op.drop_table(TABLE)
