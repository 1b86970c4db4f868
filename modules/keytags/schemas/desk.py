"""The admission desk's shapes: what the desk asks for one person and for a party, and the
visits it lists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from app.enums import LabelledEnum

MAX_PARTY = 12
TAG_UID_MAX = 32


class TagChoice(LabelledEnum):
    RFID = "rfid", "RFID tag (scan it)"
    QR = "qr", "Print a QR wristband"


@dataclass(frozen=True, slots=True)
class PersonInput:
    """One person of a party: their ticket, where they change, and the tag they get (an RFID
    UID as the reader typed it, or a QR wristband printed now). No section and no locker:
    no locker (a child sharing a parent's)."""

    ticket_type_id: uuid.UUID
    tag_uid: str = ""
    qr_wristband: bool = False
    section_id: uuid.UUID | None = None
    locker_id: uuid.UUID | None = None  # a specific free locker the desk picked
    guest_name: str = ""


@dataclass(frozen=True, slots=True)
class AdmissionInput:
    """A party admitted together: its source, how its tabs are covered, its persons.

    Source `online` names the day ticket's `code`; `hotel` the `room` number of an in-house
    stay; `member` the `card_no`. Tab mode `cash_deposit` takes `deposit_fen` per person in
    cash; `card_preauth` authorises `preauth_fen` per person on the card (`card_token` from the
    desk's card terminal); `postpay` gives each the ticket's credit limit."""

    persons: tuple[PersonInput, ...]
    source: str = "walk_in"
    tab_mode: str = "postpay"
    deposit_fen: int = 0
    preauth_fen: int = 0
    card_token: str = ""
    code: str = ""
    room: str = ""
    card_no: str = ""
    guest_name: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class VisitRow:
    """A visit as the desk lists it."""

    id: uuid.UUID
    number: str
    party_id: uuid.UUID | None
    status: str
    source: str
    tab_mode: str
    ticket_name: str
    guest_name: str
    tag_uid: str | None
    tag_kind: str | None
    locker: str | None
    section: str | None
    opened_at: datetime
    gate_in_at: datetime | None
    admission_fen: int
    admission_prepaid: bool
    tab_fen: int
    limit_fen: int
    deposit_fen: int


@dataclass(frozen=True, slots=True)
class BindingView:
    tag_uid: str
    tag_kind: str
    tag_status: str
    blocked_reason: str | None
    bound_at: datetime
    released_at: datetime | None
    release_reason: str | None


@dataclass(frozen=True, slots=True)
class ChargeRow:
    id: uuid.UUID
    kind: str
    description: str
    amount_fen: int
    occurred_at: datetime
    outlet_id: uuid.UUID | None
    reason: str


@dataclass(frozen=True, slots=True)
class TenderRow:
    kind: str
    method: str
    amount_fen: int
    created_at: datetime
    reference: str


@dataclass(frozen=True, slots=True)
class VisitPage:
    visit: VisitRow
    bindings: tuple[BindingView, ...]
    charges: tuple[ChargeRow, ...]
    tenders: tuple[TenderRow, ...]
    party: tuple[VisitRow, ...] = field(default_factory=tuple)
