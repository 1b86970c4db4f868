"""Tables of the reservations module: what can be sold (unit types, units, voyages, the
daily inventory calendar, rate plans), what was sold (reservations and their nights) and
the answers already given to API writes (idempotency keys). All tenant-owned, under
forced row-level security.

`inventory_days.sold <= total` is a CHECK constraint: whatever the code does, the
database refuses to overbook.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key


def _in(values: tuple[str, ...]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


KINDS = ("room", "cabin", "admission", "table")
UNIT_STATUSES = ("clean", "dirty", "inspected", "out_of_order")
PLAN_KINDS = ("rack", "member", "corporate", "distributor_net")
FEE_KINDS = ("none", "first_night", "percent", "full")
STATUSES = ("held", "confirmed", "cancelled", "expired", "no_show", "checked_in", "checked_out")
PAYMENT_STATES = ("unpaid", "deposit_paid", "paid", "partially_refunded", "refunded")
SOURCES = ("direct", "booking_page", "front_desk", "api", "distribution")


class Voyage(TenantScoped, Base):
    """One sailing of a cruise ship (重庆→宜昌 下水, 4 days / 3 nights). Cabin grades are
    sold per voyage, for the whole voyage."""

    __tablename__ = "voyages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint("arrive_on > depart_on", "dates"),
        CheckConstraint("direction IN ('downstream','upstream')", "direction"),
        CheckConstraint("status IN ('scheduled','cancelled')", "status"),
        Index(None, "tenant_id", "depart_on"),
        tenant_key(),
    )

    code: Mapped[str] = mapped_column(String(40))
    ship: Mapped[str] = mapped_column(String(100))
    route: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(12), server_default="downstream")
    depart_on: Mapped[date] = mapped_column(Date)
    arrive_on: Mapped[date] = mapped_column(Date)
    embark_port: Mapped[str] = mapped_column(String(100), server_default="")
    disembark_port: Mapped[str] = mapped_column(String(100), server_default="")
    status: Mapped[str] = mapped_column(String(12), server_default="scheduled")


class UnitType(TenantScoped, Base):
    """A bookable kind of thing: a room type, a cabin grade on one voyage, an admission
    ticket, a table slot. Sold out of `inventory_days`, one row per date."""

    __tablename__ = "unit_types"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint(f"kind IN {_in(KINDS)}", "kind"),
        CheckConstraint("capacity BETWEEN 1 AND 50", "capacity"),
        CheckConstraint("base_price_fen >= 0", "base_price_fen"),
        Index(None, "tenant_id", "voyage_id"),
        tenant_key(),
        tenant_foreign_key("unit_types", "voyage_id", "voyages"),
    )

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12), server_default="room")
    capacity: Mapped[int] = mapped_column(SmallInteger, server_default=text("2"))
    voyage_id: Mapped[uuid.UUID | None]
    description: Mapped[str] = mapped_column(Text, server_default="")
    base_price_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    sort_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class Unit(TenantScoped, Base):
    """A physical room or cabin (1203, A-218) with its housekeeping status. Numbers are
    unique per tenant, per voyage for cabins (NULLS NOT DISTINCT: hotel rooms share the
    NULL voyage)."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("tenant_id", "voyage_id", "number", postgresql_nulls_not_distinct=True),
        CheckConstraint(f"status IN {_in(UNIT_STATUSES)}", "status"),
        Index(None, "tenant_id", "unit_type_id"),
        tenant_key(),
        tenant_foreign_key("units", "unit_type_id", "unit_types"),
        tenant_foreign_key("units", "voyage_id", "voyages"),
    )

    unit_type_id: Mapped[uuid.UUID]
    voyage_id: Mapped[uuid.UUID | None]
    number: Mapped[str] = mapped_column(String(20))
    floor: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    status: Mapped[str] = mapped_column(String(16), server_default="clean")
    features: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    status_changed_at: Mapped[datetime] = mapped_column(server_default=func.now())


class InventoryDay(TenantScoped, Base):
    """How many units of a type exist and are sold on one date, at what rack price, with
    the date's restrictions. `sold` changes only inside the booking statements."""

    __tablename__ = "inventory_days"
    __table_args__ = (
        UniqueConstraint("tenant_id", "unit_type_id", "day"),
        CheckConstraint("sold >= 0 AND sold <= total", "never_overbooked"),
        CheckConstraint("price_fen >= 0", "price_fen"),
        CheckConstraint("min_stay BETWEEN 1 AND 30", "min_stay"),
        tenant_foreign_key("inventory_days", "unit_type_id", "unit_types"),
    )

    unit_type_id: Mapped[uuid.UUID]
    day: Mapped[date] = mapped_column(Date)
    total: Mapped[int] = mapped_column(Integer)
    sold: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    closed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    closed_to_arrival: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    min_stay: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))


