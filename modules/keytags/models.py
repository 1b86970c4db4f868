"""Tables of the keytags module (migration 0018; every one tenant-scoped, row-level security
forced).

A hot-spring visit is one person's day at the resort: admitted at the desk on a ticket type,
given a key tag (an RFID UID or a printed QR wristband) and a locker, charged at the outlets on
the tag, billed at the exit desk and let out by the gate once settled.

The visit row is where money meets concurrency. `tab_fen` is the running total of what is
charged on the tag (outlet charges less voids, plus desk fees); it only moves in the same
statement as the append-only `spa_charges` row that explains it, by a guarded UPDATE
(`tab_fen + amount <= limit_fen`, `status = 'open'`, `active_tag_id` = the scanned tag), so two
outlets racing for the last yuan of a limit serialise on the visit row and one is refused.
`active_tag_id` is unique among visits: a tag opens at most one visit at a time, and blocking a
tag clears it on the visit row, so a charge waiting behind the block re-reads the row and is
refused.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key


def _in(values: tuple[str, ...]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


TICKET_CATEGORIES = ("adult", "child", "senior", "evening")
DAY_KINDS = ("weekday", "weekend", "holiday")
SECTION_KINDS = ("male", "female", "family")
LOCKER_STATUSES = ("free", "occupied", "out_of_order")
TAG_KINDS = ("rfid", "qr")
TAG_STATUSES = ("available", "in_use", "blocked", "retired")
OUTLET_KINDS = ("restaurant", "bar", "massage", "shop", "pool")
PRICE_UNITS = ("item", "use", "hour")
VISIT_SOURCES = ("walk_in", "online", "hotel", "member")
TAB_MODES = ("cash_deposit", "card_preauth", "postpay", "folio", "member")
VISIT_STATUSES = ("open", "settled", "closed", "cancelled")
CHARGE_KINDS = ("charge", "void", "fee")
CONFLICT_REASONS = ("limit", "blocked", "closed", "unknown")
CONFLICT_STATUSES = ("open", "posted", "written_off")
TENDER_KINDS = ("deposit", "deposit_return", "payment", "refund", "topup")
TENDER_METHODS = (
    "cash",
    "card",
    "wechat",
    "alipay",
    "preauth",
    "folio",
    "member",
    "online",
    "package",
)
MEMBER_STATUSES = ("active", "lost", "closed")
MEMBER_ENTRY_KINDS = ("topup", "spend", "refund", "adjust")


class SpaSettings(TenantScoped, Base):
    """The resort's key-tag rules: one row per enterprise."""

    __tablename__ = "spa_settings"
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("lost_tag_fee_fen >= 0", "lost_tag_fee_fen"),
        CheckConstraint("default_deposit_fen >= 0", "default_deposit_fen"),
        CheckConstraint("exit_window_minutes BETWEEN 1 AND 240", "exit_window_minutes"),
        CheckConstraint("outlet_void_minutes BETWEEN 0 AND 1440", "outlet_void_minutes"),
    )

    lost_tag_fee_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("5000"))
    default_deposit_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("50000"))
    # After settling, the guest has this long to pass the exit gate before more time is due.
    exit_window_minutes: Mapped[int] = mapped_column(SmallInteger, server_default=text("30"))
    # An outlet voids its own charge within this many minutes; later a manager approves.
    outlet_void_minutes: Mapped[int] = mapped_column(SmallInteger, server_default=text("10"))


