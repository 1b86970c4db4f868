"""guestservices tables: service requests and their status history, menus, orders to the
room, ratings and complaints (forced RLS; the status history is append-only)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.rls import disable_rls, enable_rls

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# In the order they are created (foreign keys point backwards).
TENANT_TABLES = (
    "menu_items",
    "complaints",
    "room_orders",
    "service_requests",
    "ratings",
    "room_order_lines",
    "service_request_events",
)
# Who moved a guest's request when is evidence in a dispute: never edited.
APPEND_ONLY = ("service_request_events",)


def upgrade() -> None:
    op.create_table(
        "menu_items",
        sa.Column("menu", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("menu IN ('room_service','minibar')", name=op.f("ck_menu_items_menu")),
        sa.CheckConstraint("price_fen > 0", name=op.f("ck_menu_items_price_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_menu_items_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_items")),
    )
    op.create_index(
        "ix_menu_items_tenant_id_menu_sort_order",
        "menu_items",
        ["tenant_id", "menu", "sort_order"],
        unique=False,
    )
    op.create_table(
        "complaints",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("unit_number", sa.String(length=20), nullable=False),
        sa.Column("guest_name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Uuid(), nullable=True),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("external_ref", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open','answered','closed')", name=op.f("ck_complaints_status")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_complaints_answered_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_complaints_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_complaints_stay_id_stays")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_complaints_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(
        "ix_complaints_tenant_id_status", "complaints", ["tenant_id", "status"], unique=False
    )
    op.create_index(
        "ix_complaints_tenant_id_stay_id", "complaints", ["tenant_id", "stay_id"], unique=False
    )
    op.create_table(
        "room_orders",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("unit_number", sa.String(length=20), nullable=False),
        sa.Column("guest_name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("status_changed_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('new','preparing','delivered')", name=op.f("ck_room_orders_status")
        ),
        sa.CheckConstraint("total_fen > 0", name=op.f("ck_room_orders_total_positive")),
        sa.ForeignKeyConstraint(
            ["status_changed_by"], ["users.id"], name=op.f("fk_room_orders_status_changed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_room_orders_stay_id_stays")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_room_orders_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_room_orders_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_orders")),
    )
    op.create_index(
        "ix_room_orders_tenant_id_status", "room_orders", ["tenant_id", "status"], unique=False
    )
    op.create_index(
        "ix_room_orders_tenant_id_stay_id", "room_orders", ["tenant_id", "stay_id"], unique=False
    )
    op.create_table(
        "service_requests",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("unit_number", sa.String(length=20), nullable=False),
        sa.Column("guest_name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("destination", sa.String(length=200), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status_changed_at",
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
        sa.CheckConstraint(
            "kind IN ('housekeeping','maintenance','towels','wakeup','taxi','checkout')",
            name=op.f("ck_service_requests_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('new','acknowledged','in_progress','done','cancelled')",
            name=op.f("ck_service_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_service_requests_stay_id_stays")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_service_requests_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_service_requests_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_requests")),
    )
    op.create_index(
        "ix_service_requests_tenant_id_status",
        "service_requests",
        ["tenant_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_service_requests_tenant_id_stay_id",
        "service_requests",
        ["tenant_id", "stay_id"],
        unique=False,
    )
    op.create_table(
        "ratings",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("unit_number", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_ratings_score")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["room_orders.id"], name=op.f("fk_ratings_order_id_room_orders")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_ratings_request_id_service_requests"),
        ),
        sa.ForeignKeyConstraint(["stay_id"], ["stays.id"], name=op.f("fk_ratings_stay_id_stays")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ratings_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
    )
    op.create_index(
        "ix_ratings_tenant_id_created_at", "ratings", ["tenant_id", "created_at"], unique=False
    )
    op.create_index(
        "uq_ratings_tenant_id_order_id",
        "ratings",
        ["tenant_id", "order_id"],
        unique=True,
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.create_index(
        "uq_ratings_tenant_id_request_id",
        "ratings",
        ["tenant_id", "request_id"],
        unique=True,
        postgresql_where=sa.text("request_id IS NOT NULL"),
    )
    op.create_index(
        "uq_ratings_tenant_id_stay_id_of_stay",
        "ratings",
        ["tenant_id", "stay_id"],
        unique=True,
        postgresql_where=sa.text("subject = 'stay'"),
    )
    op.create_table(
        "room_order_lines",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("menu_item_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.SmallInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("folio_line_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "amount_fen = unit_price_fen * quantity", name=op.f("ck_room_order_lines_amount")
        ),
        sa.CheckConstraint("quantity BETWEEN 1 AND 20", name=op.f("ck_room_order_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["folio_line_id"],
            ["folio_lines.id"],
            name=op.f("fk_room_order_lines_folio_line_id_folio_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["menu_item_id"],
            ["menu_items.id"],
            name=op.f("fk_room_order_lines_menu_item_id_menu_items"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["room_orders.id"], name=op.f("fk_room_order_lines_order_id_room_orders")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_room_order_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_order_lines")),
    )
    op.create_index(
        "ix_room_order_lines_tenant_id_order_id",
        "room_order_lines",
        ["tenant_id", "order_id"],
        unique=False,
    )
    op.create_table(
        "service_request_events",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("by_user_id", sa.Uuid(), nullable=True),
        sa.Column("by_guest", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('new','acknowledged','in_progress','done','cancelled')",
            name=op.f("ck_service_request_events_status"),
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_service_request_events_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_service_request_events_request_id_service_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_service_request_events_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_request_events")),
    )
    op.create_index(
        "ix_service_request_events_tenant_id_request_id",
        "service_request_events",
        ["tenant_id", "request_id"],
        unique=False,
    )

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
    for table in reversed(TENANT_TABLES):
        disable_rls(op, table)
        op.drop_table(table)
