"""Views of ships, voyages, port calls and crew (what other parts of boarding and other
modules read through `modules.boarding.service`), and the console forms and API types of the
voyages pages. Times are timezone-aware (UTC from the database); pages show them in the
enterprise's zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from app import clock
from app.web.input import Cleaned, Text
from modules.boarding.domain import PORTS, Direction, VoyageStatus

# Views ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShipView:
    id: uuid.UUID
    code: str
    name: str
    decks: int
    passenger_capacity: int
    length_m: int | None
    built_year: int | None
    active: bool
    cabins: int = 0
    berths: int = 0


@dataclass(frozen=True, slots=True)
class CabinView:
    id: uuid.UUID
    ship_id: uuid.UUID
    number: str
    deck: int
    grade_code: str
    grade_name: str
    berths: int
    features: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GradeView:
    """A cabin grade of a ship's plan: how many cabins, the most berths in one."""

    code: str
    name: str
    cabins: int
    berths: int
    decks: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PortCallView:
    id: uuid.UUID
    voyage_id: uuid.UUID
    seq: int
    port_code: str
    arrives_at: datetime | None  # scheduled; None at the first port
    departs_at: datetime | None  # scheduled; None at the last port
    embarking: bool
    disembarking: bool
    activity: str
    boarding_opens_at: datetime | None
    boarding_closes_at: datetime | None
    arrived_at: datetime | None  # actual
    departed_at: datetime | None  # actual

    @property
    def port_name(self) -> str:
        port = PORTS.get(self.port_code)
        return port.name if port else self.port_code

    @property
    def pier(self) -> str:
        port = PORTS.get(self.port_code)
        return port.pier if port else ""


@dataclass(frozen=True, slots=True)
class VoyageView:
    """A voyage as the purser runs it; `id` is also the sold voyage's id (reservations)."""

    id: uuid.UUID
    number: str  # CJ20261210A, the sold voyage's code
    ship_id: uuid.UUID
    ship_code: str
    ship_name: str
    direction: Direction
    status: VoyageStatus
    boarding_opens_at: datetime
    boarding_closes_at: datetime
    sails_at: datetime
    arrives_at: datetime
    status_changed_at: datetime
    cancel_reason: str | None
    port_calls: tuple[PortCallView, ...] = ()
    report_filed_at: datetime | None = None  # the bureau's cruise_voyage report, once filed

    @property
    def code(self) -> str:
        return self.number

    @property
    def first_call(self) -> PortCallView | None:
        return self.port_calls[0] if self.port_calls else None

    @property
    def last_call(self) -> PortCallView | None:
        return self.port_calls[-1] if self.port_calls else None

    @property
    def route(self) -> str:
        """朝天门 → 宜昌"""
        if not self.port_calls:
            return ""
        return f"{self.port_calls[0].port_name} → {self.port_calls[-1].port_name}"

    @property
    def depart_on(self) -> date:
        """The sailing date in China (the sold voyage's first night)."""
        return clock.local_date(self.sails_at)

    @property
    def arrive_on(self) -> date:
        return clock.local_date(self.arrives_at)

    @property
    def nights(self) -> int:
        return (self.arrive_on - self.depart_on).days


@dataclass(frozen=True, slots=True)
class VoyageRow:
    """A line of the voyages list: the voyage and how many of its cabins are sold."""

    voyage: VoyageView
    cabins_total: int
    cabins_sold: int


@dataclass(frozen=True, slots=True)
class CrewView:
    id: uuid.UUID
    voyage_id: uuid.UUID
    name: str
    role: str
    id_type: str
    id_number: str
    phone: str

    @property
    def id_masked(self) -> str:
        n = self.id_number
        return n if len(n) <= 7 else f"{n[:3]}{'*' * (len(n) - 7)}{n[-4:]}"


@dataclass(frozen=True, slots=True)
class CabinInput:
    number: str
    deck: int
    grade_code: str
    grade_name: str
    berths: int
    features: tuple[str, ...] = ()


