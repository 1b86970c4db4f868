"""Tables of the terminals module (every one tenant-scoped, row-level security forced by
migration 0011).

A device is a tablet fixed to one room or cabin. It proves who it is with a long-lived
token whose secret is stored only as a digest; pairing hands that token to the device
once, in exchange for a short one-time code that staff read off the console.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import INET
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key

PAGE_CATEGORIES = ("facilities", "hours", "wifi", "dining", "other")


class TerminalDevice(TenantScoped, Base):
    __tablename__ = "terminal_devices"
    __table_args__ = (
        Index("ix_terminal_devices_tenant_id_unit_id", "tenant_id", "unit_id"),
        # A code names its device within the tenant: two live codes must never collide.
        Index(
            "uq_terminal_devices_tenant_id_pairing_code_hash",
            "tenant_id",
            "pairing_code_hash",
            unique=True,
            postgresql_where=text("pairing_code_hash IS NOT NULL"),
        ),
        tenant_foreign_key("terminal_devices", "unit_id", "units"),
    )

    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[uuid.UUID]
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    paired_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64))
    pairing_expires_at: Mapped[datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class PairingAttempt(TenantScoped, Base):
    """Every code typed on a pairing screen: wrong ones are counted to stop guessing."""

    __tablename__ = "terminal_pairing_attempts"
    __table_args__ = (
        Index("ix_terminal_pairing_attempts_tenant_id_created_at", "tenant_id", "created_at"),
    )

    ip: Mapped[str | None] = mapped_column(INET)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class InfoPage(TenantScoped, Base):
    __tablename__ = "terminal_pages"
    __table_args__ = (
        CheckConstraint(
            "category IN ('facilities','hours','wifi','dining','other')", name="category"
        ),
        Index("ix_terminal_pages_tenant_id_sort_order", "tenant_id", "sort_order"),
    )

    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=True)


class ScenicSpot(TenantScoped, Base):
    __tablename__ = "terminal_spots"
    __table_args__ = (
        CheckConstraint("ticket_fen IS NULL OR ticket_fen >= 0", name="ticket_fen"),
        CheckConstraint("distance_m IS NULL OR distance_m >= 0", name="distance_m"),
        Index("ix_terminal_spots_tenant_id_sort_order", "tenant_id", "sort_order"),
        tenant_key(),
    )

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    opening_hours: Mapped[str] = mapped_column(String(100))
    ticket_fen: Mapped[int | None] = mapped_column(BigInteger)  # None: not stated; 0: free
    distance_m: Mapped[int | None] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=True)


class SpotPhoto(TenantScoped, Base):
    __tablename__ = "terminal_spot_photos"
    __table_args__ = (
        Index("ix_terminal_spot_photos_tenant_id_spot_id", "tenant_id", "spot_id"),
        tenant_foreign_key("terminal_spot_photos", "spot_id", "terminal_spots", ondelete="CASCADE"),
    )

    spot_id: Mapped[uuid.UUID]
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Video(TenantScoped, Base):
    """The film itself lives on disk under the media directory (`storage_key`); the
    database keeps what the terminal needs to list and stream it."""

    __tablename__ = "terminal_videos"
    __table_args__ = (Index("ix_terminal_videos_tenant_id_sort_order", "tenant_id", "sort_order"),)

    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    storage_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    poster_type: Mapped[str | None] = mapped_column(String(32))
    poster: Mapped[bytes | None] = mapped_column(LargeBinary)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=True)


class Announcement(TenantScoped, Base):
    __tablename__ = "terminal_announcements"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="window"),
        Index("ix_terminal_announcements_tenant_id_ends_at", "tenant_id", "ends_at"),
        tenant_foreign_key("terminal_announcements", "voyage_id", "voyages"),
    )

    body: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    voyage_id: Mapped[uuid.UUID | None]


class PortCall(TenantScoped, Base):
    """One stop of a voyage's itinerary, shown on that voyage's cabin terminals."""

    __tablename__ = "terminal_port_calls"
    __table_args__ = (
        CheckConstraint("day_no >= 1", name="day_no"),
        Index("ix_terminal_port_calls_tenant_id_voyage_id", "tenant_id", "voyage_id"),
        tenant_foreign_key("terminal_port_calls", "voyage_id", "voyages"),
    )

    voyage_id: Mapped[uuid.UUID]
    day_no: Mapped[int] = mapped_column(Integer)
    port: Mapped[str] = mapped_column(String(60))
    arrive_time: Mapped[time | None] = mapped_column(Time)
    depart_time: Mapped[time | None] = mapped_column(Time)
    activity: Mapped[str] = mapped_column(String(300), default="")
