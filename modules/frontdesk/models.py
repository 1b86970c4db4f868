"""Tables of the front desk: stays, their folio lines and room moves (all tenant-scoped,
row-level security forced by migration 0007), and the night audit's daily figures
(migration 0014).

A stay is one checked-in reservation in one room at a time. Folio lines and room moves are
append-only (a trigger refuses UPDATE and DELETE): money on a guest's bill is corrected by a
new line, never by editing an old one.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key


class Stay(TenantScoped, Base):
    __tablename__ = "stays"
    __table_args__ = (
        UniqueConstraint("tenant_id", "reservation_id"),
        CheckConstraint("status IN ('in_house','checked_out')", name="status"),
        # One guest party per room at a time, whatever two clerks click at once.
        Index(
            "uq_stays_tenant_id_unit_id_in_house",
            "tenant_id",
            "unit_id",
            unique=True,
            postgresql_where=text("status = 'in_house'"),
        ),
        Index("ix_stays_tenant_id_status", "tenant_id", "status"),
        tenant_key(),
        tenant_foreign_key("stays", "reservation_id", "reservations"),
        tenant_foreign_key("stays", "unit_id", "units"),
    )

    reservation_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    unit_number: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="in_house")
    guest_name: Mapped[str] = mapped_column(String(100))
    checked_in_at: Mapped[datetime] = mapped_column(server_default=func.now())
    checked_in_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    checked_out_at: Mapped[datetime | None]
    checked_out_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class FolioLine(TenantScoped, Base):
    __tablename__ = "folio_lines"
    __table_args__ = (
        CheckConstraint("kind IN ('charge','payment','refund','adjustment')", name="kind"),
        CheckConstraint(
            "amount_fen <> 0 AND (kind NOT IN ('charge','refund') OR amount_fen > 0) "
            "AND (kind <> 'payment' OR amount_fen < 0)",
            name="amount_sign",
        ),
        Index("ix_folio_lines_tenant_id_stay_id", "tenant_id", "stay_id"),
        # The night audit reads a day's room nights and a day's other charges.
        Index("ix_folio_lines_tenant_id_service_date", "tenant_id", "service_date"),
        Index("ix_folio_lines_tenant_id_posted_at", "tenant_id", "posted_at"),
        tenant_key(),
        tenant_foreign_key("folio_lines", "stay_id", "stays"),
    )

    stay_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(32))
    method: Mapped[str | None] = mapped_column(String(16))
    service_date: Mapped[date | None] = mapped_column(Date)
    payment_id: Mapped[uuid.UUID | None]
    posted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RoomMove(TenantScoped, Base):
    __tablename__ = "room_moves"
    __table_args__ = (
        Index("ix_room_moves_tenant_id_stay_id", "tenant_id", "stay_id"),
        tenant_foreign_key("room_moves", "from_unit_id", "units"),
        tenant_foreign_key("room_moves", "stay_id", "stays"),
        tenant_foreign_key("room_moves", "to_unit_id", "units"),
    )

    stay_id: Mapped[uuid.UUID]
    from_unit_id: Mapped[uuid.UUID]
    to_unit_id: Mapped[uuid.UUID]
    from_number: Mapped[str] = mapped_column(String(20))
    to_number: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200))
    moved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class DailyFigures(TenantScoped, Base):
    """The night audit's figures of one closed business day (夜审日报), recomputed from
    the folio and the bookings whenever the day is audited again. The monthly statistics
    filed to the bureau are sums of these rows. Money in fen, occupancy in basis points."""

    __tablename__ = "frontdesk_daily_figures"
    __table_args__ = (
        UniqueConstraint("tenant_id", "business_date"),
        CheckConstraint(
            "rooms >= 0 AND room_nights_available >= 0 AND room_nights_sold >= 0",
            name="counts",
        ),
    )

    business_date: Mapped[date] = mapped_column(Date)
    rooms: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    room_nights_available: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    room_nights_sold: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    occupancy_bp: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    adr_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    revpar_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    room_revenue_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    fnb_revenue_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    other_revenue_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    revenue_by_source: Mapped[dict[str, int]] = mapped_column(
        JSONB, server_default=text("'{}'::jsonb")
    )
    arrivals: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    departures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    in_house_guests: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    guests_domestic: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    guests_foreign: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    no_shows: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    cancellations: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    computed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    computed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
