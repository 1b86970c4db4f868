"""What the front desk hands to other modules (terminals, hot-spring tags, dining) and the
forms its pages read. Other modules import these through `modules.frontdesk.service`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from app.web.input import Cleaned, Paragraph, Text
from modules.frontdesk.domain import StayStatus
from modules.reservations.service import ReservationView, UnitView


@dataclass(frozen=True, slots=True)
class StayView:
    id: uuid.UUID
    reservation_id: uuid.UUID
    unit_id: uuid.UUID
    unit_number: str
    status: str  # in_house | checked_out
    guest_name: str
    checked_in_at: datetime
    checked_out_at: datetime | None = None

    @property
    def in_house(self) -> bool:
        return self.status == StayStatus.IN_HOUSE


@dataclass(frozen=True, slots=True)
class FolioLineView:
    id: uuid.UUID
    stay_id: uuid.UUID
    kind: str  # charge | payment | refund | adjustment
    description: str
    amount_fen: int
    source: str
    method: str | None
    service_date: date | None
    posted_at: datetime


@dataclass(frozen=True, slots=True)
class FolioView:
    stay: StayView
    lines: tuple[FolioLineView, ...]
    charges_fen: int  # charges and adjustments
    payments_fen: int  # received, net of refunds (positive)
    balance_fen: int  # what the guest still owes; negative when the hotel owes the guest


@dataclass(frozen=True, slots=True)
class RoomMoveView:
    from_number: str
    to_number: str
    reason: str
    moved_at: datetime


@dataclass(frozen=True, slots=True)
class StayPage:
    """Everything the stay page shows."""

    folio: FolioView
    reservation: ReservationView
    moves: tuple[RoomMoveView, ...]
    move_targets: tuple[UnitView, ...]  # ready, empty rooms a guest may move to


@dataclass(frozen=True, slots=True)
class DeskDay:
    """The front desk's day: reservations from the reservations module, with the stay
    each in-house or departing guest has here."""

    day: date
    today: date
    arrivals: tuple[ReservationView, ...]
    in_house: tuple[ReservationView, ...]
    departures: tuple[ReservationView, ...]
    stays: dict[uuid.UUID, StayView] = field(default_factory=dict)  # by reservation id
    balances: dict[uuid.UUID, int] = field(default_factory=dict)  # by stay id


@dataclass(frozen=True, slots=True)
class HousekeepingTile:
    unit: UnitView
    occupied: bool
    departing: bool  # the guest in it leaves today
    arriving: bool  # an arrival today is booked into this type and it is not ready


@dataclass(frozen=True, slots=True)
class HousekeepingBoard:
    floors: tuple[tuple[int, tuple[HousekeepingTile, ...]], ...]
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class DailyFiguresView:
    """One audited business day (夜审日报). Money in fen, occupancy in basis points."""

    business_date: date
    rooms: int
    room_nights_available: int
    room_nights_sold: int
    occupancy_bp: int
    adr_fen: int
    revpar_fen: int
    room_revenue_fen: int
    fnb_revenue_fen: int
    other_revenue_fen: int
    revenue_by_source: dict[str, int]
    arrivals: int
    departures: int
    in_house_guests: int
    guests_domestic: int
    guests_foreign: int
    no_shows: int
    cancellations: int
    computed_at: datetime

    @property
    def total_revenue_fen(self) -> int:
        return self.room_revenue_fen + self.fnb_revenue_fen + self.other_revenue_fen


@dataclass(frozen=True, slots=True)
class AuditResult:
    """What one run of the night audit did."""

    figures: DailyFiguresView
    no_shows_marked: tuple[str, ...]  # booking codes marked no-show by this run
    changed: bool  # False: the day's figures were already exactly these


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """A month as the bureau's `hotel_monthly` statistics report asks for it (PROTOCOL.md),
    summed from the audited days; `days` says how many days were audited."""

    rooms: int
    room_nights_available: int
    room_nights_sold: int
    occupancy_bp: int
    adr_fen: int
    revpar_fen: int
    room_revenue_fen: int
    fnb_revenue_fen: int
    other_revenue_fen: int
    guests_domestic: int
    guests_foreign: int
    guest_nights: int
    days: int = 0
    arrivals: int = 0
    departures: int = 0
    no_shows: int = 0
    cancellations: int = 0

    def as_figures(self) -> dict[str, int]:
        """Exactly the figure set of a `hotel_monthly` filing."""
        return {name: getattr(self, name) for name in HOTEL_MONTHLY_FIGURES}


HOTEL_MONTHLY_FIGURES = (
    "rooms",
    "room_nights_available",
    "room_nights_sold",
    "occupancy_bp",
    "adr_fen",
    "revpar_fen",
    "room_revenue_fen",
    "fnb_revenue_fen",
    "other_revenue_fen",
    "guests_domestic",
    "guests_foreign",
    "guest_nights",
)


@dataclass(frozen=True, slots=True)
class MonthReport:
    year: int
    month: int
    days: tuple[DailyFiguresView, ...]
    totals: MonthFigures


# Forms ---------------------------------------------------------------------------------


@dataclass
class CheckInForm(Cleaned):
    unit_id: str = ""


@dataclass
class ChargeForm(Cleaned):
    description: Annotated[str, Text(100)] = ""
    amount: str = ""
    source: str = "other"


@dataclass
class PaymentForm(Cleaned):
    amount: str = ""
    method: str = "cash"


@dataclass
class MoveForm(Cleaned):
    unit_id: str = ""
    reason: Annotated[str, Text(200)] = ""


@dataclass
class ExtendForm(Cleaned):
    """Nights to add, or a new departure date (the date wins when both are filled)."""

    nights: str = ""
    departure: str = ""


@dataclass
class CheckOutForm(Cleaned):
    method: str = ""


@dataclass
class UnitStatusForm(Cleaned):
    status: str = ""


@dataclass
class GuestForm(Cleaned):
    """The booking page's second step: the offer chosen (hidden fields) and the guest."""

    unit_type_id: str = ""
    rate_plan_id: str = ""
    arrival: str = ""
    departure: str = ""
    adults: str = "2"
    children: str = "0"
    name: str = ""
    phone: str = ""
    id_type: str = "resident_id"
    id_number: str = ""
    email: str = ""
    preferences: list[str] | str = field(default_factory=list)  # one ticked box is a str
    notes: Paragraph = ""
    pay: str = ""  # "online": prepay now even when the rate asks no deposit

    def preference_list(self) -> list[str]:
        return [self.preferences] if isinstance(self.preferences, str) else self.preferences


@dataclass
class CloseDayForm(Cleaned):
    day: str = ""


@dataclass
class LookupForm(Cleaned):
    code: str = ""
