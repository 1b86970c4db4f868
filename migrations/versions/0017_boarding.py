"""boarding tables: ships and their cabin plans, voyages as the purser runs them, port calls,
crew, the passenger manifest, pass signing keys, boarding passes, gangway scans and manifest
changes (forced RLS; scans and manifest changes are append-only)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.migration_helpers import append_only, drop_append_only
from app.db.rls import disable_rls, enable_rls

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create()
    for table in TABLES:
        enable_rls(op, table)
    for table in APPEND_ONLY:
        append_only(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        drop_append_only(table)
    for table in TABLES:
        disable_rls(op, table)
    _drop()


TABLES = (
    "boarding_pass_keys",
    "ships",
    "boarding_voyages",
    "ship_cabins",
    "boarding_port_calls",
    "crew_members",
    "passengers",
    "boarding_passes",
    "manifest_changes",
    "boarding_scans",
)
# A scan at the gangway and a change to the manifest are evidence: never edited.
APPEND_ONLY = ("boarding_scans", "manifest_changes")


def _create() -> None:
    op.create_table(
        "boarding_pass_keys",
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("private_key_sealed", sa.Text(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verify_until", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_boarding_pass_keys_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boarding_pass_keys")),
        sa.UniqueConstraint("tenant_id", "kid", name=op.f("uq_boarding_pass_keys_tenant_id_kid")),
    )
    op.create_table(
        "ships",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("decks", sa.SmallInteger(), nullable=False),
        sa.Column("passenger_capacity", sa.Integer(), nullable=False),
        sa.Column("length_m", sa.SmallInteger(), nullable=True),
        sa.Column("built_year", sa.SmallInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("decks BETWEEN 1 AND 20", name=op.f("ck_ships_decks")),
        sa.CheckConstraint("passenger_capacity > 0", name=op.f("ck_ships_passenger_capacity")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ships_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ships")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_ships_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_ships_tenant_id_id")),
    )
    op.create_table(
        "boarding_voyages",
        sa.Column("ship_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=16), server_default="", nullable=False),
        sa.Column("direction", sa.String(length=12), server_default="downstream", nullable=False),
        sa.Column("status", sa.String(length=12), server_default="planned", nullable=False),
        sa.Column("boarding_opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("boarding_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sails_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrives_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("cancel_reason", sa.String(length=300), nullable=True),
        sa.Column("report_filing_id", sa.Uuid(), nullable=True),
        sa.Column("report_filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('planned','boarding','sailing','arrived','cancelled')",
            name=op.f("ck_boarding_voyages_status"),
        ),
        sa.CheckConstraint(
            "boarding_closes_at <= sails_at", name=op.f("ck_boarding_voyages_closes_before_sailing")
        ),
        sa.CheckConstraint(
            "direction IN ('downstream','upstream')", name=op.f("ck_boarding_voyages_direction")
        ),
        sa.CheckConstraint(
            "boarding_opens_at < boarding_closes_at",
            name=op.f("ck_boarding_voyages_boarding_window"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "id"],
            ["voyages.tenant_id", "voyages.id"],
            name=op.f("fk_boarding_voyages_id_voyages"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ship_id"],
            ["ships.tenant_id", "ships.id"],
            name=op.f("fk_boarding_voyages_ship_id_ships"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_boarding_voyages_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boarding_voyages")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_boarding_voyages_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_boarding_voyages_tenant_id_sails_at"),
        "boarding_voyages",
        ["tenant_id", "sails_at"],
        unique=False,
    )
    op.create_table(
        "ship_cabins",
        sa.Column("ship_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("deck", sa.SmallInteger(), nullable=False),
        sa.Column("grade_code", sa.String(length=40), nullable=False),
        sa.Column("grade_name", sa.String(length=100), nullable=False),
        sa.Column("berths", sa.SmallInteger(), nullable=False),
        sa.Column(
            "features", sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("berths BETWEEN 1 AND 8", name=op.f("ck_ship_cabins_berths")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ship_id"],
            ["ships.tenant_id", "ships.id"],
            name=op.f("fk_ship_cabins_ship_id_ships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ship_cabins_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ship_cabins")),
        sa.UniqueConstraint(
            "tenant_id", "ship_id", "number", name=op.f("uq_ship_cabins_tenant_id_ship_id_number")
        ),
    )
    op.create_table(
        "boarding_port_calls",
        sa.Column("voyage_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("port_code", sa.String(length=8), nullable=False),
        sa.Column("arrives_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("departs_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("embarking", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("disembarking", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("activity", sa.String(length=300), server_default="", nullable=False),
        sa.Column("boarding_opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("boarding_closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("departed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "arrives_at IS NULL OR departs_at IS NULL OR arrives_at < departs_at",
            name=op.f("ck_boarding_port_calls_times"),
        ),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_boarding_port_calls_seq")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "voyage_id"],
            ["boarding_voyages.tenant_id", "boarding_voyages.id"],
            name=op.f("fk_boarding_port_calls_voyage_id_boarding_voyages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_boarding_port_calls_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boarding_port_calls")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_boarding_port_calls_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "voyage_id",
            "seq",
            name=op.f("uq_boarding_port_calls_tenant_id_voyage_id_seq"),
        ),
    )
    op.create_table(
        "crew_members",
        sa.Column("voyage_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("id_type", sa.String(length=20), server_default="resident_id", nullable=False),
        sa.Column("id_number", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=32), server_default="", nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "voyage_id"],
            ["boarding_voyages.tenant_id", "boarding_voyages.id"],
            name=op.f("fk_crew_members_voyage_id_boarding_voyages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_crew_members_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crew_members")),
        sa.UniqueConstraint(
            "tenant_id",
            "voyage_id",
            "id_number",
            name=op.f("uq_crew_members_tenant_id_voyage_id_id_number"),
        ),
    )
    op.create_index(
        op.f("ix_crew_members_tenant_id_voyage_id"),
        "crew_members",
        ["tenant_id", "voyage_id"],
        unique=False,
    )
    op.create_table(
        "passengers",
        sa.Column("voyage_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("cabin_number", sa.String(length=20), server_default="", nullable=False),
        sa.Column("boarding_call_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="booked", nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("sex", sa.String(length=1), server_default="", nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=40), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("nationality", sa.String(length=3), server_default="CHN", nullable=False),
        sa.Column("phone", sa.String(length=32), server_default="", nullable=False),
        sa.Column("is_lead", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_child", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("emergency_name", sa.String(length=60), server_default="", nullable=False),
        sa.Column("emergency_phone", sa.String(length=32), server_default="", nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checkin_invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("aboard", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("movements", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_moved_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("sex IN ('M','F','')", name=op.f("ck_passengers_sex")),
        sa.CheckConstraint(
            "status IN ('booked','checked_in','cancelled')", name=op.f("ck_passengers_status")
        ),
        sa.CheckConstraint(
            "aboard = (movements % 2 = 1)", name=op.f("ck_passengers_aboard_follows_movements")
        ),
        sa.CheckConstraint("movements >= 0", name=op.f("ck_passengers_movements")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "boarding_call_id"],
            ["boarding_port_calls.tenant_id", "boarding_port_calls.id"],
            name=op.f("fk_passengers_boarding_call_id_boarding_port_calls"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "reservation_id"],
            ["reservations.tenant_id", "reservations.id"],
            name=op.f("fk_passengers_reservation_id_reservations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["units.tenant_id", "units.id"],
            name=op.f("fk_passengers_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "voyage_id"],
            ["boarding_voyages.tenant_id", "boarding_voyages.id"],
            name=op.f("fk_passengers_voyage_id_boarding_voyages"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_passengers_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passengers")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_passengers_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_passengers_tenant_id_reservation_id"),
        "passengers",
        ["tenant_id", "reservation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_passengers_tenant_id_voyage_id_status"),
        "passengers",
        ["tenant_id", "voyage_id", "status"],
        unique=False,
    )
    op.create_index(
        "uq_passengers_tenant_id_voyage_id_id_number_live",
        "passengers",
        ["tenant_id", "voyage_id", "id_type", "id_number"],
        unique=True,
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.create_index(
        "ix_passengers_tenant_id_voyage_id_aboard",
        "passengers",
        ["tenant_id", "voyage_id"],
        unique=False,
        postgresql_where=sa.text("aboard"),
    )
    op.create_table(
        "boarding_passes",
        sa.Column("passenger_id", sa.Uuid(), nullable=False),
        sa.Column("voyage_id", sa.Uuid(), nullable=False),
        sa.Column("port_call_id", sa.Uuid(), nullable=False),
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=300), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("valid_from < valid_until", name=op.f("ck_boarding_passes_validity")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "passenger_id"],
            ["passengers.tenant_id", "passengers.id"],
            name=op.f("fk_boarding_passes_passenger_id_passengers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "port_call_id"],
            ["boarding_port_calls.tenant_id", "boarding_port_calls.id"],
            name=op.f("fk_boarding_passes_port_call_id_boarding_port_calls"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "voyage_id"],
            ["boarding_voyages.tenant_id", "boarding_voyages.id"],
            name=op.f("fk_boarding_passes_voyage_id_boarding_voyages"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_boarding_passes_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boarding_passes")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_boarding_passes_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_boarding_passes_tenant_id_passenger_id"),
        "boarding_passes",
        ["tenant_id", "passenger_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_boarding_passes_tenant_id_voyage_id"),
        "boarding_passes",
        ["tenant_id", "voyage_id"],
        unique=False,
    )
    op.create_table(
        "manifest_changes",
        sa.Column("voyage_id", sa.Uuid(), nullable=False),
        sa.Column("passenger_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("field", sa.String(length=40), server_default="", nullable=False),
        sa.Column("old_value", sa.String(length=300), server_default="", nullable=False),
        sa.Column("new_value", sa.String(length=300), server_default="", nullable=False),
        sa.Column("reason", sa.String(length=300), server_default="", nullable=False),
        sa.Column("by_user_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_manifest_changes_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "passenger_id"],
            ["passengers.tenant_id", "passengers.id"],
            name=op.f("fk_manifest_changes_passenger_id_passengers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "voyage_id"],
            ["boarding_voyages.tenant_id", "boarding_voyages.id"],
            name=op.f("fk_manifest_changes_voyage_id_boarding_voyages"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_manifest_changes_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifest_changes")),
    )
    op.create_index(
        op.f("ix_manifest_changes_tenant_id_voyage_id_created_at"),
        "manifest_changes",
        ["tenant_id", "voyage_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "boarding_scans",
        sa.Column("voyage_id", sa.Uuid(), nullable=True),
        sa.Column("port_call_id", sa.Uuid(), nullable=True),
        sa.Column("passenger_id", sa.Uuid(), nullable=True),
        sa.Column("pass_id", sa.Uuid(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("device_seq", sa.BigInteger(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("movement_no", sa.Integer(), nullable=True),
        sa.Column("offline", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("code_digest", sa.LargeBinary(), nullable=True),
        sa.Column("by_user_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(outcome = 'accepted') = (movement_no IS NOT NULL)",
            name=op.f("ck_boarding_scans_accepted_moves"),
        ),
        sa.CheckConstraint(
            "direction IN ('embark','disembark')", name=op.f("ck_boarding_scans_direction")
        ),
        sa.CheckConstraint(
            "movement_no IS NULL OR (direction = 'embark') = (movement_no % 2 = 1)",
            name=op.f("ck_boarding_scans_alternates"),
        ),
        sa.CheckConstraint(
            "outcome IN ('accepted','refused','conflict')", name=op.f("ck_boarding_scans_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_boarding_scans_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "pass_id"],
            ["boarding_passes.tenant_id", "boarding_passes.id"],
            name=op.f("fk_boarding_scans_pass_id_boarding_passes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "passenger_id"],
            ["passengers.tenant_id", "passengers.id"],
            name=op.f("fk_boarding_scans_passenger_id_passengers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "port_call_id"],
            ["boarding_port_calls.tenant_id", "boarding_port_calls.id"],
            name=op.f("fk_boarding_scans_port_call_id_boarding_port_calls"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "voyage_id"],
            ["boarding_voyages.tenant_id", "boarding_voyages.id"],
            name=op.f("fk_boarding_scans_voyage_id_boarding_voyages"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_boarding_scans_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boarding_scans")),
        sa.UniqueConstraint(
            "tenant_id",
            "device_id",
            "device_seq",
            name=op.f("uq_boarding_scans_tenant_id_device_id_device_seq"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "passenger_id",
            "movement_no",
            name=op.f("uq_boarding_scans_tenant_id_passenger_id_movement_no"),
        ),
    )
    op.create_index(
        op.f("ix_boarding_scans_tenant_id_voyage_id_scanned_at"),
        "boarding_scans",
        ["tenant_id", "voyage_id", "scanned_at"],
        unique=False,
    )


def _drop() -> None:
    op.drop_index(
        op.f("ix_boarding_scans_tenant_id_voyage_id_scanned_at"), table_name="boarding_scans"
    )
    op.drop_table("boarding_scans")
    op.drop_index(
        op.f("ix_manifest_changes_tenant_id_voyage_id_created_at"), table_name="manifest_changes"
    )
    op.drop_table("manifest_changes")
    op.drop_index(op.f("ix_boarding_passes_tenant_id_voyage_id"), table_name="boarding_passes")
    op.drop_index(op.f("ix_boarding_passes_tenant_id_passenger_id"), table_name="boarding_passes")
    op.drop_table("boarding_passes")
    op.drop_index(
        "uq_passengers_tenant_id_voyage_id_id_number_live",
        table_name="passengers",
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.drop_index(
        "ix_passengers_tenant_id_voyage_id_aboard",
        table_name="passengers",
        postgresql_where=sa.text("aboard"),
    )
    op.drop_index(op.f("ix_passengers_tenant_id_voyage_id_status"), table_name="passengers")
    op.drop_index(op.f("ix_passengers_tenant_id_reservation_id"), table_name="passengers")
    op.drop_table("passengers")
    op.drop_index(op.f("ix_crew_members_tenant_id_voyage_id"), table_name="crew_members")
    op.drop_table("crew_members")
    op.drop_table("boarding_port_calls")
    op.drop_table("ship_cabins")
    op.drop_index(op.f("ix_boarding_voyages_tenant_id_sails_at"), table_name="boarding_voyages")
    op.drop_table("boarding_voyages")
    op.drop_table("ships")
    op.drop_table("boarding_pass_keys")
