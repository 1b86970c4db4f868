"""guestservices tables: service requests and their status history, menus, orders to the
room, ratings and complaints (forced RLS; the status history is append-only)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.migration_helpers import (
    append_only,
    create_tenant_table,
    drop_append_only,
    drop_tenant_table,
    foreign_key,
    tenant_index,
    timestamp_now,
)

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


def _menu_items() -> None:
    create_tenant_table(
        "menu_items",
        sa.Column("menu", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.CheckConstraint("menu IN ('room_service','minibar')", name=op.f("ck_menu_items_menu")),
        sa.CheckConstraint("price_fen > 0", name=op.f("ck_menu_items_price_positive")),
    )
    tenant_index("menu_items", "menu", "sort_order")


def _complaints() -> None:
    create_tenant_table(
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
        sa.CheckConstraint(
            "status IN ('open','answered','closed')", name=op.f("ck_complaints_status")
        ),
        foreign_key("complaints", "answered_by", "users"),
        foreign_key("complaints", "closed_by", "users"),
        foreign_key("complaints", "stay_id", "stays"),
    )
    tenant_index("complaints", "status")
    tenant_index("complaints", "stay_id")


def _room_orders() -> None:
    create_tenant_table(
        "room_orders",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("unit_number", sa.String(length=20), nullable=False),
        sa.Column("guest_name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        timestamp_now("status_changed_at"),
        sa.Column("status_changed_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "status IN ('new','preparing','delivered')", name=op.f("ck_room_orders_status")
        ),
        sa.CheckConstraint("total_fen > 0", name=op.f("ck_room_orders_total_positive")),
        foreign_key("room_orders", "status_changed_by", "users"),
        foreign_key("room_orders", "stay_id", "stays"),
        foreign_key("room_orders", "unit_id", "units"),
    )
    tenant_index("room_orders", "status")
    tenant_index("room_orders", "stay_id")


def _service_requests() -> None:
    create_tenant_table(
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
        timestamp_now("status_changed_at"),
        sa.CheckConstraint(
            "kind IN ('housekeeping','maintenance','towels','wakeup','taxi','checkout')",
            name=op.f("ck_service_requests_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('new','acknowledged','in_progress','done','cancelled')",
            name=op.f("ck_service_requests_status"),
        ),
        foreign_key("service_requests", "stay_id", "stays"),
        foreign_key("service_requests", "unit_id", "units"),
    )
    tenant_index("service_requests", "status")
    tenant_index("service_requests", "stay_id")


def _ratings() -> None:
    create_tenant_table(
        "ratings",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("unit_number", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_ratings_score")),
        foreign_key("ratings", "order_id", "room_orders"),
        foreign_key("ratings", "request_id", "service_requests"),
        foreign_key("ratings", "stay_id", "stays"),
    )
    tenant_index("ratings", "created_at")
    tenant_index("ratings", "order_id", unique=True, where="order_id IS NOT NULL")
    tenant_index("ratings", "request_id", unique=True, where="request_id IS NOT NULL")
    tenant_index("ratings", "stay_id", unique=True, where="subject = 'stay'", suffix="of_stay")


def _room_order_lines() -> None:
    create_tenant_table(
        "room_order_lines",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("menu_item_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.SmallInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("folio_line_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "amount_fen = unit_price_fen * quantity", name=op.f("ck_room_order_lines_amount")
        ),
        sa.CheckConstraint("quantity BETWEEN 1 AND 20", name=op.f("ck_room_order_lines_quantity")),
        foreign_key("room_order_lines", "folio_line_id", "folio_lines"),
        foreign_key("room_order_lines", "menu_item_id", "menu_items"),
        foreign_key("room_order_lines", "order_id", "room_orders"),
    )
    tenant_index("room_order_lines", "order_id")


def _service_request_events() -> None:
    create_tenant_table(
        "service_request_events",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("by_user_id", sa.Uuid(), nullable=True),
        sa.Column("by_guest", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('new','acknowledged','in_progress','done','cancelled')",
            name=op.f("ck_service_request_events_status"),
        ),
        foreign_key("service_request_events", "by_user_id", "users"),
        foreign_key("service_request_events", "request_id", "service_requests"),
    )
    tenant_index("service_request_events", "request_id")


def upgrade() -> None:
    _menu_items()
    _complaints()
    _room_orders()
    _service_requests()
    _ratings()
    _room_order_lines()
    _service_request_events()
    for table in APPEND_ONLY:
        append_only(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        drop_append_only(table)
    for table in reversed(TENANT_TABLES):
        drop_tenant_table(table)
