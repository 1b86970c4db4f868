"""Online pre-check-in and the passenger's passes.

From 72 hours before sailing the passengers of a cabin open one link (in the booking SMS
and on the confirmation), confirm their details and an emergency contact, and get a
boarding pass each: a page with a big QR code, a PNG and a PDF.

The link is `/checkin?token=<tenant id>.<reservation id hex><mac>`: the mac is an HMAC
(SECRET_KEY, labelled) of tenant and reservation, 128 bits, so a link cannot be guessed
or moved to another booking, and nothing has to be stored to check it. It names one
cabin's reservation; whoever holds the confirmation holds it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import segno
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.documents.pdf import render_template_pdf
from app.documents.qr import qr_svg_data_uri
from app.enums import LabelledEnum
from app.errors import Conflict, Invalid, NotFound
from app.settings import get_settings
from modules.boarding.domain import PORTS, PassengerStatus, VoyageStatus
from modules.boarding.models import ManifestChange, Passenger
from modules.boarding.repository.passes import PassRepository
from modules.boarding.schemas.voyages import PortCallView, VoyageView
from modules.boarding.service.booking import mask_id
from modules.boarding.service.passes import issue_passes, pass_code
from modules.boarding.service.voyages import get_voyage

__all__ = [
    "CHECKIN_OPENS_BEFORE_SAILING",
    "CHECKIN_PATH",
    "CheckinPassenger",
    "CheckinStage",
    "CheckinView",
    "PassCard",
    "cabin_passes",
    "check_in",
    "checkin_token",
    "checkin_url",
    "checkin_view",
    "pass_card",
    "pass_pdf",
    "pass_png",
    "reservation_of_secret",
]

CHECKIN_PATH = "/checkin"
CHECKIN_OPENS_BEFORE_SAILING = timedelta(hours=72)
_MAC_CHARS = 22  # 132 bits of base64url
PHONE = re.compile(r"\+?[0-9][0-9 -]{5,22}[0-9]", re.ASCII)

LINK_NOT_VALID = "This pre-check-in link is not valid. Please use the link in your booking SMS."
CHECKIN_NOT_OPEN = "Pre-check-in is not open for this voyage now."
CHECK_FIELDS = "Please check the marked fields."
MUST_CONFIRM = "Please confirm that the details of every passenger are correct."
NAME_NEEDED = "Name someone we can call ashore."
NOT_A_PASSENGER = "The emergency contact must be someone who is not sailing with you."
PHONE_NEEDED = "Enter the emergency contact's phone number."


def _mac(tenant_id: uuid.UUID, reservation_id: uuid.UUID) -> str:
    key = get_settings().secret_key.encode()
    msg = f"boarding-checkin:{tenant_id}:{reservation_id}".encode()
    digest = hmac.new(key, msg, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]


def checkin_token(tenant_id: uuid.UUID, reservation_id: uuid.UUID) -> str:
    return f"{tenant_id}.{reservation_id.hex}{_mac(tenant_id, reservation_id)}"


def checkin_url(tenant_id: uuid.UUID, reservation_id: uuid.UUID) -> str:
    """The full pre-check-in link of a cabin's booking (for the SMS and the confirmation)."""
    base = get_settings().base_url.rstrip("/")
    return f"{base}{CHECKIN_PATH}?token={checkin_token(tenant_id, reservation_id)}"


def reservation_of_secret(tenant_id: TenantId, secret: str) -> uuid.UUID | None:
    """The reservation a link's secret part names, or None for a wrong or altered link."""
    if len(secret) != 32 + _MAC_CHARS:
        return None
    try:
        reservation_id = uuid.UUID(hex=secret[:32])
    except ValueError:
        return None
    given = secret[32:].encode()
    if not hmac.compare_digest(given, _mac(tenant_id, reservation_id).encode()):
        return None
    return reservation_id


# The page -------------------------------------------------------------------------------


class CheckinStage(LabelledEnum):
    NOT_OPEN = "not_open", "Pre-check-in opens 72 hours before sailing"
    OPEN = "open", "Pre-check-in is open"
    DONE = "done", "Pre-checked-in"
    CLOSED = "closed", "Pre-check-in has closed"
    CANCELLED = "cancelled", "Cancelled"


@dataclass(frozen=True, slots=True)
class CheckinPassenger:
    id: uuid.UUID
    name: str
    id_type: str
    id_number_masked: str
    birth_date: date
    cabin_number: str
    is_lead: bool
    is_child: bool
    cancelled: bool
    checked_in_at: datetime | None
    emergency_name: str
    emergency_phone: str