# Console forms ---------------------------------------------------------------------------


@dataclass
class ShipForm(Cleaned):
    code: Annotated[str, Text(20)] = ""
    name: Annotated[str, Text(60)] = ""
    decks: Annotated[str, Text(4)] = ""
    passenger_capacity: Annotated[str, Text(6)] = ""
    length_m: Annotated[str, Text(6)] = ""
    built_year: Annotated[str, Text(6)] = ""


@dataclass
class CabinsForm(Cleaned):
    """Cabins of one grade: numbers typed as a list ("A-201 A-202") or a range
    ("A-201~A-212")."""

    numbers: Annotated[str, Text(1000)] = ""
    deck: Annotated[str, Text(4)] = ""
    grade_code: Annotated[str, Text(20)] = ""
    grade_name: Annotated[str, Text(100)] = ""
    berths: Annotated[str, Text(2)] = ""
    features: list[str] | str = field(default_factory=list)


@dataclass
class VoyageForm(Cleaned):
    """A new voyage: the ship, the sailing date, the direction, the times in the enterprise's
    zone, and a price per cabin grade (`price_<grade code>`, yuan per cabin per night)."""

    ship_id: Annotated[str, Text(40)] = ""
    sails_on: Annotated[str, Text(10)] = ""
    direction: Annotated[str, Text(12)] = "downstream"
    prefix: Annotated[str, Text(4)] = "CJ"
    boarding_opens: Annotated[str, Text(5)] = "18:00"
    boarding_closes: Annotated[str, Text(5)] = "20:30"
    sails: Annotated[str, Text(5)] = "21:00"


@dataclass
class StatusForm(Cleaned):
    status: Annotated[str, Text(12)] = ""
    reason: Annotated[str, Text(300)] = ""


@dataclass
class PortTimeForm(Cleaned):
    """An actual arrival or departure at a port call, typed as 2026-12-10 21:05 (or blank
    for now)."""

    event: Annotated[str, Text(10)] = ""
    at: Annotated[str, Text(16)] = ""


@dataclass
class CrewForm(Cleaned):
    name: Annotated[str, Text(60)] = ""
    role: Annotated[str, Text(16)] = ""
    id_type: Annotated[str, Text(20)] = "resident_id"
    id_number: Annotated[str, Text(40)] = ""
    phone: Annotated[str, Text(32)] = ""


# API ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortCallOut:
    id: uuid.UUID
    seq: int
    port_code: str
    port_name: str
    arrives_at: datetime | None
    departs_at: datetime | None
    embarking: bool
    disembarking: bool
    boarding_opens_at: datetime | None
    boarding_closes_at: datetime | None


@dataclass(frozen=True, slots=True)
class VoyageOut:
    id: uuid.UUID
    number: str
    ship: str
    direction: str
    status: str
    boarding_opens_at: datetime
    boarding_closes_at: datetime
    sails_at: datetime
    arrives_at: datetime
    port_calls: list[PortCallOut]

    @classmethod
    def of(cls, v: VoyageView) -> VoyageOut:
        return cls(
            id=v.id,
            number=v.number,
            ship=v.ship_name,
            direction=str(v.direction),
            status=str(v.status),
            boarding_opens_at=v.boarding_opens_at,
            boarding_closes_at=v.boarding_closes_at,
            sails_at=v.sails_at,
            arrives_at=v.arrives_at,
            port_calls=[
                PortCallOut(
                    id=c.id,
                    seq=c.seq,
                    port_code=c.port_code,
                    port_name=c.port_name,
                    arrives_at=c.arrives_at,
                    departs_at=c.departs_at,
                    embarking=c.embarking,
                    disembarking=c.disembarking,
                    boarding_opens_at=c.boarding_opens_at,
                    boarding_closes_at=c.boarding_closes_at,
                )
                for c in v.port_calls
            ],
        )
