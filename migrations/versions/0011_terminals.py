"""terminals tables: devices and pairing attempts, information pages, scenic spots and
their photos, videos, announcements, voyage port calls (forced RLS)

Revision ID: 0011
Revises: 0010
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
)

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# In creation order; dropped in reverse.
TENANT_TABLES = (
    "terminal_devices",
    "terminal_pairing_attempts",
    "terminal_pages",
    "terminal_spots",
    "terminal_spot_photos",
    "terminal_videos",
    "terminal_announcements",
    "terminal_port_calls",
)


def _devices() -> None:
    t = "terminal_devices"
    create_tenant_table(
        t,
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=True),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pairing_code_hash", sa.String(length=64), nullable=True),
        sa.Column("pairing_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        foreign_key(t, "created_by", "users"),
        foreign_key(t, "unit_id", "units"),
    )
    tenant_index(t, "unit_id")
    tenant_index(t, "pairing_code_hash", unique=True, where="pairing_code_hash IS NOT NULL")
    t = "terminal_pairing_attempts"
    create_tenant_table(
        t,
        sa.Column("ip", postgresql.INET(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
    )
    tenant_index(t, "created_at")


def _pages_and_spots() -> None:
    t = "terminal_pages"
    create_tenant_table(
        t,
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "category IN ('facilities','hours','wifi','dining','other')",
            name=op.f("ck_terminal_pages_category"),
        ),
    )
    tenant_index(t, "sort_order")
    t = "terminal_spots"
    create_tenant_table(
        t,
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("opening_hours", sa.String(length=100), nullable=False),
        sa.Column("ticket_fen", sa.BigInteger(), nullable=True),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "distance_m IS NULL OR distance_m >= 0", name=op.f("ck_terminal_spots_distance_m")
        ),
        sa.CheckConstraint(
            "ticket_fen IS NULL OR ticket_fen >= 0", name=op.f("ck_terminal_spots_ticket_fen")
        ),
    )
    tenant_index(t, "sort_order")
    t = "terminal_spot_photos"
    create_tenant_table(
        t,
        sa.Column("spot_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        foreign_key(t, "spot_id", "terminal_spots", ondelete="CASCADE"),
    )
    tenant_index(t, "spot_id")


def _media_and_news() -> None:
    t = "terminal_videos"
    create_tenant_table(
        t,
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("poster_type", sa.String(length=32), nullable=True),
        sa.Column("poster", sa.LargeBinary(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
    )
    tenant_index(t, "sort_order")
    t = "terminal_announcements"
    create_tenant_table(
        t,
        sa.Column("body", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voyage_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_terminal_announcements_window")),
        foreign_key(t, "voyage_id", "voyages"),
    )
    tenant_index(t, "ends_at")
    t = "terminal_port_calls"
    create_tenant_table(
        t,
        sa.Column("voyage_id", sa.Uuid(), nullable=False),
        sa.Column("day_no", sa.Integer(), nullable=False),
        sa.Column("port", sa.String(length=60), nullable=False),
        sa.Column("arrive_time", sa.Time(), nullable=True),
        sa.Column("depart_time", sa.Time(), nullable=True),
        sa.Column("activity", sa.String(length=300), nullable=False),
        sa.CheckConstraint("day_no >= 1", name=op.f("ck_terminal_port_calls_day_no")),
        foreign_key(t, "voyage_id", "voyages"),
    )
    tenant_index(t, "voyage_id")


def upgrade() -> None:
    _devices()
    _pages_and_spots()
    _media_and_news()


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        drop_tenant_table(table)