class TicketType(TenantScoped, Base):
    """An admission ticket (成人票, 儿童票, 长者票, 夜场票): its prices by kind of day, the time
    it covers, the overage rate per started hour, and the tab's default credit limit. A ticket
    sold online is also a reservations unit type (`unit_type_id`) whose calendar carries the
    same prices."""

    __tablename__ = "spa_ticket_types"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint(f"category IN {_in(TICKET_CATEGORIES)}", "category"),
        CheckConstraint(
            "price_weekday_fen >= 0 AND price_weekend_fen >= 0 AND price_holiday_fen >= 0",
            "prices",
        ),
        CheckConstraint("base_minutes BETWEEN 30 AND 2880", "base_minutes"),
        CheckConstraint("grace_minutes BETWEEN 0 AND 120", "grace_minutes"),
        CheckConstraint("overage_fen_per_hour >= 0", "overage_fen_per_hour"),
        CheckConstraint("credit_limit_fen >= 0", "credit_limit_fen"),
        tenant_key(),
        tenant_foreign_key("spa_ticket_types", "unit_type_id", "unit_types"),
    )

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60), server_default="")
    category: Mapped[str] = mapped_column(String(12))
    price_weekday_fen: Mapped[int] = mapped_column(BigInteger)
    price_weekend_fen: Mapped[int] = mapped_column(BigInteger)
    price_holiday_fen: Mapped[int] = mapped_column(BigInteger)
    base_minutes: Mapped[int] = mapped_column(Integer, server_default=text("720"))
    grace_minutes: Mapped[int] = mapped_column(SmallInteger, server_default=text("15"))
    overage_fen_per_hour: Mapped[int] = mapped_column(BigInteger, server_default=text("2000"))
    credit_limit_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("50000"))
    # An evening ticket is sold only from this time of day (夜场 from 18:00).
    sold_from: Mapped[time | None] = mapped_column(Time)
    description: Mapped[str] = mapped_column(String(300), server_default="")
    sold_online: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    unit_type_id: Mapped[uuid.UUID | None]
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class CalendarDay(TenantScoped, Base):
    """A date whose kind is not the weekday's own: a public holiday (国庆, 春节) or a working
    weekend (调休). Dates without a row are weekdays Monday to Friday, weekends otherwise."""

    __tablename__ = "spa_calendar_days"
    __table_args__ = (
        UniqueConstraint("tenant_id", "day"),
        CheckConstraint(f"kind IN {_in(DAY_KINDS)}", "kind"),
    )

    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(40), server_default="")


class LockerSection(TenantScoped, Base):
    """A changing room's lockers (男宾, 女宾, 亲子/家庭)."""

    __tablename__ = "spa_locker_sections"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint(f"kind IN {_in(SECTION_KINDS)}", "kind"),
        tenant_key(),
    )

    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))


class Locker(TenantScoped, Base):
    """One locker; `visit_id` is the open visit using it (at most one locker per visit)."""

    __tablename__ = "spa_lockers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "section_id", "number"),
        CheckConstraint(f"status IN {_in(LOCKER_STATUSES)}", "status"),
        CheckConstraint("(status = 'occupied') = (visit_id IS NOT NULL)", "occupied_by_visit"),
        Index(
            "uq_spa_lockers_tenant_id_visit_id",
            "tenant_id",
            "visit_id",
            unique=True,
            postgresql_where=text("visit_id IS NOT NULL"),
        ),
        Index(None, "tenant_id", "section_id", "status"),
        tenant_key(),
        tenant_foreign_key("spa_lockers", "section_id", "spa_locker_sections"),
        tenant_foreign_key("spa_lockers", "visit_id", "spa_visits"),
    )

    section_id: Mapped[uuid.UUID]
    number: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), server_default="free")
    visit_id: Mapped[uuid.UUID | None]
    status_changed_at: Mapped[datetime | None]


class KeyTag(TenantScoped, Base):
    """A waterproof RFID tag (its UID as the reader types it) or a printed QR wristband."""

    __tablename__ = "key_tags"
    __table_args__ = (
        UniqueConstraint("tenant_id", "uid"),
        CheckConstraint(f"kind IN {_in(TAG_KINDS)}", "kind"),
        CheckConstraint(f"status IN {_in(TAG_STATUSES)}", "status"),
        tenant_key(),
    )

    uid: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(4), server_default="rfid")
    status: Mapped[str] = mapped_column(String(10), server_default="available")
    label: Mapped[str] = mapped_column(String(20), server_default="")  # printed number
    status_changed_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(String(200))


class Member(TenantScoped, Base):
    """A member with a prepaid card (储值卡). The balance moves only with an entry row."""

    __tablename__ = "spa_members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "card_no"),
        CheckConstraint("balance_fen >= 0", "balance_fen"),
        CheckConstraint(f"status IN {_in(MEMBER_STATUSES)}", "status"),
        Index(None, "tenant_id", "phone"),
        tenant_key(),
    )

    card_no: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(20), server_default="")
    balance_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    status: Mapped[str] = mapped_column(String(8), server_default="active")
    level: Mapped[str] = mapped_column(String(20), server_default="")


