"""groups tables: tour groups, their contracts, days, vehicles and bureau filings
(forced RLS; a contract in at most one active group)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db.rls import disable_rls, enable_rls

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("tour_groups", "group_contracts", "group_days", "group_vehicles", "group_filings")


def _common(table: str) -> list[Any]:
    return [
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
            name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _group_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["group_id"],
        ["tour_groups.id"],
        name=op.f(f"fk_{table}_group_id_tour_groups"),
        ondelete="CASCADE",
    )


def _tour_groups() -> None:
    op.create_table(
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
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        *_common("tour_groups"),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_tour_groups_dates")),
        sa.CheckConstraint(
            "status IN ('draft','filed','cancelled')", name=op.f("ck_tour_groups_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_tour_groups_created_by_users")
        ),
        sa.UniqueConstraint(
            "tenant_id", "group_no", name=op.f("uq_tour_groups_tenant_id_group_no")
        ),
    )
    op.create_index(
        "ix_tour_groups_tenant_id_start_date", "tour_groups", ["tenant_id", "start_date"]
    )


def _group_contracts() -> None:
    op.create_table(
        "group_contracts",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("e_number", sa.String(length=40), nullable=False),
        sa.Column("tourist_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        *_common("group_contracts"),
        _group_fk("group_contracts"),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_group_contracts_contract_id_contracts")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "group_id",
            "contract_id",
            name=op.f("uq_group_contracts_tenant_id_group_id_contract_id"),
        ),
    )
    op.create_index(
        "uq_group_contracts_tenant_id_contract_id_active",
        "group_contracts",
        ["tenant_id", "contract_id"],
        unique=True,
        postgresql_where=sa.text("active"),
    )


def _group_days() -> None:
    op.create_table(
        "group_days",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("places", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("hotel", sa.String(length=100), nullable=False),
        *_common("group_days"),
        _group_fk("group_days"),
        sa.UniqueConstraint(
            "tenant_id", "group_id", "day", name=op.f("uq_group_days_tenant_id_group_id_day")
        ),
    )


def _group_vehicles() -> None:
    op.create_table(
        "group_vehicles",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("plate_no", sa.String(length=16), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("driver_name", sa.String(length=64), nullable=False),
        sa.Column("driver_phone", sa.String(length=20), nullable=False),
        *_common("group_vehicles"),
        _group_fk("group_vehicles"),
        sa.CheckConstraint("seats > 0", name=op.f("ck_group_vehicles_seats")),
        sa.UniqueConstraint(
            "tenant_id",
            "group_id",
            "plate_no",
            name=op.f("uq_group_vehicles_tenant_id_group_id_plate_no"),
        ),
    )


def _group_filings() -> None:
    op.create_table(
        "group_filings",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("filing_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("guide_id", sa.Uuid(), nullable=True),
        sa.Column("licence_no", sa.String(length=64), nullable=False),
        sa.Column("filed_by", sa.Uuid(), nullable=True),
        *_common("group_filings"),
        _group_fk("group_filings"),
        sa.CheckConstraint(
            "kind IN ('group','guide_assignment')", name=op.f("ck_group_filings_kind")
        ),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_group_filings_filing_id_filings")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by"], ["users.id"], name=op.f("fk_group_filings_filed_by_users")
        ),
        sa.UniqueConstraint(
            "tenant_id", "filing_id", name=op.f("uq_group_filings_tenant_id_filing_id")
        ),
    )
    op.create_index(
        "ix_group_filings_tenant_id_group_id", "group_filings", ["tenant_id", "group_id"]
    )


def upgrade() -> None:
    _tour_groups()
    _group_contracts()
    _group_days()
    _group_vehicles()
    _group_filings()
    for table in TENANT_TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_rls(op, table)
    op.drop_index("ix_group_filings_tenant_id_group_id", table_name="group_filings")
    op.drop_table("group_filings")
    op.drop_table("group_vehicles")
    op.drop_table("group_days")
    op.drop_index("uq_group_contracts_tenant_id_contract_id_active", table_name="group_contracts")
    op.drop_table("group_contracts")
    op.drop_index("ix_tour_groups_tenant_id_start_date", table_name="tour_groups")
    op.drop_table("tour_groups")
