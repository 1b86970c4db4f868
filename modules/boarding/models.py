"""Tables of the boarding module (migration 0017; every one tenant-scoped, row-level security
forced).

A voyage is sold by reservations (its `voyages` row is the sailing, its cabin grades are unit
types and its cabins are units with that `voyage_id`); `boarding_voyages` is the same voyage as
the purser runs it, sharing the voyage's id: the ship, the boarding window, the operational
status. Around it: the ship's cabin plan, the port calls, the crew, the passengers of the
manifest (one row per person, each tied to the cabin's reservation), the passes issued to them
(signed with the enterprise's Ed25519 keys), every scan at a gangway (append-only) and every
change to the manifest (append-only).

A passenger cannot be aboard twice: each accepted scan takes the passenger's next movement
number, odd numbers board and even ones go ashore, and `(tenant_id, passenger_id, movement_no)`
is unique, so two gates scanning one pass at once cannot both board it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key

VOYAGE_STATUS_CHECK = "status IN ('planned','boarding','sailing','arrived','cancelled')"
DIRECTION_CHECK = "direction IN ('embark','disembark')"


class Ship(TenantScoped, Base):
    """A ship of the line (世纪神话: 141.8 m, 408 passengers)."""

    __tablename__ = "ships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint("decks BETWEEN 1 AND 20", "decks"),
        CheckConstraint("passenger_capacity > 0", "passenger_capacity"),
        tenant_key(),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    decks: Mapped[int] = mapped_column(SmallInteger)
    passenger_capacity: Mapped[int] = mapped_column(Integer)
    length_m: Mapped[int | None] = mapped_column(SmallInteger)
    built_year: Mapped[int | None] = mapped_column(SmallInteger)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class ShipCabin(TenantScoped, Base):
    """One cabin of a ship's plan; a voyage of the ship gets a unit per cabin."""

    __tablename__ = "ship_cabins"
    __table_args__ = (
        UniqueConstraint("tenant_id", "ship_id", "number"),
        CheckConstraint("berths BETWEEN 1 AND 8", "berths"),
        tenant_foreign_key("ship_cabins", "ship_id", "ships", ondelete="CASCADE"),
    )

    ship_id: Mapped[uuid.UUID]
    number: Mapped[str] = mapped_column(String(20))
    deck: Mapped[int] = mapped_column(SmallInteger)
    grade_code: Mapped[str] = mapped_column(String(40))
    grade_name: Mapped[str] = mapped_column(String(100))
    berths: Mapped[int] = mapped_column(SmallInteger)
    features: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))


class BoardingVoyage(TenantScoped, Base):
    """The voyage as the purser runs it. Its id IS the sold voyage's id (`voyages.id`)."""

    __tablename__ = "boarding_voyages"
    __table_args__ = (
        CheckConstraint(VOYAGE_STATUS_CHECK, "status"),
        CheckConstraint("boarding_opens_at < boarding_closes_at", "boarding_window"),
        CheckConstraint("boarding_closes_at <= sails_at", "closes_before_sailing"),
        CheckConstraint("direction IN ('downstream','upstream')", "direction"),
        Index(None, "tenant_id", "sails_at"),
        tenant_key(),
        tenant_foreign_key("boarding_voyages", "id", "voyages"),
        tenant_foreign_key("boarding_voyages", "ship_id", "ships"),
    )

    ship_id: Mapped[uuid.UUID]
    # The sold voyage's code (CJ20261210A) and direction, kept here so the gangway and the
    # manifest read the voyage without going through reservations.
    number: Mapped[str] = mapped_column(String(16), server_default="")
    direction: Mapped[str] = mapped_column(String(12), server_default="downstream")
    status: Mapped[str] = mapped_column(String(12), server_default="planned")
    boarding_opens_at: Mapped[datetime]
    boarding_closes_at: Mapped[datetime]
    sails_at: Mapped[datetime]
    arrives_at: Mapped[datetime]
    status_changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # The bureau's `cruise_voyage` report, filed once after arrival (service/report.py): the
    # filing's id in the filings module (no foreign key across modules) and when it was made.
    report_filing_id: Mapped[uuid.UUID | None]
    report_filed_at: Mapped[datetime | None]


