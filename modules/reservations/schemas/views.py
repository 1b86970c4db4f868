"""What the reservations module hands to other modules and to its routes.

These are plain frozen dataclasses: payments and the front desk import them through
`modules.reservations.service` (which re-exports them), never the tables behind them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from app.web.input import Cleaned, Paragraph, Text
from modules.payments.service import PaymentStart
from modules.reservations.domain import ACTIVE, PaymentState, ReservationStatus, Source, UnitStatus

# Unit kinds: a hotel room, a cruise cabin (per voyage), a hot-spring admission ticket,
# a restaurant table slot.
KINDS = ("room", "cabin", "admission", "table")
STATUSES = tuple(ReservationStatus)
# Reservations that occupy inventory.
ACTIVE_STATUSES = tuple(s for s in ReservationStatus if s in ACTIVE)
PAYMENT_STATES = tuple(PaymentState)
SOURCES = tuple(Source)
ID_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "other")
UNIT_STATUSES = tuple(UnitStatus)
UNIT_FEATURES = ("river_view", "high_floor", "accessible", "balcony", "quiet", "connecting")


@dataclass(frozen=True, slots=True)
class GuestDetails:
    """The booker. A resident ID number is checked (GB 11643) before anything is stored."""

    name: str
    phone: str
    id_type: str = "resident_id"
    id_number: str = ""
    email: str | None = None
    preferences: tuple[str, ...] = ()  # unit features wanted, plus "same_floor" for a party
    notes: str = ""


@dataclass(frozen=True, slots=True)
class NightPrice:
    day: date
    price_fen: int


@dataclass(frozen=True, slots=True)
class Offer:
    """One bookable unit type for the asked dates and party, priced under one rate plan."""

    unit_type_id: uuid.UUID
    code: str
    name: str
    kind: str
    capacity: int
    nights: tuple[NightPrice, ...]
    total_fen: int
    available: int
    rate_plan_id: uuid.UUID
    rate_plan_code: str
    rate_plan_name: str
    deposit_fen: int
    cancellation_policy: str  # one sentence in the request's language (gettext)
    voyage_id: uuid.UUID | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class ReservationView:
    id: uuid.UUID
    code: str
    status: str
    unit_type_id: uuid.UUID
    unit_type_name: str
    rate_plan_id: uuid.UUID
    arrival: date
    departure: date
    nights: int
    adults: int
    children: int
    guest_name: str
    guest_phone: str
    id_type: str
    id_number_masked: str
    total_fen: int
    deposit_fen: int
    paid_fen: int
    payment_state: str
    hold_expires_at: datetime | None
    created_at: datetime
    kind: str = "room"
    unit_type_code: str = ""
    rate_plan_code: str = ""
    rate_plan_name: str = ""
    source: str = "direct"
    channel: str = ""  # the distributor's name when source is 'distribution'
    guest_email: str | None = None
    preferences: tuple[str, ...] = ()
    notes: str = ""
    cancellation_fee_fen: int = 0
    unit_id: uuid.UUID | None = None  # set at check-in by the front desk
    unit_number: str | None = None
    voyage_id: uuid.UUID | None = None
    quantity: int = 1  # units of the type (several admission tickets, a party's rooms)
    night_prices: tuple[NightPrice, ...] = ()  # per unit; filled by get_reservation

    @property
    def balance_fen(self) -> int:
        """What the guest still owes (negative: we owe them)."""
        due = (
            self.cancellation_fee_fen
            if self.status == ReservationStatus.CANCELLED
            else self.total_fen
        )
        return due - self.paid_fen

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class Cancellation:
    reservation: ReservationView
    fee_fen: int  # kept under the rate plan's policy
    refundable_fen: int  # what was paid beyond the fee; payments refunds this


@dataclass(frozen=True, slots=True)
class DayLists:
    """The front desk's day: who arrives, who is in house, who leaves."""

    day: date
    arrivals: tuple[ReservationView, ...] = ()
    in_house: tuple[ReservationView, ...] = ()
    departures: tuple[ReservationView, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitView:
    id: uuid.UUID
    number: str
    floor: int
    unit_type_id: uuid.UUID
    unit_type_code: str
    unit_type_name: str
    kind: str
    status: str
    features: tuple[str, ...] = field(default_factory=tuple)
    voyage_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class VoyageView:
    id: uuid.UUID
    code: str
    ship: str
    route: str
    direction: str
    depart_on: date
    arrive_on: date
    embark_port: str
    disembark_port: str
    status: str


@dataclass(frozen=True, slots=True)
class UnitTypeView:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    capacity: int
    base_price_fen: int
    description: str
    active: bool
    voyage_id: uuid.UUID | None = None
    voyage_code: str | None = None
    units: int = 0  # physical units of this type


@dataclass(frozen=True, slots=True)
class RatePlanView:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    discount_bp: int
    net_price_fen: int | None
    free_cancel_hours: int
    cancel_fee_kind: str
    cancel_fee_bp: int
    deposit_kind: str
    deposit_bp: int
    active: bool
    cancellation_policy: str = ""


@dataclass(frozen=True, slots=True)
class CalendarCell:
    day: date
    total: int
    sold: int
    price_fen: int
    closed: bool
    closed_to_arrival: bool
    min_stay: int

    @property
    def free(self) -> int:
        return 0 if self.closed else max(0, self.total - self.sold)


@dataclass(frozen=True, slots=True)
class CalendarRow:
    unit_type: UnitTypeView
    cells: tuple[CalendarCell | None, ...]  # one per day of the calendar; None: not on sale


@dataclass(frozen=True, slots=True)
class Calendar:
    start: date
    days: tuple[date, ...]
    rows: tuple[CalendarRow, ...]


@dataclass(frozen=True, slots=True)
class PayPage:
    """The guest's pay step for one reservation."""

    reservation: ReservationView
    start: PaymentStart | None  # None: nothing is due online (paid, or not payable)
    kind: str | None = None  # deposit or prepayment, when something is due


# JSON API requests -----------------------------------------------------------------------


@dataclass
class GuestIn(Cleaned):
    name: str
    phone: str
    id_type: Annotated[str, Text(32)] = "resident_id"
    id_number: Annotated[str, Text(32)] = ""
    email: str | None = None
    preferences: list[str] = field(default_factory=list)
    notes: Paragraph = ""

    def details(self) -> GuestDetails:
        return GuestDetails(
            name=self.name,
            phone=self.phone,
            id_type=self.id_type,
            id_number=self.id_number,
            email=self.email,
            preferences=tuple(self.preferences),
            notes=self.notes,
        )


@dataclass
class BookingIn(Cleaned):
    """A stay to book: `quantity` units of one type for the nights [arrival, departure)."""

    unit_type_id: uuid.UUID
    rate_plan_id: uuid.UUID
    arrival: date
    departure: date
    adults: int
    guest: GuestIn
    children: int = 0
    quantity: int = 1


@dataclass
class HoldIn(BookingIn):
    """A stay held for `hold_minutes` while the guest pays; confirm it or let it expire."""

    hold_minutes: int = 20


@dataclass
class ChangeIn(Cleaned):
    """Only the fields sent change."""

    arrival: date | None = None
    departure: date | None = None
    unit_type_id: uuid.UUID | None = None
    adults: int | None = None
    children: int | None = None


@dataclass
class CancelIn(Cleaned):
    reason: Paragraph = ""
