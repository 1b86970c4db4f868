"""Booking a cabin on a voyage: the sailing and its grades as the guest sees them, the
passengers of the cabin (input and view), the booking as the confirmation, the PDF and the
API show it, and the forms of the public page and the console."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from app.web.input import Cleaned, Text
from modules.boarding.domain import PORTS

# ID documents a passenger may board with (the manifest records the type and the number).
ID_TYPES: dict[str, str] = {
    "resident_id": "Resident ID card",
    "passport": "Passport",
    "hk_macao_permit": "Mainland travel permit for Hong Kong and Macao residents",
    "taiwan_permit": "Mainland travel permit for Taiwan residents",
}
SEXES: dict[str, str] = {"M": "Male", "F": "Female"}
MAX_PASSENGERS = 8  # the most berths a cabin has (ship_cabins.berths)


# Views ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoardingPoint:
    """Where and when the passengers of a voyage board (its first embarking port call)."""

    port_call_id: uuid.UUID
    port_code: str
    opens_at: datetime
    closes_at: datetime

    @property
    def port_name(self) -> str:
        port = PORTS.get(self.port_code)
        return port.name if port else self.port_code

    @property
    def pier(self) -> str:
        port = PORTS.get(self.port_code)
        return port.pier if port else ""


@dataclass(frozen=True, slots=True)
class Sailing:
    """A voyage as the booking page shows it."""

    id: uuid.UUID
    number: str  # CJ20261210A
    ship_name: str
    direction: str
    status: str
    depart_on: date
    arrive_on: date
    sails_at: datetime
    arrives_at: datetime
    route: str  # 朝天门 → 宜昌
    ports: tuple[str, ...]  # port names in order
    boarding: BoardingPoint

    @property
    def nights(self) -> int:
        return (self.arrive_on - self.depart_on).days


@dataclass(frozen=True, slots=True)
class GradeOffer:
    """A cabin grade of a sailing on sale: price per cabin for the whole voyage."""

    unit_type_id: uuid.UUID
    code: str
    name: str
    description: str
    capacity: int
    total_fen: int
    deposit_fen: int
    available: int
    rate_plan_id: uuid.UUID
    rate_plan_name: str
    cancellation_policy: str


@dataclass(frozen=True, slots=True)
class SailingOffers:
    sailing: Sailing
    grades: tuple[GradeOffer, ...]

    @property
    def from_fen(self) -> int | None:
        return min((g.total_fen for g in self.grades), default=None)


@dataclass(frozen=True, slots=True)
class PassengerInput:
    """One person of the cabin as typed. `sex` and `birth_date` may be left empty for a
    resident ID (they are read from the number); when given they must agree with it."""

    name: str
    id_type: str = "resident_id"
    id_number: str = ""
    sex: str = ""
    birth_date: date | None = None
    phone: str = ""
    nationality: str = ""


@dataclass(frozen=True, slots=True)
class PassengerView:
    id: uuid.UUID
    voyage_id: uuid.UUID
    reservation_id: uuid.UUID
    unit_id: uuid.UUID | None
    cabin_number: str
    boarding_call_id: uuid.UUID
    status: str
    name: str
    sex: str
    id_type: str
    id_number_masked: str
    birth_date: date
    nationality: str
    phone: str
    is_lead: bool
    is_child: bool
    checked_in_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CabinBooking:
    """A cabin booked on a voyage: the reservation that sold it, the cabin, who sails."""

    reservation: Any  # reservations.service.ReservationView
    sailing: Sailing
    cabin_number: str
    grade_name: str
    passengers: tuple[PassengerView, ...]


# API ----------------------------------------------------------------------------------------


@dataclass
class PassengerIn(Cleaned):
    name: Annotated[str, Text(60)]
    id_type: Annotated[str, Text(20)] = "resident_id"
    id_number: Annotated[str, Text(40)] = ""
    sex: Annotated[str, Text(1)] = ""
    birth_date: date | None = None
    phone: Annotated[str, Text(32)] = ""
    nationality: Annotated[str, Text(3)] = ""

    def to_input(self) -> PassengerInput:
        return PassengerInput(
            name=self.name,
            id_type=self.id_type,
            id_number=self.id_number,
            sex=self.sex,
            birth_date=self.birth_date,
            phone=self.phone,
            nationality=self.nationality,
        )


@dataclass
class CabinBookingIn(Cleaned):
    """A cabin of a grade (a unit type of this voyage) for these passengers; the first is
    the lead passenger (18 or over, with a mobile phone). `hold` keeps the cabin for
    `hold_minutes` until it is confirmed (paid); otherwise it is booked at once."""

    unit_type_id: uuid.UUID
    passengers: list[PassengerIn]
    rate_plan: Annotated[str, Text(40)] = "rack"
    email: Annotated[str, Text(254)] = ""
    notes: Annotated[str, Text(500)] = ""
    hold: bool = False
    hold_minutes: int = 20


@dataclass(frozen=True, slots=True)
class PassengerOut:
    id: uuid.UUID
    name: str
    sex: str
    id_type: str
    id_number_masked: str
    birth_date: date
    is_lead: bool
    is_child: bool
    cabin_number: str
    status: str


@dataclass(frozen=True, slots=True)
class CabinBookingOut:
    reservation_id: uuid.UUID
    code: str
    status: str
    payment_state: str
    voyage_id: uuid.UUID
    voyage_number: str
    ship: str
    grade: str
    cabin_number: str
    boarding_port: str
    boarding_pier: str
    boarding_opens_at: datetime
    boarding_closes_at: datetime
    sails_at: datetime
    total_fen: int
    deposit_fen: int
    paid_fen: int
    hold_expires_at: datetime | None
    passengers: list[PassengerOut]

    @classmethod
    def of(cls, b: CabinBooking) -> CabinBookingOut:
        r, s = b.reservation, b.sailing
        return cls(
            reservation_id=r.id,
            code=r.code,
            status=str(r.status),
            payment_state=str(r.payment_state),
            voyage_id=s.id,
            voyage_number=s.number,
            ship=s.ship_name,
            grade=b.grade_name,
            cabin_number=b.cabin_number,
            boarding_port=s.boarding.port_name,
            boarding_pier=s.boarding.pier,
            boarding_opens_at=s.boarding.opens_at,
            boarding_closes_at=s.boarding.closes_at,
            sails_at=s.sails_at,
            total_fen=r.total_fen,
            deposit_fen=r.deposit_fen,
            paid_fen=r.paid_fen,
            hold_expires_at=r.hold_expires_at,
            passengers=[
                PassengerOut(
                    id=p.id,
                    name=p.name,
                    sex=p.sex,
                    id_type=p.id_type,
                    id_number_masked=p.id_number_masked,
                    birth_date=p.birth_date,
                    is_lead=p.is_lead,
                    is_child=p.is_child,
                    cabin_number=p.cabin_number,
                    status=p.status,
                )
                for p in b.passengers
            ],
        )


# Forms (public page and console) -------------------------------------------------------------

_FIELD = re.compile(r"^p([0-9])_(name|id_type|id_number|sex|birth_date|phone|nationality)$")
PASSENGER_FIELDS = ("name", "id_type", "id_number", "sex", "birth_date", "phone", "nationality")


@dataclass
class CabinForm(Cleaned):
    """The passengers of a cabin as typed on the page: `p0_name`, `p0_id_number`, … for
    each passenger (p0 is the lead). Read from the raw form (the count varies)."""

    count: Annotated[str, Text(2)] = "2"
    email: Annotated[str, Text(254)] = ""
    notes: Annotated[str, Text(500)] = ""
    pay: Annotated[str, Text(10)] = "online"
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: dict[str, Any]) -> CabinForm:
        """From the posted form; unknown fields are ignored, text rules apply to each."""
        from app.web.input import clean_text

        values: dict[str, str] = {}
        errors: list[dict[str, Any]] = []
        for key, value in raw.items():
            if not _FIELD.match(key) or not isinstance(value, str):
                continue
            try:
                values[key] = clean_text(value, Text(60))
            except ValueError as exc:
                errors.append({"field": key, "code": "invalid", "message": str(exc)})
        if errors:
            from app.errors import Invalid

            raise Invalid(errors=errors)

        def text(name: str, default: str = "") -> str:
            v = raw.get(name, default)
            return v if isinstance(v, str) else default

        return cls(
            count=text("count", "2"),
            email=text("email"),
            notes=text("notes"),
            pay=text("pay", "online"),
            values=values,
        )

    def get(self, index: int, name: str) -> str:
        return self.values.get(f"p{index}_{name}", "")


def form_field(error_field: str) -> str:
    """A service error's field (`passengers[1].id_number`) as the form names it
    (`p1_id_number`)."""
    m = re.match(r"^passengers\[([0-9])\]\.([a-z_]+)$", error_field)
    return f"p{m.group(1)}_{m.group(2)}" if m else error_field