class PortCall(TenantScoped, Base):
    """One call of a voyage at a port (domain.PORTS), in order. The first call of the route
    has no arrival and the last no departure; passengers board where `embarking` is true."""

    __tablename__ = "boarding_port_calls"
    __table_args__ = (
        UniqueConstraint("tenant_id", "voyage_id", "seq"),
        CheckConstraint("seq >= 0", "seq"),
        CheckConstraint(
            "arrives_at IS NULL OR departs_at IS NULL OR arrives_at < departs_at", "times"
        ),
        tenant_key(),
        tenant_foreign_key(
            "boarding_port_calls", "voyage_id", "boarding_voyages", ondelete="CASCADE"
        ),
    )

    voyage_id: Mapped[uuid.UUID]
    seq: Mapped[int] = mapped_column(SmallInteger)
    port_code: Mapped[str] = mapped_column(String(8))
    arrives_at: Mapped[datetime | None]
    departs_at: Mapped[datetime | None]
    embarking: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    disembarking: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    activity: Mapped[str] = mapped_column(String(300), server_default="")
    # Boarding window at this port (the first port's is the voyage's; a low-water port's
    # is set when the boarding port is changed).
    boarding_opens_at: Mapped[datetime | None]
    boarding_closes_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]  # actual
    departed_at: Mapped[datetime | None]  # actual


class CrewMember(TenantScoped, Base):
    __tablename__ = "crew_members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "voyage_id", "id_number"),
        Index(None, "tenant_id", "voyage_id"),
        tenant_foreign_key("crew_members", "voyage_id", "boarding_voyages", ondelete="CASCADE"),
    )

    voyage_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(16))
    id_type: Mapped[str] = mapped_column(String(20), server_default="resident_id")
    id_number: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(32), server_default="")


class Passenger(TenantScoped, Base):
    """One person on the real-name manifest: who, which cabin, where they board, and whether
    they are aboard now (kept with the movement count in the scan's transaction)."""

    __tablename__ = "passengers"
    __table_args__ = (
        CheckConstraint("status IN ('booked','checked_in','cancelled')", "status"),
        CheckConstraint("sex IN ('M','F','')", "sex"),
        CheckConstraint("movements >= 0", "movements"),
        CheckConstraint("aboard = (movements % 2 = 1)", "aboard_follows_movements"),
        Index(None, "tenant_id", "voyage_id", "status"),
        Index(None, "tenant_id", "reservation_id"),
        # One person once per voyage (a cancelled place frees the ID).
        Index(
            "uq_passengers_tenant_id_voyage_id_id_number_live",
            "tenant_id",
            "voyage_id",
            "id_type",
            "id_number",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
        ),
        # Who is aboard a voyage now: the gangway counts them at every scan.
        Index(
            "ix_passengers_tenant_id_voyage_id_aboard",
            "tenant_id",
            "voyage_id",
            postgresql_where=text("aboard"),
        ),
        tenant_key(),
        tenant_foreign_key("passengers", "voyage_id", "boarding_voyages"),
        tenant_foreign_key("passengers", "reservation_id", "reservations"),
        tenant_foreign_key("passengers", "unit_id", "units"),
        tenant_foreign_key("passengers", "boarding_call_id", "boarding_port_calls"),
    )

    voyage_id: Mapped[uuid.UUID]
    reservation_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID | None]  # the cabin (None until one is assigned)
    cabin_number: Mapped[str] = mapped_column(String(20), server_default="")
    boarding_call_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(12), server_default="booked")
    name: Mapped[str] = mapped_column(String(60))
    sex: Mapped[str] = mapped_column(String(1), server_default="")
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(40))
    birth_date: Mapped[date] = mapped_column(Date)
    nationality: Mapped[str] = mapped_column(String(3), server_default="CHN")
    phone: Mapped[str] = mapped_column(String(32), server_default="")
    is_lead: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    is_child: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    emergency_name: Mapped[str] = mapped_column(String(60), server_default="")
    emergency_phone: Mapped[str] = mapped_column(String(32), server_default="")
    checked_in_at: Mapped[datetime | None]  # online pre-check-in
    # When the lead was sent the pre-check-in link (72 h before sailing), so it goes once.
    checkin_invited_at: Mapped[datetime | None]
    aboard: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    movements: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_moved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PassKey(TenantScoped, Base):
    """An Ed25519 key the enterprise signs boarding passes with. The newest active key signs;
    a retired key still verifies until `verify_until` (when the last pass it signed expires).
    The private key is sealed like the bureau secrets (app.security.crypto)."""

    __tablename__ = "boarding_pass_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "kid"),)

    kid: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_key_sealed: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[datetime | None]
    verify_until: Mapped[datetime | None]


