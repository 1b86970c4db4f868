"""The admission desk's shapes: what the desk asks for one person and for a party, and the
visits it lists."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from app.errors import Invalid
from app.i18n import gettext
from app.web.input import Cleaned, FieldError, Text, clean_text, read_fen

MAX_PARTY = 12
TAG_UID_MAX = 32


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
    locker_number: str = ""  # or its number in the section
    guest_name: str = ""


@dataclass(frozen=True, slots=True)
class AdmissionInput:
    """A party admitted together: its source, how its tabs are covered, its persons.

    Source `online` names the day ticket's `code`; `hotel` the `room` number of an in-house
    stay; `member` the `card_no`. Tab mode `cash_deposit` takes `deposit_fen` per person in
    cash; `card_preauth` authorises `preauth_fen` per person on the card (`card_token`: the
    desk page's Stripe.js tokens of the guest's card, one per person, space separated);
    `postpay` gives each the ticket's credit limit."""

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


@dataclass(frozen=True, slots=True)
class DeskChoices:
    """What the admission form offers: active ticket types and the changing rooms."""

    tickets: tuple[tuple[uuid.UUID, str, int], ...]  # id, name, today's price
    sections: tuple[tuple[uuid.UUID, str], ...]
    default_deposit_fen: int


FORM_ROWS = 4  # person rows on the admission form
_TEXT = {
    "source": 8,
    "tab_mode": 12,
    "code": 40,
    "room": 20,
    "card_no": 20,
    "guest_name": 60,
    "phone": 20,
    "deposit": 16,
    "preauth": 16,
    "card_token": 255,
}
_OWN_TAB = {"hotel": "folio", "member": "member"}
_ROW = {"ticket_type": 40, "section": 40, "tag_uid": 64, "qr": 1, "locker": 10}


@dataclass(frozen=True, slots=True)
class AdmissionForm:
    """The admission form as typed (to show again) and the rows that became persons."""

    values: dict[str, str]
    rows: tuple[int, ...]  # the form row of each person, in order


def read_admission(form: Mapping[str, Sequence[str]]) -> tuple[AdmissionForm, AdmissionInput]:
    """The desk's admission form: a refusal names the form's own field (`persons-<row>-…`)."""
    errors: list[dict[str, str]] = []
    values: dict[str, str] = {}

    def one(name: str, limit: int) -> str:
        raw = form.get(name) or [""]
        try:
            value = clean_text(str(raw[0]), Text(limit))
        except FieldError as e:
            errors.append({"field": name, "code": "invalid", "message": e.message})
            value = ""
        values[name] = value
        return value

    top = {name: one(name, limit) for name, limit in _TEXT.items()}
    persons: list[PersonInput] = []
    rows: list[int] = []
    for row in range(FORM_ROWS):
        cells = {k: one(f"persons-{row}-{k}", limit) for k, limit in _ROW.items()}
        if not cells["ticket_type"]:
            continue
        ticket = _uuid(cells["ticket_type"], f"persons-{row}-ticket_type", errors)
        section = _uuid(cells["section"], f"persons-{row}-section", errors)
        if ticket is None:
            continue
        persons.append(
            PersonInput(
                ticket_type_id=ticket,
                tag_uid=cells["tag_uid"],
                qr_wristband=cells["qr"] == "1",
                section_id=section,
                locker_number=cells["locker"],
            )
        )
        rows.append(row)
    deposit = _money(top["deposit"], "deposit", errors)
    preauth = _money(top["preauth"], "preauth", errors)
    if errors:
        raise Invalid(errors=errors)
    source = top["source"] or "walk_in"
    # A hotel guest's tab is the room's folio and a member's the card: the form's tab choice
    # is for everyone else.
    tab_mode = _OWN_TAB.get(source) or top["tab_mode"] or "postpay"
    admission = AdmissionInput(
        persons=tuple(persons),
        source=source,
        tab_mode=tab_mode,
        deposit_fen=deposit,
        preauth_fen=preauth,
        card_token=top["card_token"],
        code=top["code"],
        room=top["room"],
        card_no=top["card_no"],
        guest_name=top["guest_name"],
        phone=top["phone"],
    )
    return AdmissionForm(values=values, rows=tuple(rows)), admission


def form_errors(errors: dict[str, str], rows: tuple[int, ...]) -> dict[str, str]:
    """The service's `persons-<n>-…` (n-th person) as the form's `persons-<row>-…`."""
    found: dict[str, str] = {}
    for name, message in errors.items():
        parts = name.split("-", 2)
        if len(parts) == 3 and parts[0] == "persons" and parts[1].isascii() and parts[1].isdigit():
            n = int(parts[1])
            if n < len(rows):
                name = f"persons-{rows[n]}-{parts[2]}"
        found[name] = message
    return found


def _uuid(text: str, field: str, errors: list[dict[str, str]]) -> uuid.UUID | None:
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        errors.append(
            {"field": field, "code": "invalid", "message": gettext("Choose from the list.")}
        )
        return None


def _money(text: str, field: str, errors: list[dict[str, str]]) -> int:
    if not text:
        return 0
    fen = read_fen(text)
    if fen is None:
        errors.append(
            {"field": field, "code": "invalid", "message": gettext("Enter an amount in yuan.")}
        )
        return 0
    return fen


@dataclass
class ScanForm(Cleaned):
    """The desk's scan box: the reader types the UID and Enter."""

    tag: Annotated[str, Text(64)] = ""


@dataclass
class BlockForm(Cleaned):
    reason: Annotated[str, Text(200)] = ""
    waive_fee: Annotated[str, Text(1)] = ""


@dataclass
class ReplaceForm(Cleaned):
    tag_uid: Annotated[str, Text(64)] = ""
    qr: Annotated[str, Text(1)] = ""


@dataclass
class CancelForm(Cleaned):
    reason: Annotated[str, Text(200)] = ""
