"""Stays: check-in with a suggested room, room moves, check-out with the bill settled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock, events
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.frontdesk import domain
from modules.frontdesk.models import RoomMove, Stay
from modules.frontdesk.repository import FrontDeskRepository
from modules.frontdesk.schemas import DeskDay, StayPage, StayView
from modules.frontdesk.service.folio import locked_open_stay
from modules.frontdesk.service.settlement import open_folio
from modules.frontdesk.service.views import folio_view, move_view, stay_view
from modules.reservations import service as reservations
from modules.reservations.service import ReservationStatus, ReservationView, UnitView
from tenants.service import record_audit

__all__ = [
    "CheckInOptions",
    "check_in",
    "check_in_options",
    "current_stay_for_unit",
    "desk_day",
    "find_booking",
    "get_stay",
    "move_room",
    "stay_for_reservation",
    "stay_page",
]


@dataclass(frozen=True, slots=True)
class CheckInOptions:
    reservation: ReservationView
    suggestions: tuple[domain.Suggestion, ...]  # ready rooms of the booked type, best first
    others: tuple[UnitView, ...]  # other ready, empty rooms (an upgrade or a change)
    party: tuple[ReservationView, ...]  # same booker, arriving or in house today


async def desk_day(db: AsyncSession, tenant_id: TenantId, *, day: date | None, tz: str) -> DeskDay:
    """Arrivals, in-house guests and departures of a day, with each stay and its balance."""
    today = domain.business_date(tz)
    lists = await reservations.list_day(db, tenant_id, day or today)
    repo = FrontDeskRepository(db, tenant_id)
    ids = {r.id for r in (*lists.arrivals, *lists.in_house, *lists.departures)}
    stays = {s.reservation_id: stay_view(s) for s in await repo.stays_for_reservations(ids)}
    balances = await repo.balances(s.id for s in stays.values())
    return DeskDay(
        day=lists.day,
        today=today,
        arrivals=lists.arrivals,
        in_house=lists.in_house,
        departures=lists.departures,
        stays=stays,
        balances=balances,
    )


async def _party(
    db: AsyncSession, tenant_id: TenantId, r: ReservationView, today: date
) -> tuple[ReservationView, ...]:
    """Other bookings of the same booker (same phone) arriving or staying today."""
    lists = await reservations.list_day(db, tenant_id, today)
    seen = {r.id}
    party = []
    for other in (*lists.arrivals, *lists.in_house):
        if other.id not in seen and other.guest_phone == r.guest_phone:
            seen.add(other.id)
            party.append(other)
    return tuple(party)


async def check_in_options(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, *, tz: str
) -> CheckInOptions:
    """What the clerk sees before giving a key: the rooms to suggest and why."""
    r = await reservations.get_reservation(db, tenant_id, reservation_id)
    repo = FrontDeskRepository(db, tenant_id)
    occupied = await repo.occupied_unit_ids()
    units = await reservations.list_units(db, tenant_id)
    party = await _party(db, tenant_id, r, domain.business_date(tz))
    party_stays = await repo.stays_for_reservations(p.id for p in party)
    in_house_ids = {s.unit_id for s in party_stays if s.status == domain.StayStatus.IN_HOUSE}
    suggestions = domain.suggest_units(
        units,
        unit_type_id=r.unit_type_id,
        occupied=occupied,
        preferences=r.preferences,
        party_floors=sorted({u.floor for u in units if u.id in in_house_ids}),
        party_waiting=sum(1 for p in party if p.status == ReservationStatus.CONFIRMED),
    )
    others = tuple(
        u
        for u in units
        if u.unit_type_id != r.unit_type_id
        and u.kind == r.kind
        and u.status in domain.READY_STATUSES
        and u.id not in occupied
    )
    return CheckInOptions(reservation=r, suggestions=tuple(suggestions), others=others, party=party)


def _check_arrival(r: ReservationView, today: date) -> None:
    if r.status == ReservationStatus.CHECKED_IN:
        raise Conflict("This guest is already checked in.")
    if r.status == ReservationStatus.HELD:
        raise Conflict("This booking is not confirmed yet: it waits for its payment.")
    if r.status != ReservationStatus.CONFIRMED:
        raise Conflict("Only a confirmed booking can be checked in.")
    if today < r.arrival:
        raise Conflict(_("This booking arrives on %(day)s.", day=r.arrival.isoformat()))
    if today >= r.departure:
        raise Conflict("This booking's dates have passed.")


async def _ready_unit(
    db: AsyncSession, repo: FrontDeskRepository, unit_id: uuid.UUID | None
) -> UnitView:
    """A room a guest may be given now: it exists, housekeeping has made it ready, and
    nobody is in it."""
    units = {u.id: u for u in await reservations.list_units(db, repo.tenant_id)}
    unit = units.get(unit_id) if unit_id else None
    if unit is None:
        raise Invalid.field("unit_id", "Choose a room.")
    if unit.status not in domain.READY_STATUSES:
        raise Invalid.field("unit_id", "This room is not ready: housekeeping has not cleaned it.")
    if unit.id in await repo.occupied_unit_ids():
        raise Invalid.field("unit_id", "Someone is staying in this room.")
    return unit


async def _insert_stay(db: AsyncSession, repo: FrontDeskRepository, stay: Stay) -> None:
    """The partial unique index is the last word on who gets a room: a savepoint turns
    losing that race into a clean 409 and keeps the request's transaction usable."""
    try:
        async with db.begin_nested():
            await repo.save(stay)
    except IntegrityError as exc:
        raise Conflict(
            _("Room %(number)s was just given to another guest.", number=stay.unit_number)
        ) from exc


