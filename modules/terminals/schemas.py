"""What the terminals service hands to its pages and to the guest-services module, and
the console forms it reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated

from app.web.input import MAX_ANY_TEXT, Cleaned, Paragraph, Text


@dataclass(frozen=True, slots=True)
class TerminalStay:
    """The stay checked in to a terminal's room right now: the only guest data a terminal
    may ever show. None when the room is empty."""

    stay_id: uuid.UUID
    reservation_id: uuid.UUID
    unit_id: uuid.UUID
    unit_number: str
    guest_name: str
    arrival: date
    departure: date


@dataclass(frozen=True, slots=True)
class DeviceView:
    id: uuid.UUID
    name: str
    unit_id: uuid.UUID
    unit_number: str
    status: str  # paired | pairing | unpaired | revoked
    paired_at: datetime | None
    last_seen_at: datetime | None
    pairing_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class PairingCode:
    """A code to type on the device, shown to staff once (only its digest is kept)."""

    device: DeviceView
    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PairedDevice:
    device_id: uuid.UUID
    token: str  # the cookie value; never stored


@dataclass(frozen=True, slots=True)
class PageView:
    id: uuid.UUID
    title: str
    body: str
    category: str
    sort_order: int
    published: bool

    @property
    def paragraphs(self) -> list[str]:
        """Plain text in, paragraphs out: a blank line separates them (no markup, so a
        page can never carry a script onto the terminals)."""
        blocks = [b.strip() for b in self.body.replace("\r\n", "\n").split("\n\n")]
        return [b for b in blocks if b]


@dataclass(frozen=True, slots=True)
class AnnouncementView:
    id: uuid.UUID
    body: str
    starts_at: datetime
    ends_at: datetime
    voyage_id: uuid.UUID | None
    voyage_code: str = ""


@dataclass(frozen=True, slots=True)
class SpotView:
    id: uuid.UUID
    name: str
    description: str
    opening_hours: str
    ticket_fen: int | None
    distance_m: int | None
    sort_order: int
    published: bool
    photo_ids: tuple[uuid.UUID, ...] = ()

    @property
    def distance_km(self) -> str:
        return "" if self.distance_m is None else f"{self.distance_m / 1000:.1f}"


@dataclass(frozen=True, slots=True)
class VideoView:
    id: uuid.UUID
    title: str
    description: str
    content_type: str
    size_bytes: int
    sort_order: int
    published: bool
    has_poster: bool


@dataclass(frozen=True, slots=True)
class PortCallView:
    id: uuid.UUID
    voyage_id: uuid.UUID
    day_no: int
    day: date | None
    port: str
    arrive_time: time | None
    depart_time: time | None
    activity: str


@dataclass(frozen=True, slots=True)
class ItineraryStop:
    """A port call as another module runs the voyage (an itinerary source's answer)."""

    port: str
    arrives_at: datetime | None
    departs_at: datetime | None
    activity: str = ""


@dataclass(frozen=True, slots=True)
class HomeScreen:
    """Everything the home screen shows, computed from the current stay only."""

    stay: TerminalStay | None
    unit_number: str
    announcements: tuple[str, ...]
    has_itinerary: bool
    counts: dict[str, int] = field(default_factory=dict)  # pages, spots, videos


# Console forms -------------------------------------------------------------------------


@dataclass
class DeviceForm(Cleaned):
    name: str = ""
    unit_id: str = ""


@dataclass
class MoveForm(Cleaned):
    unit_id: str = ""


@dataclass
class PairForm(Cleaned):
    code: str = ""


@dataclass
class PageForm(Cleaned):
    title: str = ""
    body: Annotated[str, Text(MAX_ANY_TEXT, multiline=True)] = ""  # a whole info page
    category: str = "facilities"
    sort_order: str = "0"
    published: str = ""


@dataclass
class SpotForm(Cleaned):
    name: str = ""
    description: Paragraph = ""
    opening_hours: str = ""
    ticket: str = ""
    distance_km: str = ""
    sort_order: str = "0"
    published: str = ""


@dataclass
class AnnouncementForm(Cleaned):
    body: Annotated[str, Text(300, multiline=True)] = ""
    starts_at: str = ""
    ends_at: str = ""
    voyage_id: str = ""


@dataclass
class PortCallForm(Cleaned):
    day_no: str = ""
    port: str = ""
    arrive_time: str = ""
    depart_time: str = ""
    activity: str = ""
