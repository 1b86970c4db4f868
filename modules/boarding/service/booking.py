"""Booking a cabin on a voyage: the sailings on sale with a from-price per cabin grade, the
passengers of the cabin checked one by one (a resident ID by GB 11643, its date of birth and
sex agreeing with the number; children by their age on the sailing date; the cabin's
berths), then the reservations module sells the cabin (a hold the guest pays, or a booking
at once) and each passenger is written to the manifest with a cabin of the grade and the
voyage's boarding port call.

Two bookings never get the same cabin (the voyage's lock, repository/booking.py). A
cancelled reservation cancels its passengers: the reservations module tells us
(`reservations.on_cancelled`); a hold that lapsed unpaid frees its cabin at the next booking.
"""

from __future__ import annotations

import hmac
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.documents import qr_svg_data_uri, render_template_pdf
from app.errors import Conflict, Invalid, NotFound
from app.identifiers import resident_id_problem
from modules.boarding.domain import VoyageStatus
from modules.boarding.models import Passenger
from modules.boarding.repository.booking import BOOKABLE, BookingRepository
from modules.boarding.schemas.booking import (
    ID_TYPES,
    MAX_PASSENGERS,
    BoardingPoint,
    CabinBooking,
    GradeOffer,
    PassengerInput,
    PassengerView,
    Sailing,
    SailingOffers,
)
from modules.boarding.schemas.voyages import VoyageView
from modules.boarding.service.passes import revoke_passes
from modules.boarding.service.voyages import get_voyage, list_voyages
from modules.reservations import service as reservations

__all__ = [
    "ADULT_FROM",
    "CHILD_UNDER",
    "CabinBooking",
    "PassengerInput",
    "book_cabin",
    "booking_confirmation_pdf",
    "booking_qr",
    "cabin_booking",
    "cancel_passengers",
    "get_sailing",
    "guest_cabin_booking",
    "passengers_of_reservation",
    "sailing_offers",
    "sailings_on_sale",
]

CHILD_UNDER = 12  # a child's fare and berth rules: under 12 on the sailing date
ADULT_FROM = 18  # the lead passenger answers for the cabin
PUBLIC_RATE_PLAN = "rack"
PHONE_RE = re.compile(r"^(?:\+?86)?1[3-9][0-9]{9}$", re.ASCII)
DOCUMENT_RE = re.compile(r"^[A-Z0-9]{5,20}$", re.ASCII)
NATIONALITY_RE = re.compile(r"^[A-Z]{3}$", re.ASCII)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Sailings ---------------------------------------------------------------------------------


def _sailing(v: VoyageView) -> Sailing:
    calls = [c for c in v.port_calls if c.embarking] or list(v.port_calls[:1])
    if not calls:
        raise NotFound()  # a voyage without its port calls is not on sale
    call = calls[0]
    names = tuple(c.port_name for c in v.port_calls)
    return Sailing(
        id=v.id,
        number=v.number,
        ship_name=v.ship_name,
        direction=str(v.direction),
        status=str(v.status),
        depart_on=v.depart_on,
        arrive_on=v.arrive_on,
        sails_at=v.sails_at,
        arrives_at=v.arrives_at,
        route=f"{names[0]} → {names[-1]}",
        ports=names,
        boarding=BoardingPoint(
            port_call_id=call.id,
            port_code=call.port_code,
            opens_at=call.boarding_opens_at or v.boarding_opens_at,
            closes_at=call.boarding_closes_at or v.boarding_closes_at,
        ),
    )


async def get_sailing(db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID) -> Sailing:
    """A voyage with its boarding port and window (NotFound for no voyage of ours)."""
    return _sailing(await get_voyage(db, tenant_id, voyage_id))