class MemberEntry(TenantScoped, Base):
    """A movement of a member's balance (append-only): top-up, spend at exit, refund."""

    __tablename__ = "spa_member_entries"
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(MEMBER_ENTRY_KINDS)}", "kind"),
        Index(None, "tenant_id", "member_id", "created_at"),
        tenant_foreign_key("spa_member_entries", "member_id", "spa_members"),
        tenant_foreign_key("spa_member_entries", "visit_id", "spa_visits"),
    )

    member_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # signed: + in, - out
    balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    visit_id: Mapped[uuid.UUID | None]
    method: Mapped[str] = mapped_column(String(8), server_default="")
    note: Mapped[str] = mapped_column(String(200), server_default="")
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Outlet(TenantScoped, Base):
    """A place that charges tags (餐厅, 水吧, 按摩, 商店, 私汤), with its own API key
    (`pos:charge`). A concession outlet is run by someone else who is owed its takings less
    the resort's commission."""

    __tablename__ = "spa_outlets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint(f"kind IN {_in(OUTLET_KINDS)}", "kind"),
        CheckConstraint("commission_bp BETWEEN 0 AND 10000", "commission_bp"),
        Index(
            "uq_spa_outlets_tenant_id_api_key_id",
            "tenant_id",
            "api_key_id",
            unique=True,
            postgresql_where=text("api_key_id IS NOT NULL"),
        ),
        tenant_key(),
        tenant_foreign_key("spa_outlets", "api_key_id", "api_keys"),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))
    concession: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    concessionaire: Mapped[str] = mapped_column(String(100), server_default="")
    commission_bp: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    api_key_id: Mapped[uuid.UUID | None]
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class OutletItem(TenantScoped, Base):
    """An outlet's price list entry: per item (一份), per use (一次) or per hour (每小时)."""

    __tablename__ = "spa_outlet_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "outlet_id", "code"),
        CheckConstraint(f"unit IN {_in(PRICE_UNITS)}", "unit"),
        CheckConstraint("price_fen > 0", "price_fen"),
        tenant_key(),
        tenant_foreign_key("spa_outlet_items", "outlet_id", "spa_outlets"),
    )

    outlet_id: Mapped[uuid.UUID]
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60), server_default="")
    unit: Mapped[str] = mapped_column(String(5), server_default="item")
    price_fen: Mapped[int] = mapped_column(BigInteger)
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class Visit(TenantScoped, Base):
    """One person's visit, from admission at the desk to the exit gate."""

    __tablename__ = "spa_visits"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint(f"source IN {_in(VISIT_SOURCES)}", "source"),
        CheckConstraint(f"tab_mode IN {_in(TAB_MODES)}", "tab_mode"),
        CheckConstraint(f"status IN {_in(VISIT_STATUSES)}", "status"),
        CheckConstraint("admission_fen >= 0 AND deposit_fen >= 0 AND limit_fen >= 0", "money"),
        CheckConstraint("status = 'open' OR active_tag_id IS NULL", "tag_only_while_open"),
        Index(
            "uq_spa_visits_tenant_id_active_tag_id",
            "tenant_id",
            "active_tag_id",
            unique=True,
            postgresql_where=text("active_tag_id IS NOT NULL"),
        ),
        Index(None, "tenant_id", "business_date"),
        Index(None, "tenant_id", "status"),
        Index(None, "tenant_id", "reservation_id"),
        Index(None, "tenant_id", "party_id"),
        tenant_key(),
        tenant_foreign_key("spa_visits", "ticket_type_id", "spa_ticket_types"),
        tenant_foreign_key("spa_visits", "active_tag_id", "key_tags"),
        tenant_foreign_key("spa_visits", "member_id", "spa_members"),
        tenant_foreign_key("spa_visits", "reservation_id", "reservations"),
        tenant_foreign_key("spa_visits", "stay_id", "stays"),
    )

    number: Mapped[str] = mapped_column(String(20))  # S20261207-0042
    party_id: Mapped[uuid.UUID | None]  # visits admitted together share the first one's id
    business_date: Mapped[date] = mapped_column(Date)
    ticket_type_id: Mapped[uuid.UUID]
    source: Mapped[str] = mapped_column(String(8))
    reservation_id: Mapped[uuid.UUID | None]  # an online day ticket redeemed
    stay_id: Mapped[uuid.UUID | None]  # a hotel guest of the resort
    member_id: Mapped[uuid.UUID | None]
    guest_name: Mapped[str] = mapped_column(String(60), server_default="")
    phone: Mapped[str] = mapped_column(String(20), server_default="")
    tab_mode: Mapped[str] = mapped_column(String(12))
    # Admission: its price, and whether it is already paid (online, in a hotel package) or
    # due on the exit bill.
    admission_fen: Mapped[int] = mapped_column(BigInteger)
    admission_prepaid: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The tab: charges on the tag may bring `tab_fen` up to `limit_fen` (the cash deposit,
    # the card pre-authorisation, the post-pay credit limit or the member's balance).
    limit_fen: Mapped[int] = mapped_column(BigInteger)
    tab_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    deposit_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    preauth_payment_id: Mapped[uuid.UUID | None]  # payments row of the card pre-authorisation
    active_tag_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    opened_at: Mapped[datetime]
    opened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    gate_in_at: Mapped[datetime | None]  # the billing clock starts at the entry gate
    settled_at: Mapped[datetime | None]
    settled_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    overage_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    bill_fen: Mapped[int | None] = mapped_column(BigInteger)  # the settled bill's total
    exit_at: Mapped[datetime | None]  # through the exit gate
    cancel_reason: Mapped[str | None] = mapped_column(String(200))


class VisitTag(TenantScoped, Base):
    """Which tag a visit held and when (a lost tag's replacement is a second row)."""

    __tablename__ = "spa_visit_tags"
    __table_args__ = (
        CheckConstraint(
            "release_reason IS NULL OR release_reason IN ('exit','lost','swapped','cancelled')",
            "release_reason",
        ),
        Index(None, "tenant_id", "visit_id"),
        Index(None, "tenant_id", "tag_id", "bound_at"),
        tenant_foreign_key("spa_visit_tags", "visit_id", "spa_visits"),
        tenant_foreign_key("spa_visit_tags", "tag_id", "key_tags"),
    )

    visit_id: Mapped[uuid.UUID]
    tag_id: Mapped[uuid.UUID]
    bound_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    release_reason: Mapped[str | None] = mapped_column(String(10))


class Charge(TenantScoped, Base):
    """A sale charged on a tag, a void reversing one, or a desk fee (a lost tag): append-only.
    A device's sale is unique on (device, sequence), so a replay applies once."""

    __tablename__ = "spa_charges"
    __table_args__ = (
        UniqueConstraint("tenant_id", "device_id", "device_seq"),
        UniqueConstraint("tenant_id", "voids_charge_id"),
        CheckConstraint(f"kind IN {_in(CHARGE_KINDS)}", "kind"),
        CheckConstraint("(kind = 'void') = (voids_charge_id IS NOT NULL)", "void_names_charge"),
        CheckConstraint("(kind = 'void') = (amount_fen < 0)", "void_is_negative"),
        CheckConstraint("device_seq IS NULL OR device_seq >= 0", "device_seq"),
        Index(None, "tenant_id", "visit_id"),
        Index(None, "tenant_id", "outlet_id", "recorded_at"),
        tenant_key(),
        tenant_foreign_key("spa_charges", "visit_id", "spa_visits"),
        tenant_foreign_key("spa_charges", "tag_id", "key_tags"),
        tenant_foreign_key("spa_charges", "outlet_id", "spa_outlets"),
        tenant_foreign_key("spa_charges", "voids_charge_id", "spa_charges"),
        tenant_foreign_key("spa_charges", "api_key_id", "api_keys"),
    )

    visit_id: Mapped[uuid.UUID]
    tag_id: Mapped[uuid.UUID | None]
    outlet_id: Mapped[uuid.UUID | None]  # None for a desk fee
    kind: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(120))
    # [{"item_id", "code", "name", "unit", "qty", "unit_price_fen", "amount_fen"}]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # signed: a void is negative
    voids_charge_id: Mapped[uuid.UUID | None]
    device_id: Mapped[str | None] = mapped_column(String(64))
    device_seq: Mapped[int | None] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime]  # on the device (offline uploads keep the reader's time)
    recorded_at: Mapped[datetime]
    offline: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    api_key_id: Mapped[uuid.UUID | None]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), server_default="")


