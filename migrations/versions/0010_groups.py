"""groups tables: tour groups, their contracts, days, vehicles and bureau filings
(forced RLS; a contract in at most one active group)

Revision ID: 0010
Revises: 0009
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

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("tour_groups", "group_contracts", "group_days", "group_vehicles", "group_filings")


def _tour_groups() -> None:
    create_tenant_table(
        "tour_groups",
        sa.Column("group_no", sa.String(length=32), nullable=False),
        sa.Column("route_name", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tourist_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filed_late", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        timestamp_now("updated_at"),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_tour_groups_dates")),
        sa.CheckConstraint(
            "status IN ('draft','filed','cancelled')", name=op.f("ck_tour_groups_status")
        ),
        foreign_key("tour_groups", "created_by", "users"),
        tenant_unique("tour_groups", "group_no"),
    )
    tenant_index("tour_groups", "start_date")


def _group_contracts() -> None:
    create_tenant_table(
        "group_contracts",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("e_number", sa.String(length=40), nullable=False),
        sa.Column("tourist_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        foreign_key("group_contracts", "group_id", "tour_groups", ondelete="CASCADE"),
        foreign_key("group_contracts", "contract_id", "contracts"),
        tenant_unique("group_contracts", "group_id", "contract_id"),
    )
    tenant_index("group_contracts", "contract_id", unique=True, where="active", suffix="active")


def _group_days() -> None:
    create_tenant_table(
        "group_days",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("places", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("hotel", sa.String(length=100), nullable=False),
        foreign_key("group_days", "group_id", "tour_groups", ondelete="CASCADE"),
        tenant_unique("group_days", "group_id", "day"),
    )


def _group_vehicles() -> None:
    create_tenant_table(
        "group_vehicles",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("plate_no", sa.String(length=16), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("driver_name", sa.String(length=64), nullable=False),
        sa.Column("driver_phone", sa.String(length=20), nullable=False),
        foreign_key("group_vehicles", "group_id", "tour_groups", ondelete="CASCADE"),
        sa.CheckConstraint("seats > 0", name=op.f("ck_group_vehicles_seats")),
        tenant_unique("group_vehicles", "group_id", "plate_no"),
    )


def _group_filings() -> None:
    create_tenant_table(
        "group_filings",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("filing_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("guide_id", sa.Uuid(), nullable=True),
        sa.Column("licence_no", sa.String(length=64), nullable=False),
        sa.Column("filed_by", sa.Uuid(), nullable=True),
        foreign_key("group_filings", "group_id", "tour_groups", ondelete="CASCADE"),
        sa.CheckConstraint(
            "kind IN ('group','guide_assignment')", name=op.f("ck_group_filings_kind")
        ),
        foreign_key("group_filings", "filing_id", "filings"),
        foreign_key("group_filings", "filed_by", "users"),
        tenant_unique("group_filings", "filing_id"),
    )
    tenant_index("group_filings", "group_id")


def upgrade() -> None:
    _tour_groups()
    _group_contracts()
    _group_days()
    _group_vehicles()
    _group_filings()


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        drop_tenant_table(table)
