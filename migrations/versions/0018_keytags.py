"""keytags tables: the resort's key-tag settings, ticket types and holiday calendar, locker
sections and lockers, key tags, members and their balance entries, outlets and price lists,
visits and the tags they held, charges on the tag (append-only, unique per device sequence),
offline conflicts, shifts, desk tenders (append-only) and the monthly report filed (forced
RLS on every table)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db.migration_helpers import append_only, drop_append_only
from app.db.rls import disable_rls, enable_rls

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "key_tags",
    "spa_calendar_days",
    "spa_locker_sections",
    "spa_members",
    "spa_report_filings",
    "spa_settings",
    "spa_outlets",
    "spa_outlet_items",
    "spa_shifts",
    "spa_ticket_types",
    "spa_visits",
    "spa_charges",
    "spa_lockers",
    "spa_member_entries",
    "spa_tenders",
    "spa_visit_tags",
    "spa_charge_conflicts",
)
# Charges on a tag, money at the desk and a member's balance movements are evidence.
APPEND_ONLY = ("spa_charges", "spa_tenders", "spa_member_entries")


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


def _create() -> None:
    op.create_table(
        "key_tags",
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=4), server_default="rfid", nullable=False),
        sa.Column("status", sa.String(length=10), server_default="available", nullable=False),
        sa.Column("label", sa.String(length=20), server_default="", nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_reason", sa.String(length=200), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('rfid','qr')", name=op.f("ck_key_tags_kind")),
        sa.CheckConstraint(
            "status IN ('available','in_use','blocked','retired')", name=op.f("ck_key_tags_status")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_key_tags_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_tags")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_key_tags_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "uid", name=op.f("uq_key_tags_tenant_id_uid")),
    )
    op.create_table(
        "spa_calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=40), server_default="", nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('weekday','weekend','holiday')", name=op.f("ck_spa_calendar_days_kind")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_calendar_days_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_calendar_days")),
        sa.UniqueConstraint("tenant_id", "day", name=op.f("uq_spa_calendar_days_tenant_id_day")),
    )
    op.create_table(
        "spa_locker_sections",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sort_order", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('male','female','family')", name=op.f("ck_spa_locker_sections_kind")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_locker_sections_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_locker_sections")),
        sa.UniqueConstraint(
            "tenant_id", "code", name=op.f("uq_spa_locker_sections_tenant_id_code")
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_locker_sections_tenant_id_id")),
    )
    op.create_table(
        "spa_members",
        sa.Column("card_no", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("phone", sa.String(length=20), server_default="", nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("status", sa.String(length=8), server_default="active", nullable=False),
        sa.Column("level", sa.String(length=20), server_default="", nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('active','lost','closed')", name=op.f("ck_spa_members_status")
        ),
        sa.CheckConstraint("balance_fen >= 0", name=op.f("ck_spa_members_balance_fen")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_members_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_members")),
        sa.UniqueConstraint("tenant_id", "card_no", name=op.f("uq_spa_members_tenant_id_card_no")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_members_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_spa_members_tenant_id_phone"), "spa_members", ["tenant_id", "phone"], unique=False
    )
    op.create_table(
        "spa_report_filings",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("filing_id", sa.Uuid(), nullable=True),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
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
            name=op.f("fk_spa_report_filings_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_report_filings")),
        sa.UniqueConstraint(
            "tenant_id", "period", name=op.f("uq_spa_report_filings_tenant_id_period")
        ),
    )
    op.create_table(
        "spa_settings",
        sa.Column(
            "lost_tag_fee_fen", sa.BigInteger(), server_default=sa.text("5000"), nullable=False
        ),
        sa.Column(
            "default_deposit_fen", sa.BigInteger(), server_default=sa.text("50000"), nullable=False
        ),
        sa.Column(
            "exit_window_minutes", sa.SmallInteger(), server_default=sa.text("30"), nullable=False
        ),
        sa.Column(
            "outlet_void_minutes", sa.SmallInteger(), server_default=sa.text("10"), nullable=False
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
            "default_deposit_fen >= 0", name=op.f("ck_spa_settings_default_deposit_fen")
        ),
        sa.CheckConstraint(
            "exit_window_minutes BETWEEN 1 AND 240",
            name=op.f("ck_spa_settings_exit_window_minutes"),
        ),
        sa.CheckConstraint("lost_tag_fee_fen >= 0", name=op.f("ck_spa_settings_lost_tag_fee_fen")),
        sa.CheckConstraint(
            "outlet_void_minutes BETWEEN 0 AND 1440",
            name=op.f("ck_spa_settings_outlet_void_minutes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_settings_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_spa_settings_tenant_id")),
    )
    op.create_table(
        "spa_outlets",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("concession", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("concessionaire", sa.String(length=100), server_default="", nullable=False),
        sa.Column("commission_bp", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("sort_order", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('restaurant','bar','massage','shop','pool')", name=op.f("ck_spa_outlets_kind")
        ),
        sa.CheckConstraint(
            "commission_bp BETWEEN 0 AND 10000", name=op.f("ck_spa_outlets_commission_bp")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "api_key_id"],
            ["api_keys.tenant_id", "api_keys.id"],
            name=op.f("fk_spa_outlets_api_key_id_api_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_outlets_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_outlets")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_spa_outlets_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_outlets_tenant_id_id")),
    )
    op.create_index(
        "uq_spa_outlets_tenant_id_api_key_id",
        "spa_outlets",
        ["tenant_id", "api_key_id"],
        unique=True,
        postgresql_where=sa.text("api_key_id IS NOT NULL"),
    )
    op.create_table(
        "spa_outlet_items",
        sa.Column("outlet_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("name_en", sa.String(length=60), server_default="", nullable=False),
        sa.Column("unit", sa.String(length=5), server_default="item", nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("sort_order", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("unit IN ('item','use','hour')", name=op.f("ck_spa_outlet_items_unit")),
        sa.CheckConstraint("price_fen > 0", name=op.f("ck_spa_outlet_items_price_fen")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "outlet_id"],
            ["spa_outlets.tenant_id", "spa_outlets.id"],
            name=op.f("fk_spa_outlet_items_outlet_id_spa_outlets"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_outlet_items_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_outlet_items")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_outlet_items_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "outlet_id",
            "code",
            name=op.f("uq_spa_outlet_items_tenant_id_outlet_id_code"),
        ),
    )
    op.create_table(
        "spa_shifts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("outlet_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "opening_float_fen", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected_cash_fen", sa.BigInteger(), nullable=True),
        sa.Column("counted_cash_fen", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "closed_at IS NULL OR counted_cash_fen IS NOT NULL",
            name=op.f("ck_spa_shifts_counted_on_close"),
        ),
        sa.CheckConstraint("opening_float_fen >= 0", name=op.f("ck_spa_shifts_opening_float_fen")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "outlet_id"],
            ["spa_outlets.tenant_id", "spa_outlets.id"],
            name=op.f("fk_spa_shifts_outlet_id_spa_outlets"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_shifts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_spa_shifts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_shifts")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_shifts_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_spa_shifts_tenant_id_opened_at"),
        "spa_shifts",
        ["tenant_id", "opened_at"],
        unique=False,
    )
    op.create_index(
        "uq_spa_shifts_tenant_id_user_id_open",
        "spa_shifts",
        ["tenant_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "spa_ticket_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("name_en", sa.String(length=60), server_default="", nullable=False),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("price_weekday_fen", sa.BigInteger(), nullable=False),
        sa.Column("price_weekend_fen", sa.BigInteger(), nullable=False),
        sa.Column("price_holiday_fen", sa.BigInteger(), nullable=False),
        sa.Column("base_minutes", sa.Integer(), server_default=sa.text("720"), nullable=False),
        sa.Column("grace_minutes", sa.SmallInteger(), server_default=sa.text("15"), nullable=False),
        sa.Column(
            "overage_fen_per_hour", sa.BigInteger(), server_default=sa.text("2000"), nullable=False
        ),
        sa.Column(
            "credit_limit_fen", sa.BigInteger(), server_default=sa.text("50000"), nullable=False
        ),
        sa.Column("sold_from", sa.Time(), nullable=True),
        sa.Column("description", sa.String(length=300), server_default="", nullable=False),
        sa.Column("sold_online", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("unit_type_id", sa.Uuid(), nullable=True),
        sa.Column("sort_order", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "category IN ('adult','child','senior','evening')",
            name=op.f("ck_spa_ticket_types_category"),
        ),
        sa.CheckConstraint(
            "base_minutes BETWEEN 30 AND 2880", name=op.f("ck_spa_ticket_types_base_minutes")
        ),
        sa.CheckConstraint(
            "credit_limit_fen >= 0", name=op.f("ck_spa_ticket_types_credit_limit_fen")
        ),
        sa.CheckConstraint(
            "grace_minutes BETWEEN 0 AND 120", name=op.f("ck_spa_ticket_types_grace_minutes")
        ),
        sa.CheckConstraint(
            "overage_fen_per_hour >= 0", name=op.f("ck_spa_ticket_types_overage_fen_per_hour")
        ),
        sa.CheckConstraint(
            "price_weekday_fen >= 0 AND price_weekend_fen >= 0 AND price_holiday_fen >= 0",
            name=op.f("ck_spa_ticket_types_prices"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_type_id"],
            ["unit_types.tenant_id", "unit_types.id"],
            name=op.f("fk_spa_ticket_types_unit_type_id_unit_types"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_ticket_types_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_ticket_types")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_spa_ticket_types_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_ticket_types_tenant_id_id")),
    )
    op.create_table(
        "spa_visits",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("ticket_type_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("stay_id", sa.Uuid(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("guest_name", sa.String(length=60), server_default="", nullable=False),
        sa.Column("phone", sa.String(length=20), server_default="", nullable=False),
        sa.Column("tab_mode", sa.String(length=12), nullable=False),
        sa.Column("admission_fen", sa.BigInteger(), nullable=False),
        sa.Column(
            "admission_prepaid", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("limit_fen", sa.BigInteger(), nullable=False),
        sa.Column("tab_fen", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("deposit_fen", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("preauth_payment_id", sa.Uuid(), nullable=True),
        sa.Column("active_tag_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.Uuid(), nullable=True),
        sa.Column("gate_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.Uuid(), nullable=True),
        sa.Column("overage_fen", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("bill_fen", sa.BigInteger(), nullable=True),
        sa.Column("exit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "source IN ('walk_in','online','hotel','member')", name=op.f("ck_spa_visits_source")
        ),
        sa.CheckConstraint(
            "status = 'open' OR active_tag_id IS NULL",
            name=op.f("ck_spa_visits_tag_only_while_open"),
        ),
        sa.CheckConstraint(
            "status IN ('open','settled','closed','cancelled')", name=op.f("ck_spa_visits_status")
        ),
        sa.CheckConstraint(
            "tab_mode IN ('cash_deposit','card_preauth','postpay','folio','member')",
            name=op.f("ck_spa_visits_tab_mode"),
        ),
        sa.CheckConstraint(
            "admission_fen >= 0 AND deposit_fen >= 0 AND limit_fen >= 0",
            name=op.f("ck_spa_visits_money"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["users.id"], name=op.f("fk_spa_visits_opened_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["settled_by"], ["users.id"], name=op.f("fk_spa_visits_settled_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "active_tag_id"],
            ["key_tags.tenant_id", "key_tags.id"],
            name=op.f("fk_spa_visits_active_tag_id_key_tags"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["spa_members.tenant_id", "spa_members.id"],
            name=op.f("fk_spa_visits_member_id_spa_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "reservation_id"],
            ["reservations.tenant_id", "reservations.id"],
            name=op.f("fk_spa_visits_reservation_id_reservations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "stay_id"],
            ["stays.tenant_id", "stays.id"],
            name=op.f("fk_spa_visits_stay_id_stays"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ticket_type_id"],
            ["spa_ticket_types.tenant_id", "spa_ticket_types.id"],
            name=op.f("fk_spa_visits_ticket_type_id_spa_ticket_types"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_visits_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_visits")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_visits_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_spa_visits_tenant_id_number")),
    )
    op.create_index(
        op.f("ix_spa_visits_tenant_id_business_date"),
        "spa_visits",
        ["tenant_id", "business_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_spa_visits_tenant_id_party_id"),
        "spa_visits",
        ["tenant_id", "party_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_spa_visits_tenant_id_reservation_id"),
        "spa_visits",
        ["tenant_id", "reservation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_spa_visits_tenant_id_status"), "spa_visits", ["tenant_id", "status"], unique=False
    )
    op.create_index(
        "uq_spa_visits_tenant_id_active_tag_id",
        "spa_visits",
        ["tenant_id", "active_tag_id"],
        unique=True,
        postgresql_where=sa.text("active_tag_id IS NOT NULL"),
    )
    op.create_table(
        "spa_charges",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=True),
        sa.Column("outlet_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("description", sa.String(length=120), nullable=False),
        sa.Column(
            "lines",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("voids_charge_id", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("device_seq", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offline", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'void') = (amount_fen < 0)", name=op.f("ck_spa_charges_void_is_negative")
        ),
        sa.CheckConstraint(
            "(kind = 'void') = (voids_charge_id IS NOT NULL)",
            name=op.f("ck_spa_charges_void_names_charge"),
        ),
        sa.CheckConstraint("kind IN ('charge','void','fee')", name=op.f("ck_spa_charges_kind")),
        sa.CheckConstraint(
            "device_seq IS NULL OR device_seq >= 0", name=op.f("ck_spa_charges_device_seq")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_spa_charges_approved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "api_key_id"],
            ["api_keys.tenant_id", "api_keys.id"],
            name=op.f("fk_spa_charges_api_key_id_api_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "outlet_id"],
            ["spa_outlets.tenant_id", "spa_outlets.id"],
            name=op.f("fk_spa_charges_outlet_id_spa_outlets"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "tag_id"],
            ["key_tags.tenant_id", "key_tags.id"],
            name=op.f("fk_spa_charges_tag_id_key_tags"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "visit_id"],
            ["spa_visits.tenant_id", "spa_visits.id"],
            name=op.f("fk_spa_charges_visit_id_spa_visits"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "voids_charge_id"],
            ["spa_charges.tenant_id", "spa_charges.id"],
            name=op.f("fk_spa_charges_voids_charge_id_spa_charges"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_charges_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_spa_charges_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_charges")),
        sa.UniqueConstraint(
            "tenant_id",
            "device_id",
            "device_seq",
            name=op.f("uq_spa_charges_tenant_id_device_id_device_seq"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_charges_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "voids_charge_id", name=op.f("uq_spa_charges_tenant_id_voids_charge_id")
        ),
    )
    op.create_index(
        op.f("ix_spa_charges_tenant_id_outlet_id_recorded_at"),
        "spa_charges",
        ["tenant_id", "outlet_id", "recorded_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_spa_charges_tenant_id_visit_id"),
        "spa_charges",
        ["tenant_id", "visit_id"],
        unique=False,
    )
    op.create_table(
        "spa_lockers",
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="free", nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'occupied') = (visit_id IS NOT NULL)",
            name=op.f("ck_spa_lockers_occupied_by_visit"),
        ),
        sa.CheckConstraint(
            "status IN ('free','occupied','out_of_order')", name=op.f("ck_spa_lockers_status")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "section_id"],
            ["spa_locker_sections.tenant_id", "spa_locker_sections.id"],
            name=op.f("fk_spa_lockers_section_id_spa_locker_sections"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "visit_id"],
            ["spa_visits.tenant_id", "spa_visits.id"],
            name=op.f("fk_spa_lockers_visit_id_spa_visits"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_lockers_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_lockers")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_lockers_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "section_id",
            "number",
            name=op.f("uq_spa_lockers_tenant_id_section_id_number"),
        ),
    )
    op.create_index(
        op.f("ix_spa_lockers_tenant_id_section_id_status"),
        "spa_lockers",
        ["tenant_id", "section_id", "status"],
        unique=False,
    )
    op.create_index(
        "uq_spa_lockers_tenant_id_visit_id",
        "spa_lockers",
        ["tenant_id", "visit_id"],
        unique=True,
        postgresql_where=sa.text("visit_id IS NOT NULL"),
    )
    op.create_table(
        "spa_member_entries",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_fen", sa.BigInteger(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(length=8), server_default="", nullable=False),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('topup','spend','refund','adjust')", name=op.f("ck_spa_member_entries_kind")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["spa_members.tenant_id", "spa_members.id"],
            name=op.f("fk_spa_member_entries_member_id_spa_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "visit_id"],
            ["spa_visits.tenant_id", "spa_visits.id"],
            name=op.f("fk_spa_member_entries_visit_id_spa_visits"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_member_entries_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_spa_member_entries_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_member_entries")),
    )
    op.create_index(
        op.f("ix_spa_member_entries_tenant_id_member_id_created_at"),
        "spa_member_entries",
        ["tenant_id", "member_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "spa_tenders",
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("shift_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=80), server_default="", nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('deposit','deposit_return','payment','refund','topup')",
            name=op.f("ck_spa_tenders_kind"),
        ),
        sa.CheckConstraint(
            "method IN ('cash','card','wechat','alipay','preauth','folio','member','online',"
            "'package')",
            name=op.f("ck_spa_tenders_method"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_spa_tenders_amount_fen")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["spa_members.tenant_id", "spa_members.id"],
            name=op.f("fk_spa_tenders_member_id_spa_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "shift_id"],
            ["spa_shifts.tenant_id", "spa_shifts.id"],
            name=op.f("fk_spa_tenders_shift_id_spa_shifts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "visit_id"],
            ["spa_visits.tenant_id", "spa_visits.id"],
            name=op.f("fk_spa_tenders_visit_id_spa_visits"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_tenders_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_spa_tenders_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_tenders")),
    )
    op.create_index(
        op.f("ix_spa_tenders_tenant_id_created_at"),
        "spa_tenders",
        ["tenant_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_spa_tenders_tenant_id_shift_id"),
        "spa_tenders",
        ["tenant_id", "shift_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_spa_tenders_tenant_id_visit_id"),
        "spa_tenders",
        ["tenant_id", "visit_id"],
        unique=False,
    )
    op.create_table(
        "spa_visit_tags",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.String(length=10), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "release_reason IS NULL OR release_reason IN ('exit','lost','swapped','cancelled')",
            name=op.f("ck_spa_visit_tags_release_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "tag_id"],
            ["key_tags.tenant_id", "key_tags.id"],
            name=op.f("fk_spa_visit_tags_tag_id_key_tags"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "visit_id"],
            ["spa_visits.tenant_id", "spa_visits.id"],
            name=op.f("fk_spa_visit_tags_visit_id_spa_visits"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_visit_tags_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_visit_tags")),
    )
    op.create_index(
        op.f("ix_spa_visit_tags_tenant_id_tag_id_bound_at"),
        "spa_visit_tags",
        ["tenant_id", "tag_id", "bound_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_spa_visit_tags_tenant_id_visit_id"),
        "spa_visit_tags",
        ["tenant_id", "visit_id"],
        unique=False,
    )
    op.create_table(
        "spa_charge_conflicts",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("device_seq", sa.BigInteger(), nullable=False),
        sa.Column("outlet_id", sa.Uuid(), nullable=False),
        sa.Column("tag_uid", sa.String(length=32), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column(
            "lines",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="open", nullable=False),
        sa.Column("charge_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_note", sa.String(length=200), server_default="", nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "reason IN ('limit','blocked','closed','unknown')",
            name=op.f("ck_spa_charge_conflicts_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('open','posted','written_off')", name=op.f("ck_spa_charge_conflicts_status")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_spa_charge_conflicts_resolved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "charge_id"],
            ["spa_charges.tenant_id", "spa_charges.id"],
            name=op.f("fk_spa_charge_conflicts_charge_id_spa_charges"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "outlet_id"],
            ["spa_outlets.tenant_id", "spa_outlets.id"],
            name=op.f("fk_spa_charge_conflicts_outlet_id_spa_outlets"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "visit_id"],
            ["spa_visits.tenant_id", "spa_visits.id"],
            name=op.f("fk_spa_charge_conflicts_visit_id_spa_visits"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spa_charge_conflicts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spa_charge_conflicts")),
        sa.UniqueConstraint(
            "tenant_id",
            "device_id",
            "device_seq",
            name=op.f("uq_spa_charge_conflicts_tenant_id_device_id_device_seq"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_spa_charge_conflicts_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_spa_charge_conflicts_tenant_id_status"),
        "spa_charge_conflicts",
        ["tenant_id", "status"],
        unique=False,
    )


def _drop() -> None:
    op.drop_index(
        op.f("ix_spa_charge_conflicts_tenant_id_status"), table_name="spa_charge_conflicts"
    )
    op.drop_table("spa_charge_conflicts")
    op.drop_index(op.f("ix_spa_visit_tags_tenant_id_visit_id"), table_name="spa_visit_tags")
    op.drop_index(op.f("ix_spa_visit_tags_tenant_id_tag_id_bound_at"), table_name="spa_visit_tags")
    op.drop_table("spa_visit_tags")
    op.drop_index(op.f("ix_spa_tenders_tenant_id_visit_id"), table_name="spa_tenders")
    op.drop_index(op.f("ix_spa_tenders_tenant_id_shift_id"), table_name="spa_tenders")
    op.drop_index(op.f("ix_spa_tenders_tenant_id_created_at"), table_name="spa_tenders")
    op.drop_table("spa_tenders")
    op.drop_index(
        op.f("ix_spa_member_entries_tenant_id_member_id_created_at"),
        table_name="spa_member_entries",
    )
    op.drop_table("spa_member_entries")
    op.drop_index(
        "uq_spa_lockers_tenant_id_visit_id",
        table_name="spa_lockers",
        postgresql_where=sa.text("visit_id IS NOT NULL"),
    )
    op.drop_index(op.f("ix_spa_lockers_tenant_id_section_id_status"), table_name="spa_lockers")
    op.drop_table("spa_lockers")
    op.drop_index(op.f("ix_spa_charges_tenant_id_visit_id"), table_name="spa_charges")
    op.drop_index(op.f("ix_spa_charges_tenant_id_outlet_id_recorded_at"), table_name="spa_charges")
    op.drop_table("spa_charges")
    op.drop_index(
        "uq_spa_visits_tenant_id_active_tag_id",
        table_name="spa_visits",
        postgresql_where=sa.text("active_tag_id IS NOT NULL"),
    )
    op.drop_index(op.f("ix_spa_visits_tenant_id_status"), table_name="spa_visits")
    op.drop_index(op.f("ix_spa_visits_tenant_id_reservation_id"), table_name="spa_visits")
    op.drop_index(op.f("ix_spa_visits_tenant_id_party_id"), table_name="spa_visits")
    op.drop_index(op.f("ix_spa_visits_tenant_id_business_date"), table_name="spa_visits")
    op.drop_table("spa_visits")
    op.drop_table("spa_ticket_types")
    op.drop_index(
        "uq_spa_shifts_tenant_id_user_id_open",
        table_name="spa_shifts",
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.drop_index(op.f("ix_spa_shifts_tenant_id_opened_at"), table_name="spa_shifts")
    op.drop_table("spa_shifts")
    op.drop_table("spa_outlet_items")
    op.drop_index(
        "uq_spa_outlets_tenant_id_api_key_id",
        table_name="spa_outlets",
        postgresql_where=sa.text("api_key_id IS NOT NULL"),
    )
    op.drop_table("spa_outlets")
    op.drop_table("spa_settings")
    op.drop_table("spa_report_filings")
    op.drop_index(op.f("ix_spa_members_tenant_id_phone"), table_name="spa_members")
    op.drop_table("spa_members")
    op.drop_table("spa_locker_sections")
    op.drop_table("spa_calendar_days")
    op.drop_table("key_tags")