def parse_unit_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


async def check_in(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    *,
    unit_id: uuid.UUID | None,
    actor: Actor,
    tz: str,
    now: datetime | None = None,
) -> StayView:
    """Give a confirmed, arriving guest a ready, empty room and open their bill: the booked
    nights as charges and what they paid online as a payment."""
    now = now or clock.now()
    r = await reservations.get_reservation(db, tenant_id, reservation_id)
    _check_arrival(r, domain.business_date(tz, now))
    repo = FrontDeskRepository(db, tenant_id)
    if await repo.stay_for_reservation(r.id) is not None:
        raise Conflict("This guest is already checked in.")
    unit = await _ready_unit(db, repo, unit_id)
    stay = Stay(
        reservation_id=r.id,
        unit_id=unit.id,
        unit_number=unit.number,
        status=domain.StayStatus.IN_HOUSE,
        guest_name=r.guest_name,
        checked_in_at=now,
        checked_in_by=actor.user_id,
    )
    await _insert_stay(db, repo, stay)
    await reservations.mark_checked_in(db, tenant_id, r.id, unit.id)
    await events.publish(db, tenant_id, "reservations.checked_in", reservation_id=r.id)
    await open_folio(repo, stay, r)
    await record_audit(
        db,
        tenant_id,
        "frontdesk.check_in",
        actor_user_id=actor.user_id,
        subject_type="reservation",
        subject_id=r.id,
        data={"code": r.code, "unit": unit.number, "stay_id": str(stay.id)},
        ip=actor.ip,
    )
    return stay_view(stay)


async def move_room(
    db: AsyncSession,
    tenant_id: TenantId,
    stay_id: uuid.UUID,
    *,
    unit_id: uuid.UUID | None,
    reason: str,
    actor: Actor,
) -> StayView:
    """Move an in-house guest to another ready, empty room; the room left needs cleaning."""
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Say why the guest moves.")
    repo = FrontDeskRepository(db, tenant_id)
    stay = await locked_open_stay(repo, stay_id)
    if unit_id == stay.unit_id:
        raise Invalid.field("unit_id", "The guest is already in this room.")
    unit = await _ready_unit(db, repo, unit_id)
    move = RoomMove(
        stay_id=stay.id,
        from_unit_id=stay.unit_id,
        to_unit_id=unit.id,
        from_number=stay.unit_number,
        to_number=unit.number,
        reason=reason[:200],
        moved_by=actor.user_id,
    )
    left = stay.unit_id
    stay.unit_id, stay.unit_number = unit.id, unit.number
    try:
        async with db.begin_nested():
            await repo.save(stay, move)
    except IntegrityError as exc:
        raise Conflict(
            _("Room %(number)s was just given to another guest.", number=unit.number)
        ) from exc
    await reservations.mark_checked_in(db, tenant_id, stay.reservation_id, unit.id)
    await reservations.set_unit_status(db, tenant_id, left, "dirty")
    await record_audit(
        db,
        tenant_id,
        "frontdesk.room_move",
        actor_user_id=actor.user_id,
        subject_type="stay",
        subject_id=stay.id,
        data={"from": move.from_number, "to": move.to_number, "reason": move.reason},
        ip=actor.ip,
    )
    return stay_view(stay)


async def find_booking(
    db: AsyncSession, tenant_id: TenantId, code: str
) -> tuple[ReservationView, StayView | None]:
    """A booking by the confirmation code the guest shows (or its QR code), and its stay."""
    cleaned = code.strip().upper()
    if not cleaned:
        raise NotFound()
    r = await reservations.find_by_code(db, tenant_id, cleaned)
    stay = await FrontDeskRepository(db, tenant_id).stay_for_reservation(r.id)
    return r, stay_view(stay) if stay else None


async def get_stay(db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID) -> StayView:
    stay = await FrontDeskRepository(db, tenant_id).stay(stay_id)
    if stay is None:
        raise NotFound()
    return stay_view(stay)


async def stay_for_reservation(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID
) -> StayView | None:
    stay = await FrontDeskRepository(db, tenant_id).stay_for_reservation(reservation_id)
    return stay_view(stay) if stay else None


async def current_stay_for_unit(
    db: AsyncSession, tenant_id: TenantId, unit_id: uuid.UUID
) -> StayView | None:
    """Who is in this room now (in-room terminals charge orders to this stay)."""
    stay = await FrontDeskRepository(db, tenant_id).in_house_in_unit(unit_id)
    return stay_view(stay) if stay else None


async def stay_page(db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID) -> StayPage:
    repo = FrontDeskRepository(db, tenant_id)
    stay = await repo.stay(stay_id)
    if stay is None:
        raise NotFound()
    r = await reservations.get_reservation(db, tenant_id, stay.reservation_id)
    occupied = await repo.occupied_unit_ids()
    units = await reservations.list_units(db, tenant_id)
    targets = tuple(
        u
        for u in units
        if u.kind == r.kind and u.status in domain.READY_STATUSES and u.id not in occupied
    )
    return StayPage(
        folio=folio_view(stay, await repo.lines(stay_id)),
        reservation=r,
        moves=tuple(move_view(m) for m in await repo.moves(stay_id)),
        move_targets=targets,
    )
