"""The public booking page: search, choose, guest details, hold, confirmation.

Guests are strangers on the internet: everything they type is checked here before it
reaches the reservations module, and a booking is shown only to whoever holds both its
link and its confirmation code."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Conflict, Invalid
from app.identifiers import resident_id_problem
from app.web.input import read_int
from modules.frontdesk.schemas import GuestForm
from modules.reservations import service as reservations
from modules.reservations.service import GuestDetails, Offer, ReservationView

__all__ = [
    "ID_TYPE_LABELS",
    "MAX_NIGHTS",
    "PREFERENCE_LABELS",
    "BookingQuery",
    "booking_offer",
    "booking_search",
    "default_query",
    "guest_details",
    "hold_booking",
    "parse_query",
    "reservation_for_guest",
]

MAX_NIGHTS = 30
PUBLIC_RATE_PLAN = "rack"  # guests on the booking page see the rack rate
# Sold through their own pages (a hot spring's day tickets, a voyage's cabins), never as a
# hotel room, even through a hand-made address.
NOT_ROOMS = frozenset({"admission", "cabin"})
MAX_PARTY = 10
PHONE_RE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$", re.ASCII)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOCUMENT_RE = re.compile(r"^[A-Za-z0-9]{5,20}$")
ID_TYPE_LABELS = {
    "resident_id": "Resident ID card",
    "passport": "Passport",
    "hk_macao_permit": "Mainland travel permit for Hong Kong and Macao residents",
    "taiwan_permit": "Mainland travel permit for Taiwan residents",
}
PREFERENCE_LABELS = {
    "river_view": "River view",
    "high_floor": "High floor",
    "quiet": "Quiet",
    "accessible": "Accessible",
    "same_floor": "Keep our rooms on one floor",
}


@dataclass(frozen=True, slots=True)
class BookingQuery:
    arrival: date
    departure: date
    adults: int
    children: int

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days


def default_query(today: date) -> BookingQuery:
    return BookingQuery(today, today + timedelta(days=1), 2, 0)


def _int(value: str, low: int, high: int) -> int | None:
    return read_int(value, minimum=low, maximum=high) if isinstance(value, str) else None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        return None


def parse_query(
    arrival: str, departure: str, adults: str, children: str, *, today: date
) -> BookingQuery:
    """Dates and party as typed, or field errors (dates from today on, at most 30 nights)."""
    errors = []
    a, d = _day(arrival), _day(departure)
    grown, kids = _int(adults, 1, MAX_PARTY), _int(children, 0, MAX_PARTY)
    if a is None or a < today:
        errors.append(_error("arrival", "Choose an arrival date from today on."))
    if d is None or (a is not None and d <= a):
        errors.append(_error("departure", "The departure must be after the arrival."))
    elif a is not None and (d - a).days > MAX_NIGHTS:
        errors.append(_error("departure", "Book at most 30 nights online."))
    if grown is None:
        errors.append(_error("adults", "Between 1 and 10 adults."))
    if kids is None:
        errors.append(_error("children", "Between 0 and 10 children."))
    if errors:
        raise Invalid(errors=errors)
    assert a is not None and d is not None and grown is not None and kids is not None
    return BookingQuery(a, d, grown, kids)


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "code": "invalid", "message": message}


async def booking_search(db: AsyncSession, tenant_id: TenantId, q: BookingQuery) -> list[Offer]:
    """The rooms the guest can book for these dates and this party, with nightly prices
    (day tickets and cabins are sold on their own pages)."""
    try:
        offers = await reservations.search_availability(
            db,
            tenant_id,
            arrival=q.arrival,
            departure=q.departure,
            adults=q.adults,
            children=q.children,
            rate_plan_code=PUBLIC_RATE_PLAN,
        )
    except Invalid as exc:
        if any(e.get("field") == "rate_plan" for e in exc.errors or []):
            return []  # no public rate set up yet: nothing to book online
        raise
    return [o for o in offers if o.available > 0 and o.kind not in NOT_ROOMS]


async def booking_offer(
    db: AsyncSession, tenant_id: TenantId, form: GuestForm, *, today: date
) -> tuple[BookingQuery, Offer]:
    """The offer the guest chose, priced again now (never trusting a price from the page).
    Sold out since the search: a Conflict the page shows."""
    q = parse_query(form.arrival, form.departure, form.adults, form.children, today=today)
    for offer in await booking_search(db, tenant_id, q):
        if str(offer.unit_type_id) == form.unit_type_id and str(offer.rate_plan_id) == (
            form.rate_plan_id
        ):
            return q, offer
    raise Conflict("Sorry, this room is no longer available for these dates.")


def guest_details(form: GuestForm) -> GuestDetails:
    """The guest as typed, checked field by field (the resident ID by its check digit)."""
    errors = []
    name, phone = form.name.strip(), re.sub(r"[\s-]", "", form.phone)
    number = form.id_number.strip().upper()
    if not 2 <= len(name) <= 50:
        errors.append(_error("name", "Enter the guest's name as on the ID document."))
    if not PHONE_RE.match(phone):
        errors.append(_error("phone", "Enter a mainland mobile number (11 digits)."))
    if form.id_type not in ID_TYPE_LABELS:
        errors.append(_error("id_type", "Choose an ID document."))
    elif form.id_type == "resident_id":
        problem = resident_id_problem(number)
        if problem:
            errors.append(_error("id_number", problem))
    elif not DOCUMENT_RE.match(number):
        errors.append(_error("id_number", "Enter the document number (5–20 letters or digits)."))
    email = form.email.strip()
    if email and (not EMAIL_RE.match(email) or len(email) > 254):
        errors.append(_error("email", "Enter a valid e-mail address, or leave it empty."))
    if len(form.notes) > 500:
        errors.append(_error("notes", "Keep the note under 500 characters."))
    if errors:
        raise Invalid(errors=errors)
    return GuestDetails(
        name=name,
        phone=phone[-11:],
        id_type=form.id_type,
        id_number=number,
        email=email or None,
        preferences=tuple(p for p in form.preference_list() if p in PREFERENCE_LABELS),
        notes=form.notes.strip(),
    )


async def hold_booking(
    db: AsyncSession, tenant_id: TenantId, form: GuestForm, *, today: date
) -> ReservationView:
    """Hold the room while the guest pays. When the rate asks no deposit the guest
    chooses: prepay online (held until paid), or pay at the hotel (confirmed at once)."""
    guest = guest_details(form)
    q, offer = await booking_offer(db, tenant_id, form, today=today)
    held = await reservations.create_hold(
        db,
        tenant_id,
        unit_type_id=offer.unit_type_id,
        rate_plan_id=offer.rate_plan_id,
        arrival=q.arrival,
        departure=q.departure,
        adults=q.adults,
        children=q.children,
        guest=guest,
        source="booking_page",
    )
    if held.deposit_fen <= 0 and form.pay != "online":
        return await reservations.confirm(db, tenant_id, held.id)
    return held


async def reservation_for_guest(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, code: str
) -> ReservationView | None:
    """The booking, only for someone who also has its confirmation code."""
    r = await reservations.get_reservation(db, tenant_id, reservation_id)
    given = code.strip().upper()
    return r if given and given == r.code.upper() else None