class ChargeConflict(TenantScoped, Base):
    """An offline reader's charge that could not apply on upload (limit reached, tag blocked,
    visit closed, tag unknown): kept for the cashier to post or write off, never dropped."""

    __tablename__ = "spa_charge_conflicts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "device_id", "device_seq"),
        CheckConstraint(f"reason IN {_in(CONFLICT_REASONS)}", "reason"),
        CheckConstraint(f"status IN {_in(CONFLICT_STATUSES)}", "status"),
        Index(None, "tenant_id", "status"),
        tenant_key(),
        tenant_foreign_key("spa_charge_conflicts", "outlet_id", "spa_outlets"),
        tenant_foreign_key("spa_charge_conflicts", "visit_id", "spa_visits"),
        tenant_foreign_key("spa_charge_conflicts", "charge_id", "spa_charges"),
    )

    device_id: Mapped[str] = mapped_column(String(64))
    device_seq: Mapped[int] = mapped_column(BigInteger)
    outlet_id: Mapped[uuid.UUID]
    tag_uid: Mapped[str] = mapped_column(String(32))
    visit_id: Mapped[uuid.UUID | None]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), server_default="open")
    charge_id: Mapped[uuid.UUID | None]  # the charge it became when posted
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str] = mapped_column(String(200), server_default="")