@dataclass(frozen=True, slots=True)
class PassCard:
    """One passenger's boarding pass as the passenger sees it (page, PNG, PDF, terminal)."""

    pass_id: uuid.UUID
    passenger_id: uuid.UUID
    name: str
    cabin_number: str
    is_child: bool
    voyage_number: str
    ship_name: str
    port_code: str
    boarding_opens_at: datetime | None
    boarding_closes_at: datetime | None
    sails_at: datetime
    valid_from: datetime
    valid_until: datetime
    code: str

    @property
    def port_name(self) -> str:
        port = PORTS.get(self.port_code)
        return port.name if port else self.port_code

    @property
    def pier(self) -> str:
        port = PORTS.get(self.port_code)
        return port.pier if port else ""

    def qr_svg(self, scale: int = 6) -> str:
        return qr_svg_data_uri(self.code, scale=scale, border=4)


@dataclass(frozen=True, slots=True)
class CheckinView:
    reservation_id: uuid.UUID
    voyage: VoyageView
    stage: CheckinStage
    opens_at: datetime
    closes_at: datetime
    passengers: tuple[CheckinPassenger, ...]
    passes: tuple[PassCard, ...]
    boarding_call_id: uuid.UUID | None = None

    @property
    def boarding_call(self) -> PortCallView | None:
        """Where the party boards (the first port, or a low-water port instead)."""
        calls = self.voyage.port_calls
        return next((c for c in calls if c.id == self.boarding_call_id), self.voyage.first_call)

    @property
    def boarding_window(self) -> tuple[datetime, datetime]:
        call = self.boarding_call
        if call is not None and call.boarding_opens_at and call.boarding_closes_at:
            return call.boarding_opens_at, call.boarding_closes_at
        return self.voyage.boarding_opens_at, self.voyage.boarding_closes_at

    @property
    def emergency_name(self) -> str:
        return next((p.emergency_name for p in self.passengers if p.emergency_name), "")

    @property
    def emergency_phone(self) -> str:
        return next((p.emergency_phone for p in self.passengers if p.emergency_phone), "")


def _passenger(p: Passenger) -> CheckinPassenger:
    return CheckinPassenger(
        id=p.id,
        name=p.name,
        id_type=p.id_type,
        id_number_masked=mask_id(p.id_number),
        birth_date=p.birth_date,
        cabin_number=p.cabin_number,
        is_lead=p.is_lead,
        is_child=p.is_child,
        cancelled=p.status == PassengerStatus.CANCELLED,
        checked_in_at=p.checked_in_at,
        emergency_name=p.emergency_name,
        emergency_phone=p.emergency_phone,
    )


def _stage(voyage: VoyageView, people: list[Passenger], cards: list[PassCard]) -> CheckinStage:
    now = clock.now()
    live = [p for p in people if p.status != PassengerStatus.CANCELLED]
    if voyage.status == VoyageStatus.CANCELLED or not live:
        return CheckinStage.CANCELLED
    if now >= voyage.arrives_at:
        return CheckinStage.CLOSED
    with_pass = {c.passenger_id for c in cards}
    if all(p.checked_in_at is not None and p.id in with_pass for p in live):
        return CheckinStage.DONE
    if now < voyage.sails_at - CHECKIN_OPENS_BEFORE_SAILING:
        return CheckinStage.NOT_OPEN
    if now >= voyage.boarding_closes_at:
        return CheckinStage.CLOSED
    return CheckinStage.OPEN


async def _cards(
    db: AsyncSession, tenant_id: TenantId, voyage: VoyageView, passenger_ids: list[uuid.UUID]
) -> list[PassCard]:
    rows = await PassRepository(db, tenant_id).live_passes(passenger_ids)
    calls = {c.id: c for c in voyage.port_calls}
    cards = []
    for row, passenger, call in rows:
        view = calls.get(call.id)
        cards.append(
            PassCard(
                pass_id=row.id,
                passenger_id=passenger.id,
                name=passenger.name,
                cabin_number=passenger.cabin_number,
                is_child=passenger.is_child,
                voyage_number=voyage.number,
                ship_name=voyage.ship_name,
                port_code=call.port_code,
                boarding_opens_at=(view.boarding_opens_at if view else None)
                or (voyage.boarding_opens_at if call.seq == 0 else call.arrives_at),
                boarding_closes_at=(view.boarding_closes_at if view else None)
                or (voyage.boarding_closes_at if call.seq == 0 else call.departs_at),
                sails_at=voyage.sails_at,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
                code=await pass_code(db, tenant_id, row.id),
            )
        )
    return cards


