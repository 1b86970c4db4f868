"""frontdesk tables: stays, folio lines and room moves (forced RLS; folio lines and room
moves append-only)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.rls import disable_rls, enable_rls

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("stays", "folio_lines", "room_moves")
# Money on a bill and a guest's room history are corrected by new rows, never edited.
APPEND_ONLY = ("folio_lines", "room_moves")


def _stays() -> None:
    op.create_table(
        "stays",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("unit_number", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("guest_name", sa.String(length=100), nullable=False),
        sa.Column(
            "checked_in_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("checked_in_by", sa.Uuid(), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_out_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("status IN ('in_house','checked_out')", name=op.f("ck_stays_status")),
        sa.ForeignKeyConstraint(
            ["checked_in_by"], ["users.id"], name=op.f("fk_stays_checked_in_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["checked_out_by"], ["users.id"], name=op.f("fk_stays_checked_out_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_stays_reservation_id_reservations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_stays_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_stays_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stays")),
        sa.UniqueConstraint(
            "tenant_id", "reservation_id", name=op.f("uq_stays_tenant_id_reservation_id")
        ),
    )
    op.create_index("ix_stays_tenant_id_status", "stays", ["tenant_id", "status"], unique=False)
    op.create_index(
        "uq_stays_tenant_id_unit_id_in_house",
        "stays",
        ["tenant_id", "unit_id"],
        unique=True,
        postgresql_where=sa.text("status = 'in_house'"),
    )


def _folio_lines() -> None:
    op.create_table(
        "folio_lines",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("posted_by", sa.Uuid(), nullable=True),
        sa.Column(
            "posted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "amount_fen <> 0 AND (kind NOT IN ('charge','refund') OR amount_fen > 0) "
            "AND (kind <> 'payment' OR amount_fen < 0)",
            name=op.f("ck_folio_lines_amount_sign"),
        ),
        sa.CheckConstraint(
            "kind IN ('charge','payment','refund','adjustment')", name=op.f("ck_folio_lines_kind")
        ),
        sa.ForeignKeyConstraint(
            ["posted_by"], ["users.id"], name=op.f("fk_folio_lines_posted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_folio_lines_stay_id_stays")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_folio_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folio_lines")),
    )
    op.create_index(
        "ix_folio_lines_tenant_id_stay_id", "folio_lines", ["tenant_id", "stay_id"], unique=False
    )


def _room_moves() -> None:
    op.create_table(
        "room_moves",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("from_unit_id", sa.Uuid(), nullable=False),
        sa.Column("to_unit_id", sa.Uuid(), nullable=False),
        sa.Column("from_number", sa.String(length=20), nullable=False),
        sa.Column("to_number", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("moved_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["from_unit_id"], ["units.id"], name=op.f("fk_room_moves_from_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["moved_by"], ["users.id"], name=op.f("fk_room_moves_moved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_room_moves_stay_id_stays")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_room_moves_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_unit_id"], ["units.id"], name=op.f("fk_room_moves_to_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_moves")),
    )
    op.create_index(
        "ix_room_moves_tenant_id_stay_id", "room_moves", ["tenant_id", "stay_id"], unique=False
    )


def upgrade() -> None:
    _stays()
    _folio_lines()
    _room_moves()
    for table in TENANT_TABLES:
        enable_rls(op, table)
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION zhilv_refuse_change()"
        )


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    for table in TENANT_TABLES:
        disable_rls(op, table)
    op.drop_index("ix_room_moves_tenant_id_stay_id", table_name="room_moves")
    op.drop_table("room_moves")
    op.drop_index("ix_folio_lines_tenant_id_stay_id", table_name="folio_lines")
    op.drop_table("folio_lines")
    op.drop_index("uq_stays_tenant_id_unit_id_in_house", table_name="stays")
    op.drop_index("ix_stays_tenant_id_status", table_name="stays")
    op.drop_table("stays")
