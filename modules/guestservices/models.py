"""Tables of the guestservices module (every one tenant-scoped, row-level security forced by
migration 0012).

Everything a guest asks for from the in-room terminal is tied to the stay (and the room it
was in at the time): service requests with their append-only status history, orders to the
room with their lines (each line also a charge on the folio), the room-service and minibar
menus, ratings and complaints. The terminal only ever reads rows of the stay its device is
paired to; the console reads them all.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key

REQUEST_STATUS_CHECK = "status IN ('new','acknowledged','in_progress','done','cancelled')"


class ServiceRequest(TenantScoped, Base):
    __tablename__ = "service_requests"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('housekeeping','maintenance','towels','wakeup','taxi','checkout')",
            name="kind",
        ),
        CheckConstraint(REQUEST_STATUS_CHECK, name="status"),
        Index("ix_service_requests_tenant_id_status", "tenant_id", "status"),
        Index("ix_service_requests_tenant_id_stay_id", "tenant_id", "stay_id"),
        tenant_key(),
        tenant_foreign_key("service_requests", "stay_id", "stays"),
        tenant_foreign_key("service_requests", "unit_id", "units"),
    )

    stay_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    unit_number: Mapped[str] = mapped_column(String(20))
    guest_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new")
    note: Mapped[str] = mapped_column(String(500), default="")
    due_at: Mapped[datetime | None]  # wake-up call or pick-up time
    destination: Mapped[str | None] = mapped_column(String(200))  # taxi or transfer
    device_id: Mapped[uuid.UUID | None]  # the terminal that sent it (None: staff)
    status_changed_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ServiceRequestEvent(TenantScoped, Base):
    """One status a request reached, who moved it there and when (append-only)."""

    __tablename__ = "service_request_events"
    __table_args__ = (
        CheckConstraint(REQUEST_STATUS_CHECK, name="status"),
        Index("ix_service_request_events_tenant_id_request_id", "tenant_id", "request_id"),
        tenant_foreign_key("service_request_events", "request_id", "service_requests"),
    )

    request_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16))
    by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    by_guest: Mapped[bool] = mapped_column(Boolean, default=False)


class MenuItem(TenantScoped, Base):
    __tablename__ = "menu_items"
    __table_args__ = (
        CheckConstraint("menu IN ('room_service','minibar')", name="menu"),
        CheckConstraint("price_fen > 0", name="price_positive"),
        Index("ix_menu_items_tenant_id_menu_sort_order", "tenant_id", "menu", "sort_order"),
        tenant_key(),
    )

    menu: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    price_fen: Mapped[int] = mapped_column(BigInteger)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class RoomOrder(TenantScoped, Base):
    __tablename__ = "room_orders"
    __table_args__ = (
        CheckConstraint("status IN ('new','preparing','delivered')", name="status"),
        CheckConstraint("total_fen > 0", name="total_positive"),
        Index("ix_room_orders_tenant_id_status", "tenant_id", "status"),
        Index("ix_room_orders_tenant_id_stay_id", "tenant_id", "stay_id"),
        tenant_key(),
        tenant_foreign_key("room_orders", "stay_id", "stays"),
        tenant_foreign_key("room_orders", "unit_id", "units"),
    )

    stay_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    unit_number: Mapped[str] = mapped_column(String(20))
    guest_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="new")
    total_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(500), default="")
    device_id: Mapped[uuid.UUID | None]
    status_changed_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    status_changed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class RoomOrderLine(TenantScoped, Base):
    """One item of an order, as it was priced when ordered, and the folio line charged."""

    __tablename__ = "room_order_lines"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 20", name="quantity"),
        CheckConstraint("amount_fen = unit_price_fen * quantity", name="amount"),
        Index("ix_room_order_lines_tenant_id_order_id", "tenant_id", "order_id"),
        tenant_foreign_key("room_order_lines", "folio_line_id", "folio_lines"),
        tenant_foreign_key("room_order_lines", "menu_item_id", "menu_items"),
        tenant_foreign_key("room_order_lines", "order_id", "room_orders"),
    )

    order_id: Mapped[uuid.UUID]
    menu_item_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(80))
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(SmallInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    folio_line_id: Mapped[uuid.UUID]


class Rating(TenantScoped, Base):
    """A guest's 1–5 for the stay, a service request or an order (one per subject)."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        Index("ix_ratings_tenant_id_created_at", "tenant_id", "created_at"),
        # One rating per subject: the stay once, each request once, each order once.
        Index(
            "uq_ratings_tenant_id_stay_id_of_stay",
            "tenant_id",
            "stay_id",
            unique=True,
            postgresql_where=text("subject = 'stay'"),
        ),
        Index(
            "uq_ratings_tenant_id_request_id",
            "tenant_id",
            "request_id",
            unique=True,
            postgresql_where=text("request_id IS NOT NULL"),
        ),
        Index(
            "uq_ratings_tenant_id_order_id",
            "tenant_id",
            "order_id",
            unique=True,
            postgresql_where=text("order_id IS NOT NULL"),
        ),
        tenant_foreign_key("ratings", "order_id", "room_orders"),
        tenant_foreign_key("ratings", "request_id", "service_requests"),
        tenant_foreign_key("ratings", "stay_id", "stays"),
    )

    stay_id: Mapped[uuid.UUID]
    unit_number: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(16))  # stay | a request kind | room_service
    request_id: Mapped[uuid.UUID | None]
    order_id: Mapped[uuid.UUID | None]
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(String(500), default="")


class Complaint(TenantScoped, Base):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("status IN ('open','answered','closed')", name="status"),
        Index("ix_complaints_tenant_id_status", "tenant_id", "status"),
        Index("ix_complaints_tenant_id_stay_id", "tenant_id", "stay_id"),
        tenant_foreign_key("complaints", "stay_id", "stays"),
    )

    stay_id: Mapped[uuid.UUID]
    unit_number: Mapped[str] = mapped_column(String(20))
    guest_name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(String(2000))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str | None] = mapped_column(String(2000))
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # Ready for the bureau's complaint channel: when it was forwarded and its number there.
    forwarded_at: Mapped[datetime | None]
    external_ref: Mapped[str | None] = mapped_column(String(64))