class Shift(TenantScoped, Base):
    """A cashier's shift at the desk (outlet_id NULL) or a shift at an outlet: opened with a
    float, closed with the cash counted against what the tenders say is expected."""

    __tablename__ = "spa_shifts"
    __table_args__ = (
        CheckConstraint("opening_float_fen >= 0", "opening_float_fen"),
        CheckConstraint("closed_at IS NULL OR counted_cash_fen IS NOT NULL", "counted_on_close"),
        Index(
            "uq_spa_shifts_tenant_id_user_id_open",
            "tenant_id",
            "user_id",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index(None, "tenant_id", "opened_at"),
        tenant_key(),
        tenant_foreign_key("spa_shifts", "outlet_id", "spa_outlets"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    outlet_id: Mapped[uuid.UUID | None]
    opened_at: Mapped[datetime]
    opening_float_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    closed_at: Mapped[datetime | None]
    expected_cash_fen: Mapped[int | None] = mapped_column(BigInteger)
    counted_cash_fen: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(200), server_default="")


class Tender(TenantScoped, Base):
    """Money taken or given back at the desk (append-only): a cash deposit and its return,
    a bill's payment by each method, a member's top-up. Shift reports sum these."""

    __tablename__ = "spa_tenders"
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(TENDER_KINDS)}", "kind"),
        CheckConstraint(f"method IN {_in(TENDER_METHODS)}", "method"),
        CheckConstraint("amount_fen > 0", "amount_fen"),
        Index(None, "tenant_id", "shift_id"),
        Index(None, "tenant_id", "visit_id"),
        Index(None, "tenant_id", "created_at"),
        tenant_foreign_key("spa_tenders", "visit_id", "spa_visits"),
        tenant_foreign_key("spa_tenders", "shift_id", "spa_shifts"),
        tenant_foreign_key("spa_tenders", "member_id", "spa_members"),
    )

    visit_id: Mapped[uuid.UUID | None]
    member_id: Mapped[uuid.UUID | None]
    shift_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # always positive; kind says which way
    reference: Mapped[str] = mapped_column(String(80), server_default="")  # payment id, folio
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ReportFiling(TenantScoped, Base):
    """The `hot_spring_monthly` report of one month, once filed (service/report.py)."""

    __tablename__ = "spa_report_filings"
    __table_args__ = (UniqueConstraint("tenant_id", "period"),)

    period: Mapped[str] = mapped_column(String(7))  # 2026-11
    filing_id: Mapped[uuid.UUID | None]  # the filings module's row (no foreign key across)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)
    filed_at: Mapped[datetime]


# Evidence of money moving: never edited.
APPEND_ONLY = ("spa_charges", "spa_tenders", "spa_member_entries")
