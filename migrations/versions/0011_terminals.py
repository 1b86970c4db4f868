"""terminals tables: devices and pairing attempts, information pages, scenic spots and
their photos, videos, announcements, voyage port calls (forced RLS)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db.rls import disable_rls, enable_rls

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


def _devices() -> None:
    t = "terminal_devices"
    op.create_table(
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
        *_common(t),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_terminal_devices_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_terminal_devices_unit_id_units")
        ),
    )
    op.create_index("ix_terminal_devices_tenant_id_unit_id", t, ["tenant_id", "unit_id"])
    op.create_index(
        "uq_terminal_devices_tenant_id_pairing_code_hash",
        t,
        ["tenant_id", "pairing_code_hash"],
        unique=True,
        postgresql_where=sa.text("pairing_code_hash IS NOT NULL"),
    )
    t = "terminal_pairing_attempts"
    op.create_table(
        t,
        sa.Column("ip", postgresql.INET(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        *_common(t),
    )
    op.create_index(
        "ix_terminal_pairing_attempts_tenant_id_created_at", t, ["tenant_id", "created_at"]
    )


def _pages_and_spots() -> None:
    t = "terminal_pages"
    op.create_table(
        t,
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        *_common(t),
        sa.CheckConstraint(
            "category IN ('facilities','hours','wifi','dining','other')",
            name=op.f("ck_terminal_pages_category"),
        ),
    )
    op.create_index("ix_terminal_pages_tenant_id_sort_order", t, ["tenant_id", "sort_order"])
    t = "terminal_spots"
    op.create_table(
        t,
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("opening_hours", sa.String(length=100), nullable=False),
        sa.Column("ticket_fen", sa.BigInteger(), nullable=True),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        *_common(t),
        sa.CheckConstraint(
            "distance_m IS NULL OR distance_m >= 0", name=op.f("ck_terminal_spots_distance_m")
        ),
        sa.CheckConstraint(
            "ticket_fen IS NULL OR ticket_fen >= 0", name=op.f("ck_terminal_spots_ticket_fen")
        ),
    )
    op.create_index("ix_terminal_spots_tenant_id_sort_order", t, ["tenant_id", "sort_order"])
    t = "terminal_spot_photos"
    op.create_table(
        t,
        sa.Column("spot_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        *_common(t),
        sa.ForeignKeyConstraint(
            ["spot_id"],
            ["terminal_spots.id"],
            name=op.f("fk_terminal_spot_photos_spot_id_terminal_spots"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_terminal_spot_photos_tenant_id_spot_id", t, ["tenant_id", "spot_id"])


def _media_and_news() -> None:
    t = "terminal_videos"
    op.create_table(
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
        *_common(t),
    )
    op.create_index("ix_terminal_videos_tenant_id_sort_order", t, ["tenant_id", "sort_order"])
    t = "terminal_announcements"
    op.create_table(
        t,
        sa.Column("body", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voyage_id", sa.Uuid(), nullable=True),
        *_common(t),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_terminal_announcements_window")),
        sa.ForeignKeyConstraint(
            ["voyage_id"], ["voyages.id"], name=op.f("fk_terminal_announcements_voyage_id_voyages")
        ),
    )
    op.create_index("ix_terminal_announcements_tenant_id_ends_at", t, ["tenant_id", "ends_at"])
    t = "terminal_port_calls"
    op.create_table(
        t,
        sa.Column("voyage_id", sa.Uuid(), nullable=False),
        sa.Column("day_no", sa.Integer(), nullable=False),
        sa.Column("port", sa.String(length=60), nullable=False),
        sa.Column("arrive_time", sa.Time(), nullable=True),
        sa.Column("depart_time", sa.Time(), nullable=True),
        sa.Column("activity", sa.String(length=300), nullable=False),
        *_common(t),
        sa.CheckConstraint("day_no >= 1", name=op.f("ck_terminal_port_calls_day_no")),
        sa.ForeignKeyConstraint(
            ["voyage_id"], ["voyages.id"], name=op.f("fk_terminal_port_calls_voyage_id_voyages")
        ),
    )
    op.create_index("ix_terminal_port_calls_tenant_id_voyage_id", t, ["tenant_id", "voyage_id"])


def upgrade() -> None:
    _devices()
    _pages_and_spots()
    _media_and_news()
    for table in TENANT_TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        disable_rls(op, table)
        op.drop_table(table)
