"""The real-name manifest as the purser sees it (a voyage's cabins and passengers, counts per
boarding port, the change log), the passenger edit form and the low-water change of boarding
port."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from app.web.input import Cleaned, Text
from modules.boarding.domain import VoyageStatus

# The documents a passenger may travel on (the same codes as a hotel guest's).
ID_TYPE_LABELS = {
    "resident_id": "Resident ID card",
    "passport": "Passport",
    "hk_macao_permit": "Mainland travel permit for Hong Kong and Macao residents",
    "taiwan_permit": "Mainland travel permit for Taiwan residents",
    "other": "Other",
}
# A passenger's status as the manifest says it ("Booked" alone reads as a hotel's word).
STATUS_LABELS = {
    "booked": "Booked on the voyage",
    "checked_in": "Pre-checked-in",
    "cancelled": "Cancelled",
}
SEX_LABELS = {"M": "Male", "F": "Female", "": "Not stated"}


@dataclass(frozen=True, slots=True)
class VoyageHeader:
    """What a manifest page or document says about its voyage."""

    id: uuid.UUID
    number: str  # CJ20261210A
    ship: str
    route: str
    direction: str
    status: str
    boarding_opens_at: datetime
    boarding_closes_at: datetime
    sails_at: datetime
    arrives_at: datetime
    tz: str

    @property
    def status_label(self) -> str:
        return VoyageStatus.labels().get(self.status, self.status)


@dataclass(frozen=True, slots=True)
class CallView:
    """A port call as the manifest shows it: where passengers board, and until when."""

    id: uuid.UUID
    seq: int
    port_code: str
    port_name: str
    pier: str
    embarking: bool
    boarding_opens_at: datetime | None
    boarding_closes_at: datetime | None
    departs_at: datetime | None


@dataclass(frozen=True, slots=True)
class ManifestPassenger:
    id: uuid.UUID
    voyage_id: uuid.UUID
    reservation_id: uuid.UUID
    cabin_number: str
    unit_id: uuid.UUID | None
    name: str
    sex: str
    birth_date: date
    age: int  # on the sailing date
    is_child: bool
    is_lead: bool
    id_type: str
    id_number: str  # full: for the exports only; pages show id_masked
    id_masked: str
    phone: str
    emergency_name: str
    emergency_phone: str
    boarding_call_id: uuid.UUID
    boarding_port: str  # port code
    boarding_port_name: str
    status: str  # PassengerStatus
    checked_in: bool
    aboard: bool
    editable: bool  # boarding at the passenger's port has not closed


@dataclass(frozen=True, slots=True)
class ManifestCabin:
    number: str
    passengers: tuple[ManifestPassenger, ...]


@dataclass(frozen=True, slots=True)
class PortCount:
    """Passengers expected to board at a port (booked or pre-checked-in, not cancelled)."""

    call_id: uuid.UUID
    port_code: str
    port_name: str
    expected: int
    checked_in: int
    aboard: int
    boarding_closes_at: datetime | None


@dataclass(frozen=True, slots=True)
class ManifestFilters:
    port: str = ""  # port code
    cabin: str = ""
    not_aboard: bool = False
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(self.port or self.cabin or self.not_aboard or self.q)


@dataclass(frozen=True, slots=True)
class Manifest:
    voyage: VoyageHeader
    calls: tuple[CallView, ...]
    cabins: tuple[ManifestCabin, ...]
    counts: tuple[PortCount, ...]
    filters: ManifestFilters
    shown: int
    total: int  # passengers on the manifest, cancelled ones included

    @property
    def boarding_calls(self) -> tuple[CallView, ...]:
        return tuple(c for c in self.calls if c.embarking)


@dataclass(frozen=True, slots=True)
class ManifestChangeView:
    id: uuid.UUID
    at: datetime
    passenger_id: uuid.UUID | None
    passenger_name: str
    action: str
    field: str
    old_value: str
    new_value: str
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class CabinChoice:
    unit_id: uuid.UUID
    number: str
    grade: str
    capacity: int
    occupied: int


@dataclass(frozen=True, slots=True)
class ManifestExport:
    filename: str
    data: bytes
    media_type: str


# Forms -----------------------------------------------------------------------------------


@dataclass
class PassengerEdit(Cleaned):
    """A purser's correction of one passenger (a refused field is shown again as typed)."""

    name: Annotated[str, Text(60)] = ""
    sex: Annotated[str, Text(1)] = ""
    id_type: Annotated[str, Text(20)] = "resident_id"
    id_number: Annotated[str, Text(40)] = ""
    birth_date: Annotated[str, Text(10)] = ""
    phone: Annotated[str, Text(32)] = ""
    emergency_name: Annotated[str, Text(60)] = ""
    emergency_phone: Annotated[str, Text(32)] = ""
    unit_id: Annotated[str, Text(36)] = ""  # the cabin, one of the voyage's
    reason: Annotated[str, Text(300)] = ""


@dataclass
class PortChangeForm(Cleaned):
    """A manager moves the voyage's boarding (or chosen passengers') to a low-water port."""

    port_code: Annotated[str, Text(8)] = ""
    scope: Annotated[str, Text(12)] = "voyage"  # voyage | chosen
    passenger_ids: list[str] | str = field(default_factory=list)  # one ticked box is a str
    boarding_date: Annotated[str, Text(10)] = ""
    opens_at: Annotated[str, Text(5)] = ""  # HH:MM, the port's local time
    closes_at: Annotated[str, Text(5)] = ""
    departs_at: Annotated[str, Text(5)] = ""  # optional: 30 minutes after closing
    bus: Annotated[str, Text(300)] = ""  # the bus arrangement, told to every passenger
    reason: Annotated[str, Text(300)] = ""

    def chosen(self) -> list[str]:
        ids = self.passenger_ids
        return [ids] if isinstance(ids, str) else list(ids)


@dataclass(frozen=True, slots=True)
class PortChangeResult:
    call: CallView
    moved: tuple[uuid.UUID, ...]
    messages: int
    passes_reissued: int
    call_added: bool