async def _grades(db: AsyncSession, tenant_id: TenantId, s: Sailing) -> tuple[GradeOffer, ...]:
    try:
        offers = await reservations.search_availability(
            db,
            tenant_id,
            arrival=s.depart_on,
            departure=s.arrive_on,
            adults=1,
            voyage_id=s.id,
            rate_plan_code=PUBLIC_RATE_PLAN,
        )
    except Invalid:
        return ()  # no public rate set up: nothing on sale online
    return tuple(
        GradeOffer(
            unit_type_id=o.unit_type_id,
            code=o.code,
            name=o.name,
            description=o.description,
            capacity=o.capacity,
            total_fen=o.total_fen,
            deposit_fen=o.deposit_fen,
            available=o.available,
            rate_plan_id=o.rate_plan_id,
            rate_plan_name=o.rate_plan_name,
            cancellation_policy=o.cancellation_policy,
        )
        for o in sorted(offers, key=lambda o: o.total_fen)
        if o.available > 0 and o.voyage_id == s.id
    )


def _on_sale(s: Sailing, now: datetime) -> bool:
    return s.status in BOOKABLE and now < s.boarding.closes_at


async def sailings_on_sale(
    db: AsyncSession, tenant_id: TenantId, *, limit: int = 12
) -> list[SailingOffers]:
    """The next sailings still taking bookings, each with its grades' prices per cabin for
    the whole voyage (the booking page's first step)."""
    now = clock.now()
    voyages = await list_voyages(
        db,
        tenant_id,
        sails_from=now,
        statuses=(VoyageStatus.PLANNED, VoyageStatus.BOARDING),
        limit=limit,
    )
    found = []
    for v in voyages:
        if not v.port_calls:
            continue
        s = _sailing(v)
        if _on_sale(s, now):
            found.append(SailingOffers(s, await _grades(db, tenant_id, s)))
    return found