async def checkin_view(db: AsyncSession, tenant_id: TenantId, secret: str) -> CheckinView:
    """The cabin's pre-check-in page; NotFound for a wrong link (or a booking that is not
    a cabin on a voyage)."""
    reservation_id = reservation_of_secret(tenant_id, secret)
    if reservation_id is None:
        raise NotFound(LINK_NOT_VALID)
    people = list(await PassRepository(db, tenant_id).passengers_of_reservation(reservation_id))
    if not people:
        raise NotFound(LINK_NOT_VALID)
    voyage = await get_voyage(db, tenant_id, people[0].voyage_id)
    cards = await _cards(db, tenant_id, voyage, [p.id for p in people])
    return CheckinView(
        reservation_id=reservation_id,
        voyage=voyage,
        stage=_stage(voyage, people, cards),
        opens_at=voyage.sails_at - CHECKIN_OPENS_BEFORE_SAILING,
        closes_at=voyage.boarding_closes_at,
        passengers=tuple(_passenger(p) for p in people),
        passes=tuple(cards),
        boarding_call_id=next(
            (p.boarding_call_id for p in people if p.status != PassengerStatus.CANCELLED),
            people[0].boarding_call_id,
        ),
    )


async def check_in(
    db: AsyncSession,
    tenant_id: TenantId,
    secret: str,
    *,
    emergency_name: str,
    emergency_phone: str,
    confirmed: bool,
) -> CheckinView:
    """The party confirms its details and names an emergency contact ashore; every
    passenger of the cabin is checked in and gets a boarding pass. Refused (nothing
    written) outside the check-in window or with a missing or odd contact."""
    view = await checkin_view(db, tenant_id, secret)
    # Once boarding has closed the passes are in use at the gangways: none is replaced.
    late = clock.now() >= view.voyage.boarding_closes_at
    if view.stage not in (CheckinStage.OPEN, CheckinStage.DONE) or late:
        raise Conflict(CHECKIN_NOT_OPEN)
    errors = _contact_errors(emergency_name, emergency_phone, confirmed, view)
    if errors:
        raise Invalid(CHECK_FIELDS, errors=errors)
    repo = PassRepository(db, tenant_id)
    now = clock.now()
    live = [
        p
        for p in await repo.passengers_of_reservation(view.reservation_id)
        if p.status != PassengerStatus.CANCELLED
    ]
    for p in live:
        _log(repo, p, "emergency_name", p.emergency_name, emergency_name)
        _log(repo, p, "emergency_phone", p.emergency_phone, emergency_phone)
        p.emergency_name, p.emergency_phone = emergency_name, emergency_phone
        p.status, p.updated_at = PassengerStatus.CHECKED_IN, now
        p.checked_in_at = p.checked_in_at or now
    await db.flush()
    await issue_passes(db, tenant_id, [p.id for p in live], reason="online pre-check-in")
    return await checkin_view(db, tenant_id, secret)


def _log(repo: PassRepository, p: Passenger, field: str, old: str, new: str) -> None:
    if old != new:
        repo.add(
            ManifestChange(
                voyage_id=p.voyage_id,
                passenger_id=p.id,
                action="pre_check_in",
                field=field,
                old_value=old[:300],
                new_value=new[:300],
                reason="online pre-check-in",
            )
        )


def _contact_errors(
    name: str, phone: str, confirmed: bool, view: CheckinView
) -> list[dict[str, str]]:
    errors = []
    if not confirmed:
        errors.append({"field": "confirm", "message": MUST_CONFIRM})
    if not name:
        errors.append({"field": "emergency_name", "message": NAME_NEEDED})
    elif name in {p.name for p in view.passengers if not p.cancelled}:
        errors.append({"field": "emergency_name", "message": NOT_A_PASSENGER})
    if not PHONE.fullmatch(phone):
        errors.append({"field": "emergency_phone", "message": PHONE_NEEDED})
    return errors


async def pass_card(
    db: AsyncSession, tenant_id: TenantId, secret: str, pass_id: uuid.UUID
) -> PassCard:
    """One live pass of the link's cabin; NotFound for any other pass (another cabin's,
    a revoked one)."""
    view = await checkin_view(db, tenant_id, secret)
    card = next((c for c in view.passes if c.pass_id == pass_id), None)
    if card is None:
        raise NotFound()
    return card


def pass_png(card: PassCard, *, scale: int = 10) -> bytes:
    """The pass's QR code as a PNG (to save in the phone's photos)."""
    out = io.BytesIO()
    segno.make(card.code, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


async def pass_pdf(card: PassCard, *, line_name: str, timezone: str) -> bytes:
    """The pass to print: the QR code 60 mm wide, name, cabin, boarding port and window."""
    return await render_template_pdf(
        "boarding/passes/pdf/pass.html", card=card, line_name=line_name, tz=timezone
    )


async def cabin_passes(db: AsyncSession, tenant_id: TenantId, unit_id: uuid.UUID) -> list[PassCard]:
    """The live passes of the passengers booked in a cabin (for the cabin's terminal; a
    voyage's cabins are its own units, so the unit names the voyage too)."""
    people = await PassRepository(db, tenant_id).passengers_of_cabin(unit_id)
    if not people:
        return []
    voyage = await get_voyage(db, tenant_id, people[0].voyage_id)
    return await _cards(db, tenant_id, voyage, [p.id for p in people])