class RatePlan(TenantScoped, Base):
    """How a price is derived from rack (percent off, or a fixed net for distributors)
    and the terms that come with it: free cancellation until N hours before arrival,
    the fee after that, and the deposit taken when booking."""

    __tablename__ = "rate_plans"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint(f"kind IN {_in(PLAN_KINDS)}", "kind"),
        CheckConstraint("discount_bp BETWEEN 0 AND 10000", "discount_bp"),
        CheckConstraint("net_price_fen IS NULL OR net_price_fen >= 0", "net_price_fen"),
        CheckConstraint(f"cancel_fee_kind IN {_in(FEE_KINDS)}", "cancel_fee_kind"),
        CheckConstraint(f"deposit_kind IN {_in(FEE_KINDS)}", "deposit_kind"),
        CheckConstraint("cancel_fee_bp BETWEEN 0 AND 10000", "cancel_fee_bp"),
        CheckConstraint("deposit_bp BETWEEN 0 AND 10000", "deposit_bp"),
        CheckConstraint("free_cancel_hours BETWEEN 0 AND 8760", "free_cancel_hours"),
        tenant_key(),
    )

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), server_default="rack")
    discount_bp: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    net_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    free_cancel_hours: Mapped[int] = mapped_column(Integer, server_default=text("24"))
    cancel_fee_kind: Mapped[str] = mapped_column(String(12), server_default="first_night")
    cancel_fee_bp: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    deposit_kind: Mapped[str] = mapped_column(String(12), server_default="none")
    deposit_bp: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class Reservation(TenantScoped, Base):
    """A booking of `quantity` units of one type for the nights [arrival, departure).
    While held, confirmed or checked in it occupies inventory."""

    __tablename__ = "reservations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint(f"status IN {_in(STATUSES)}", "status"),
        CheckConstraint(f"payment_state IN {_in(PAYMENT_STATES)}", "payment_state"),
        CheckConstraint(f"source IN {_in(SOURCES)}", "source"),
        CheckConstraint("departure > arrival", "dates"),
        CheckConstraint("quantity >= 1 AND adults >= 1 AND children >= 0", "party"),
        CheckConstraint("status <> 'held' OR hold_expires_at IS NOT NULL", "hold_expires"),
        CheckConstraint(
            "total_fen >= 0 AND deposit_fen >= 0 AND cancellation_fee_fen >= 0", "money"
        ),
        Index(None, "tenant_id", "arrival"),
        Index(None, "tenant_id", "departure"),
        Index(None, "tenant_id", "status", "hold_expires_at"),
        Index(None, "tenant_id", "guest_phone"),
        tenant_key(),
        tenant_foreign_key("reservations", "rate_plan_id", "rate_plans"),
        tenant_foreign_key("reservations", "unit_id", "units"),
        tenant_foreign_key("reservations", "unit_type_id", "unit_types"),
    )

    code: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    unit_type_id: Mapped[uuid.UUID]
    rate_plan_id: Mapped[uuid.UUID]
    quantity: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    arrival: Mapped[date] = mapped_column(Date)
    departure: Mapped[date] = mapped_column(Date)
    adults: Mapped[int] = mapped_column(SmallInteger)
    children: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    guest_name: Mapped[str] = mapped_column(String(100))
    guest_phone: Mapped[str] = mapped_column(String(32))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    id_type: Mapped[str] = mapped_column(String(20), server_default="resident_id")
    id_number: Mapped[str] = mapped_column(String(40), server_default="")
    preferences: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    notes: Mapped[str] = mapped_column(Text, server_default="")
    total_fen: Mapped[int] = mapped_column(BigInteger)
    deposit_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    paid_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    cancellation_fee_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    payment_state: Mapped[str] = mapped_column(String(20), server_default="unpaid")
    source: Mapped[str] = mapped_column(String(16), server_default="direct")
    # The distributor a booking came through (source 'distribution'), as the desk sees it.
    channel: Mapped[str] = mapped_column(String(100), server_default="")
    hold_expires_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    unit_id: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ReservationNight(TenantScoped, Base):
    """One sold night of a reservation at the price quoted when it was booked."""

    __tablename__ = "reservation_nights"
    __table_args__ = (
        UniqueConstraint("tenant_id", "reservation_id", "day"),
        CheckConstraint("price_fen >= 0", "price_fen"),
        Index(None, "tenant_id", "unit_type_id", "day"),
        tenant_foreign_key(
            "reservation_nights", "reservation_id", "reservations", ondelete="CASCADE"
        ),
        tenant_foreign_key("reservation_nights", "unit_type_id", "unit_types"),
    )

    reservation_id: Mapped[uuid.UUID]
    unit_type_id: Mapped[uuid.UUID]
    day: Mapped[date] = mapped_column(Date)
    price_fen: Mapped[int] = mapped_column(BigInteger)


class IdempotencyKey(TenantScoped, Base):
    """The first answer to an API write, replayed for the same `Idempotency-Key`, so a
    client retrying after a timeout never books twice."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        Index(None, "tenant_id", "created_at"),
    )

    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(400))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