async def sailing_offers(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> SailingOffers:
    """One sailing and its grades on sale now (none once boarding has closed)."""
    s = await get_sailing(db, tenant_id, voyage_id)
    if not _on_sale(s, clock.now()):
        return SailingOffers(s, ())
    return SailingOffers(s, await _grades(db, tenant_id, s))


# Passengers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Checked:
    name: str
    id_type: str
    id_number: str
    sex: str
    birth_date: date
    phone: str
    nationality: str
    is_child: bool


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _error(index: int, name: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": f"passengers[{index}].{name}", "code": code, "message": message}


def _check_one(
    i: int, p: PassengerInput, sails_on: date, errors: list[dict[str, str]]
) -> _Checked | None:
    """One passenger's fields, with field errors appended; None when any is wrong."""
    before = len(errors)
    name = " ".join(p.name.split())
    number = re.sub(r"\s", "", p.id_number).upper()
    sex, born, nationality = p.sex.strip().upper(), p.birth_date, p.nationality.strip().upper()
    if not 2 <= len(name) <= 60:
        errors.append(_error(i, "name", "Enter the name as on the ID document.", "required"))
    if p.id_type not in ID_TYPES:
        errors.append(_error(i, "id_type", "Choose an ID document."))
    elif p.id_type == "resident_id":
        problem = resident_id_problem(number)
        if problem:
            errors.append(_error(i, "id_number", problem))
        else:
            from_id = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            if born is not None and born != from_id:
                errors.append(
                    _error(i, "birth_date", "The date of birth does not match the ID number.")
                )
            born = from_id
            id_sex = "M" if int(number[16]) % 2 else "F"
            if sex and sex != id_sex:
                errors.append(_error(i, "sex", "The sex does not match the ID number."))
            sex = id_sex
        nationality = nationality or "CHN"
    else:
        if not DOCUMENT_RE.match(number):
            errors.append(
                _error(i, "id_number", "Enter the document number (5–20 letters or digits).")
            )
        if p.id_type == "passport" and not NATIONALITY_RE.match(nationality):
            errors.append(
                _error(
                    i, "nationality", "Enter the nationality as three letters, such as CHN or USA."
                )
            )
        nationality = nationality or "CHN"
    if p.id_type in ID_TYPES and p.id_type != "resident_id":
        if born is None:
            errors.append(_error(i, "birth_date", "Enter the date of birth.", "required"))
        if sex not in ("M", "F"):
            errors.append(_error(i, "sex", "Choose male or female.", "required"))
    if born is not None and (born.year < 1900 or born > sails_on):
        errors.append(_error(i, "birth_date", "The date of birth is not plausible."))
    phone = re.sub(r"[\s-]", "", p.phone)
    if (i == 0 or phone) and not PHONE_RE.match(phone):
        errors.append(_error(i, "phone", "Enter a mainland mobile number (11 digits)."))
    if len(errors) > before or born is None:
        return None
    return _Checked(
        name,
        p.id_type,
        number,
        sex,
        born,
        phone[-11:],
        nationality,
        age_on(born, sails_on) < CHILD_UNDER,
    )


def check_passengers(
    passengers: Sequence[PassengerInput], *, sails_on: date, berths: int
) -> list[_Checked]:
    """Every passenger of the cabin checked, or field errors for all that are wrong: the
    cabin's berths, one person once, the lead passenger an adult with a mobile phone."""
    errors: list[dict[str, str]] = []
    if not passengers:
        raise Invalid.field("passengers", "Enter at least one passenger.", "required")
    if len(passengers) > min(berths, MAX_PASSENGERS):
        raise Invalid.field(
            "passengers",
            "Too many passengers for this cabin grade.",
            "capacity",
        )
    checked = [_check_one(i, p, sails_on, errors) for i, p in enumerate(passengers)]
    seen: set[tuple[str, str]] = set()
    for i, c in enumerate(checked):
        if c is None:
            continue
        if (c.id_type, c.id_number) in seen:
            errors.append(
                _error(i, "id_number", "This ID is already entered for another passenger.")
            )
        seen.add((c.id_type, c.id_number))
    lead = checked[0]
    if lead is not None and age_on(lead.birth_date, sails_on) < ADULT_FROM:
        errors.append(_error(0, "birth_date", "The lead passenger must be 18 or over."))
    if errors:
        raise Invalid(errors=errors)
    return [c for c in checked if c is not None]


# Booking ----------------------------------------------------------------------------------


async def book_cabin(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    voyage_id: uuid.UUID,
    unit_type_id: uuid.UUID,
    passengers: Sequence[PassengerInput],
    source: str,
    hold_minutes: int | None = None,
    rate_plan_code: str = PUBLIC_RATE_PLAN,
    email: str = "",
    notes: str = "",
    pay_at_pier: bool = False,
    actor: Actor | None = None,
    channel: str = "",
) -> CabinBooking:
    """Sell one cabin of a grade on a voyage to these passengers (the first is the lead):
    a hold for `hold_minutes` while the guest pays, or a confirmed booking at once. The
    reservation runs from the sailing date to the arrival date; each passenger gets the
    cabin and boards at the voyage's first embarking port. Raises Invalid (field errors,
    `passengers[i].field`), SoldOut/Conflict (409) or NotFound. Flushes, never commits;
    after an error let the transaction roll back. `pay_at_pier`: when the rate asks no
    deposit, the guest may pay when boarding and the hold is confirmed at once (as the
    hotel page's "pay at the hotel")."""
    sailing = await get_sailing(db, tenant_id, voyage_id)
    if not _on_sale(sailing, clock.now()):
        raise Conflict("Bookings for this sailing are closed.")
    grade = await _grade(db, tenant_id, voyage_id, unit_type_id)
    checked = check_passengers(passengers, sails_on=sailing.depart_on, berths=grade.capacity)
    email = email.strip()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise Invalid.field("email", "Enter a valid e-mail address, or leave it empty.")
    plan = await reservations.rate_plan_for(db, tenant_id, rate_plan_code)
    lead = checked[0]
    children = sum(c.is_child for c in checked)
    stay = reservations.Stay(
        unit_type_id=grade.id,
        rate_plan_id=plan.id,
        arrival=sailing.depart_on,
        departure=sailing.arrive_on,
        adults=len(checked) - children,
        children=children,
        guest=reservations.GuestDetails(
            name=lead.name,
            phone=lead.phone,
            id_type=lead.id_type,
            id_number=lead.id_number,
            email=email or None,
            notes=notes.strip()[:500],
        ),
        source=source,
        hold_minutes=None if hold_minutes is None else max(1, min(hold_minutes, 24 * 60)),
        channel=channel,
    )
    reservation = await reservations.sell(db, tenant_id, stay)
    cabin = await _seat(db, tenant_id, sailing, grade.id, reservation.id, checked, actor)
    if hold_minutes is not None and pay_at_pier and reservation.deposit_fen <= 0:
        reservation = await reservations.confirm(db, tenant_id, reservation.id, actor=actor)
    return CabinBooking(
        reservation=reservation,
        sailing=sailing,
        cabin_number=cabin,
        grade_name=grade.name,
        passengers=tuple(await passengers_of_reservation(db, tenant_id, reservation.id)),
    )


async def _grade(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, unit_type_id: uuid.UUID
) -> reservations.UnitTypeView:
    try:
        grade = await reservations.get_unit_type(db, tenant_id, unit_type_id)
    except NotFound:
        grade = None
    if grade is None or grade.voyage_id != voyage_id or not grade.active:
        raise Invalid.field("unit_type_id", "Choose a cabin grade of this sailing.")
    return grade


async def _seat(
    db: AsyncSession,
    tenant_id: TenantId,
    sailing: Sailing,
    unit_type_id: uuid.UUID,
    reservation_id: uuid.UUID,
    checked: list[_Checked],
    actor: Actor | None,
) -> str:
    """Under the voyage's lock: free what lapsed bookings held, refuse anyone already
    sailing, take the first free cabin of the grade, and write the passengers."""
    repo = BookingRepository(db, tenant_id)
    now = clock.now()
    await repo.lock_voyage(sailing.id)
    await repo.release_lapsed(sailing.id, now)
    aboard = await repo.already_aboard(sailing.id, [(c.id_type, c.id_number) for c in checked])
    if aboard:
        raise Invalid(
            errors=[
                _error(i, "id_number", "This passenger is already booked on this sailing.", "taken")
                for i, c in enumerate(checked)
                if (c.id_type, c.id_number) in aboard
            ]
        )
    taken = await repo.taken_cabins(sailing.id)
    units = await reservations.list_units(db, tenant_id, unit_type_id=unit_type_id)
    free = [
        u
        for u in units
        if u.voyage_id == sailing.id
        and u.id not in taken
        and u.status != reservations.UnitStatus.OUT_OF_ORDER
    ]
    if not free:
        raise reservations.SoldOut("No cabin of this grade is free on this sailing.")
    cabin = free[0]
    rows = [
        Passenger(
            voyage_id=sailing.id,
            reservation_id=reservation_id,
            unit_id=cabin.id,
            cabin_number=cabin.number,
            boarding_call_id=sailing.boarding.port_call_id,
            name=c.name,
            sex=c.sex,
            id_type=c.id_type,
            id_number=c.id_number,
            birth_date=c.birth_date,
            nationality=c.nationality,
            phone=c.phone,
            is_lead=i == 0,
            is_child=c.is_child,
            updated_at=now,
        )
        for i, c in enumerate(checked)
    ]
    try:
        async with db.begin_nested():
            await repo.add_passengers(rows, actor.user_id if actor else None)
    except IntegrityError:
        raise Conflict("A passenger of this cabin was booked on this sailing meanwhile.") from None
    return cabin.number


# Reading and cancelling -------------------------------------------------------------------


def mask_id(number: str) -> str:
    """An ID number as pages show it: the first three and the last four characters."""
    return number if len(number) <= 7 else f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def _view(p: Passenger) -> PassengerView:
    return PassengerView(
        id=p.id,
        voyage_id=p.voyage_id,
        reservation_id=p.reservation_id,
        unit_id=p.unit_id,
        cabin_number=p.cabin_number,
        boarding_call_id=p.boarding_call_id,
        status=p.status,
        name=p.name,
        sex=p.sex,
        id_type=p.id_type,
        id_number_masked=mask_id(p.id_number),
        birth_date=p.birth_date,
        nationality=p.nationality,
        phone=p.phone,
        is_lead=p.is_lead,
        is_child=p.is_child,
        checked_in_at=p.checked_in_at,
    )


async def passengers_of_reservation(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID
) -> list[PassengerView]:
    """Everyone booked in the reservation's cabin, the lead passenger first (cancelled ones
    too, with their status)."""
    rows = await BookingRepository(db, tenant_id).of_reservation(reservation_id)
    return [_view(p) for p in rows]


async def cabin_booking(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID
) -> CabinBooking | None:
    """The cruise booking a reservation is (None when it is not one: a hotel room)."""
    r = await reservations.get_reservation(db, tenant_id, reservation_id)
    if r.voyage_id is None:
        return None
    people = await passengers_of_reservation(db, tenant_id, reservation_id)
    try:
        sailing = await get_sailing(db, tenant_id, r.voyage_id)
    except NotFound:
        return None  # a cabin sold before the voyage was set up for boarding
    cabin = next((p.cabin_number for p in people if p.cabin_number), "")
    return CabinBooking(r, sailing, cabin, r.unit_type_name, tuple(people))


async def guest_cabin_booking(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, code: str
) -> CabinBooking | None:
    """The booking only for whoever also has its confirmation code (a forwarded or guessed
    link alone shows nothing); None otherwise."""
    booking = await cabin_booking(db, tenant_id, reservation_id)
    if booking is None:
        return None
    given = code.strip().upper().encode()
    return (
        booking
        if given and hmac.compare_digest(given, booking.reservation.code.upper().encode())
        else None
    )


async def cancel_passengers(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    *,
    reason: str = "",
    actor: Actor | None = None,
) -> int:
    """Take a cancelled booking's passengers off the manifest (their cabin and ID numbers
    are free again) and stop their passes, so a pass of a cancelled cabin cannot board or
    be carried to a gate in an offline pack; how many were cancelled."""
    repo = BookingRepository(db, tenant_id)
    people = [p.id for p in await repo.of_reservation(reservation_id)]
    cancelled = await repo.cancel_of_reservation(
        reservation_id, clock.now(), reason, actor.user_id if actor else None
    )
    await revoke_passes(db, tenant_id, people, reason=reason or "cancelled")
    return cancelled


async def _reservation_cancelled(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, reason: str
) -> None:
    await cancel_passengers(db, tenant_id, reservation_id, reason=reason or "cancelled")


reservations.on_cancelled(_reservation_cancelled)


# The confirmation PDF ---------------------------------------------------------------------


def booking_qr(code: str) -> str:
    """The booking code as a QR image (data URI) the pier desk scans to find the booking."""
    return qr_svg_data_uri(code, scale=5)


async def booking_confirmation_pdf(
    booking: CabinBooking, *, line_name: str, timezone: str, link: str, checkin_url: str
) -> bytes:
    """The cruise confirmation a passenger keeps or prints: ship, voyage, boarding port,
    window and pier address, every passenger (ID masked), the pre-check-in link; its QR code
    carries the booking code the pier desk looks up."""
    return await render_template_pdf(
        "boarding/booking/pdf/confirmation.html",
        b=booking,
        r=booking.reservation,
        s=booking.sailing,
        line_name=line_name,
        tz=timezone,
        qr=booking_qr(booking.reservation.code),
        link=link,
        checkin_url=checkin_url,
        id_types=ID_TYPES,
        printed_at=clock.now(),
    )