class BoardingPass(TenantScoped, Base):
    """A pass issued to one passenger for one boarding port. Re-issuing (a new port, new
    details) revokes the old pass, so only the newest works."""

    __tablename__ = "boarding_passes"
    __table_args__ = (
        CheckConstraint("valid_from < valid_until", "validity"),
        Index(None, "tenant_id", "passenger_id"),
        Index(None, "tenant_id", "voyage_id"),
        tenant_key(),
        tenant_foreign_key("boarding_passes", "passenger_id", "passengers"),
        tenant_foreign_key("boarding_passes", "voyage_id", "boarding_voyages"),
        tenant_foreign_key("boarding_passes", "port_call_id", "boarding_port_calls"),
    )

    passenger_id: Mapped[uuid.UUID]
    voyage_id: Mapped[uuid.UUID]
    port_call_id: Mapped[uuid.UUID]
    kid: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(300))


class Scan(TenantScoped, Base):
    """One scan at a gangway, as the device saw it (append-only). Idempotent on the device's
    id and sequence number; an accepted scan carries the passenger's movement number."""

    __tablename__ = "boarding_scans"
    __table_args__ = (
        CheckConstraint(DIRECTION_CHECK, "direction"),
        CheckConstraint("outcome IN ('accepted','refused','conflict')", "outcome"),
        CheckConstraint("(outcome = 'accepted') = (movement_no IS NOT NULL)", "accepted_moves"),
        CheckConstraint(
            "movement_no IS NULL OR (direction = 'embark') = (movement_no % 2 = 1)", "alternates"
        ),
        UniqueConstraint("tenant_id", "device_id", "device_seq"),
        UniqueConstraint("tenant_id", "passenger_id", "movement_no"),
        Index(None, "tenant_id", "voyage_id", "scanned_at"),
        tenant_foreign_key("boarding_scans", "voyage_id", "boarding_voyages"),
        tenant_foreign_key("boarding_scans", "port_call_id", "boarding_port_calls"),
        tenant_foreign_key("boarding_scans", "passenger_id", "passengers"),
        tenant_foreign_key("boarding_scans", "pass_id", "boarding_passes"),
    )

    voyage_id: Mapped[uuid.UUID | None]  # None: a code that names no voyage of ours
    port_call_id: Mapped[uuid.UUID | None]
    passenger_id: Mapped[uuid.UUID | None]
    pass_id: Mapped[uuid.UUID | None]
    direction: Mapped[str] = mapped_column(String(10))
    device_id: Mapped[str] = mapped_column(String(64))
    device_seq: Mapped[int] = mapped_column(BigInteger)
    scanned_at: Mapped[datetime]  # the device's time of the scan
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(20))
    movement_no: Mapped[int | None] = mapped_column(Integer)
    offline: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # SHA-256 of the scanned text: a device repeating its sequence number with another
    # code is told so, instead of being given the first code's answer.
    code_digest: Mapped[bytes | None] = mapped_column(LargeBinary)
    by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ManifestChange(TenantScoped, Base):
    """Who changed what on the manifest, when and why (append-only)."""

    __tablename__ = "manifest_changes"
    __table_args__ = (
        Index(None, "tenant_id", "voyage_id", "created_at"),
        tenant_foreign_key("manifest_changes", "voyage_id", "boarding_voyages"),
        tenant_foreign_key("manifest_changes", "passenger_id", "passengers"),
    )

    voyage_id: Mapped[uuid.UUID]
    passenger_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(24))
    field: Mapped[str] = mapped_column(String(40), server_default="")
    old_value: Mapped[str] = mapped_column(String(300), server_default="")
    new_value: Mapped[str] = mapped_column(String(300), server_default="")
    reason: Mapped[str] = mapped_column(String(300), server_default="")
    by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
