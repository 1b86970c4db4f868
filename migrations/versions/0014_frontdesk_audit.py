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

from app.db.migration_helpers import (
    create_tenant_table,
    drop_tenant_table,
    foreign_key,
    tenant_index,
    tenant_unique,
    timestamp_now,
)

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
    create_tenant_table(
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
        timestamp_now("computed_at"),
        sa.Column("computed_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "rooms >= 0 AND room_nights_available >= 0 AND room_nights_sold >= 0",
            name=op.f("ck_frontdesk_daily_figures_counts"),
        ),
        foreign_key("frontdesk_daily_figures", "computed_by", "users"),
        tenant_unique("frontdesk_daily_figures", "business_date"),
    )
    tenant_index("folio_lines", "service_date")
    tenant_index("folio_lines", "posted_at")


def downgrade() -> None:
    op.drop_index("ix_folio_lines_tenant_id_posted_at", table_name="folio_lines")
    op.drop_index("ix_folio_lines_tenant_id_service_date", table_name="folio_lines")
    drop_tenant_table(TABLE)
