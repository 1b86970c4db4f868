"""Extending a stay at the desk (续住): more nights in the same room, on the same bill.

The nights are sold by the reservations module (`extend_stay`, race-safe like a booking);
the stay row is locked first, so an extension and a check-out of the same stay queue
(stay → reservation → inventory, the order check-out uses too). The added nights go on
the bill at once, one line a night, as check-in puts the booked nights there.

Leaving earlier than booked needs nothing here: check-out takes unused nights off.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import AppError, Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.web.input import read_int
from modules.frontdesk.models import Stay
from modules.frontdesk.repository import FrontDeskRepository
from modules.frontdesk.schemas import FolioLineView, StayView
from modules.frontdesk.service.folio import locked_open_stay, new_line
from modules.frontdesk.service.settlement import ROOM
from modules.frontdesk.service.views import line_view, stay_view
from modules.reservations import service as reservations
from modules.reservations.service import Offer, ReservationView
from tenants.service import record_audit

__all__ = [
    "Extended",
    "extend_stay",
    "extend_stay_as_asked",
    "extension_alternatives",
    "extension_departure",
]

MAX_ADDED_NIGHTS = 30


@dataclass(frozen=True, slots=True)
class Extended:
    stay: StayView
    reservation: ReservationView
    lines: tuple[FolioLineView, ...]  # the added nights on the bill
    added_fen: int


def extension_departure(current: date, *, nights: str = "", departure: str = "") -> date:
    """The new departure from what the clerk typed: a number of nights to add, or a date
    (the date wins when both are given). Refused with the field when neither makes sense."""
    if departure.strip():
        try:
            return date.fromisoformat(departure.strip())
        except ValueError:
            raise Invalid.field("departure", "Enter a date such as 2026-12-01.") from None
    added = read_int(nights)
    if added is None:
        raise Invalid.field("nights", "Enter how many nights to add, or a new departure.")
    if not 1 <= added <= MAX_ADDED_NIGHTS:
        raise Invalid.field("nights", "Add between 1 and 30 nights.")
    return current + timedelta(days=added)


async def extend_stay(
    db: AsyncSession,
    tenant_id: TenantId,
    stay_id: uuid.UUID,
    *,
    new_departure: date,
    actor: Actor,
) -> Extended:
    """Keep an in-house guest in their room until `new_departure`: the nights are sold
    (409 `SoldOut` when the booked type has no free unit on one of them, 422 when the
    date is not after the current departure), the booking's departure and total move,
    and each added night is charged on the bill at the rate plan's price."""
    repo = FrontDeskRepository(db, tenant_id)
    stay = await locked_open_stay(repo, stay_id)
    await _check_room_free(db, tenant_id, stay, new_departure)
    who = reservations.Actor(user_id=actor.user_id, ip=actor.ip)
    sold = await reservations.extend_stay(
        db, tenant_id, stay.reservation_id, new_departure, actor=who
    )
    r = sold.reservation
    lines = [
        new_line(
            stay,
            "charge",
            night.price_fen,
            _("Room %(type)s, night of %(day)s", type=r.unit_type_name, day=night.day.isoformat()),
            source=ROOM,
            service_date=night.day,
            actor=actor,
        )
        for night in sold.added
        if night.price_fen > 0
    ]
    await repo.save(*lines)
    await record_audit(
        db,
        tenant_id,
        "frontdesk.extend",
        actor_user_id=actor.user_id,
        subject_type="stay",
        subject_id=stay.id,
        data={
            "unit": stay.unit_number,
            "departure": new_departure.isoformat(),
            "nights": len(sold.added),
            "added_fen": sum(line.amount_fen for line in lines),
        },
        ip=actor.ip,
    )
    return Extended(
        stay=stay_view(stay),
        reservation=r,
        lines=tuple(line_view(line) for line in lines),
        added_fen=sum(line.amount_fen for line in lines),
    )


async def _check_room_free(
    db: AsyncSession, tenant_id: TenantId, stay: Stay, new_departure: date
) -> None:
    """The nights are sold in the booked type. A guest moved into a room of another type
    (an upgrade) keeps that room only while its own type has a unit to spare on every
    added night; otherwise an arrival booked into that type would find no room, so the
    clerk is told to move the guest first."""
    r = await reservations.get_reservation(db, tenant_id, stay.reservation_id)
    room = next(
        (u for u in await reservations.list_units(db, tenant_id) if u.id == stay.unit_id), None
    )
    if room is None or room.unit_type_id == r.unit_type_id or new_departure <= r.departure:
        return
    days = (new_departure - r.departure).days
    grid = await reservations.calendar(
        db, tenant_id, start=r.departure, days=days, unit_type_id=room.unit_type_id
    )
    cells = [cell for row in grid.rows for cell in row.cells]
    if len(cells) < days or any(cell is None or cell.free < 1 for cell in cells):
        raise Conflict(
            _(
                "Room %(number)s is booked for other guests on those nights: move the guest "
                "to a room of the booked type, then extend.",
                number=stay.unit_number,
            )
        )


async def _booking(db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID) -> ReservationView:
    stay = await FrontDeskRepository(db, tenant_id).stay(stay_id)
    if stay is None:
        raise NotFound()
    return await reservations.get_reservation(db, tenant_id, stay.reservation_id)


async def extend_stay_as_asked(
    db: AsyncSession,
    tenant_id: TenantId,
    stay_id: uuid.UUID,
    *,
    nights: str,
    departure: str,
    actor: Actor,
) -> Extended:
    """`extend_stay` from the stay page's form: nights to add, or a new departure."""
    r = await _booking(db, tenant_id, stay_id)
    new_departure = extension_departure(r.departure, nights=nights, departure=departure)
    return await extend_stay(db, tenant_id, stay_id, new_departure=new_departure, actor=actor)


async def extension_alternatives(
    db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID, *, nights: str, departure: str
) -> tuple[Offer, ...]:
    """When the booked type is full on the added nights the guest cannot stay on in this
    room: the other types free for all of those nights, so the clerk can book them and
    move the guest on the original departure day."""
    r = await _booking(db, tenant_id, stay_id)
    try:
        new_departure = extension_departure(r.departure, nights=nights, departure=departure)
    except Invalid:
        return ()
    if new_departure <= r.departure:
        return ()
    try:
        offers = await reservations.search_availability(
            db,
            tenant_id,
            arrival=r.departure,
            departure=new_departure,
            adults=r.adults,
            children=r.children,
            kind=r.kind,
            rate_plan_code=r.rate_plan_code or "rack",
        )
    except AppError:  # the plan was withdrawn since: nothing to offer under it
        return ()
    return tuple(o for o in offers if o.unit_type_id != r.unit_type_id)
