"""Tables of the groups module (every one tenant-scoped, row-level security forced by
migration 0010).

A group tour (`tour_groups`) covers signed contracts (`group_contracts`), has one
itinerary row per day (`group_days`), its coaches (`group_vehicles`) and the bureau
filings made for it (`group_filings`). Guides are assigned through the guides module,
which keeps the assignments and refuses overlapping ones.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key


class TourGroup(TenantScoped, Base):
    __tablename__ = "tour_groups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "group_no"),
        CheckConstraint("status IN ('draft','filed','cancelled')", name="status"),
        CheckConstraint("end_date >= start_date", name="dates"),
        Index("ix_tour_groups_tenant_id_start_date", "tenant_id", "start_date"),
        tenant_key(),
    )

    group_no: Mapped[str] = mapped_column(String(32))
    route_name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    tourist_count: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime | None]
    filed_late: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    cancelled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class GroupContract(TenantScoped, Base):
    __tablename__ = "group_contracts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "group_id", "contract_id"),
        # A contract travels with one group at a time, whatever two agents click at once:
        # rows of cancelled groups are deactivated and free the contract again.
        Index(
            "uq_group_contracts_tenant_id_contract_id_active",
            "tenant_id",
            "contract_id",
            unique=True,
            postgresql_where=text("active"),
        ),
        tenant_foreign_key("group_contracts", "contract_id", "contracts"),
        tenant_foreign_key("group_contracts", "group_id", "tour_groups", ondelete="CASCADE"),
    )

    group_id: Mapped[uuid.UUID]
    contract_id: Mapped[uuid.UUID]
    e_number: Mapped[str] = mapped_column(String(40))
    tourist_count: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class GroupDay(TenantScoped, Base):
    __tablename__ = "group_days"
    __table_args__ = (
        UniqueConstraint("tenant_id", "group_id", "day"),
        tenant_foreign_key("group_days", "group_id", "tour_groups", ondelete="CASCADE"),
    )

    group_id: Mapped[uuid.UUID]
    day: Mapped[date] = mapped_column(Date)
    places: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    hotel: Mapped[str] = mapped_column(String(100), default="")


class GroupVehicle(TenantScoped, Base):
    __tablename__ = "group_vehicles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "group_id", "plate_no"),
        CheckConstraint("seats > 0", name="seats"),
        tenant_foreign_key("group_vehicles", "group_id", "tour_groups", ondelete="CASCADE"),
    )

    group_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer, default=0)
    plate_no: Mapped[str] = mapped_column(String(16))
    seats: Mapped[int] = mapped_column(Integer)
    driver_name: Mapped[str] = mapped_column(String(64))
    driver_phone: Mapped[str] = mapped_column(String(20), default="")


class GroupFiling(TenantScoped, Base):
    """Which bureau filings were made for a group (their state and receipt are read from
    the filings module): the group itself and one per guide assignment."""

    __tablename__ = "group_filings"
    __table_args__ = (
        CheckConstraint("kind IN ('group','guide_assignment')", name="kind"),
        UniqueConstraint("tenant_id", "filing_id"),
        Index("ix_group_filings_tenant_id_group_id", "tenant_id", "group_id"),
        tenant_foreign_key("group_filings", "filing_id", "filings"),
        tenant_foreign_key("group_filings", "group_id", "tour_groups", ondelete="CASCADE"),
    )

    group_id: Mapped[uuid.UUID]
    filing_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(24))
    guide_id: Mapped[uuid.UUID | None]
    licence_no: Mapped[str] = mapped_column(String(64), default="")
    filed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
