"""The housekeeping board: every room's status, changed from a phone on the corridor."""

from __future__ import annotations

import uuid
from collections import Counter
from itertools import groupby

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.frontdesk import domain
from modules.frontdesk.repository import FrontDeskRepository
from modules.frontdesk.schemas import HousekeepingBoard, HousekeepingTile
from modules.reservations import service as reservations
from modules.reservations.service import UnitView
from tenants.service import record_audit

__all__ = ["housekeeping_board", "housekeeping_tile", "set_room_status"]


async def _context(
    db: AsyncSession, tenant_id: TenantId, tz: str
) -> tuple[set[uuid.UUID], set[uuid.UUID], set[uuid.UUID]]:
    """Occupied rooms, rooms whose guest leaves today, room types with arrivals today."""
    repo = FrontDeskRepository(db, tenant_id)
    occupied = await repo.occupied_unit_ids()
    day = await reservations.list_day(db, tenant_id, domain.business_date(tz))
    leaving = {r.unit_id for r in day.departures if r.unit_id is not None}
    arriving_types = {
        r.unit_type_id for r in day.arrivals if r.status == reservations.ReservationStatus.CONFIRMED
    }
    return occupied, leaving, arriving_types


def _tile(
    unit: UnitView, occupied: set[uuid.UUID], leaving: set[uuid.UUID], arriving: set[uuid.UUID]
) -> HousekeepingTile:
    return HousekeepingTile(
        unit=unit,
        occupied=unit.id in occupied,
        departing=unit.id in leaving and unit.id in occupied,
        arriving=unit.unit_type_id in arriving and unit.status not in domain.READY_STATUSES,
    )


async def housekeeping_board(
    db: AsyncSession, tenant_id: TenantId, *, tz: str, status: str | None = None
) -> HousekeepingBoard:
    """Rooms by floor (cruise cabins and hot-spring lockers have no board: rooms only),
    optionally only one status ("show me what to clean")."""
    units = [u for u in await reservations.list_units(db, tenant_id) if u.kind == "room"]
    occupied, leaving, arriving = await _context(db, tenant_id, tz)
    counts = Counter(u.status for u in units)
    shown = [u for u in units if status in (None, "", u.status)]
    shown.sort(key=lambda u: (u.floor, u.number))
    floors = tuple(
        (floor, tuple(_tile(u, occupied, leaving, arriving) for u in group))
        for floor, group in groupby(shown, key=lambda u: u.floor)
    )
    return HousekeepingBoard(floors=floors, counts=dict(counts))


async def housekeeping_tile(
    db: AsyncSession, tenant_id: TenantId, unit_id: uuid.UUID, *, tz: str
) -> HousekeepingTile:
    units = {u.id: u for u in await reservations.list_units(db, tenant_id)}
    unit = units.get(unit_id)
    if unit is None:
        raise NotFound()
    return _tile(unit, *await _context(db, tenant_id, tz))


async def set_room_status(
    db: AsyncSession,
    tenant_id: TenantId,
    unit_id: uuid.UUID,
    status: str,
    *,
    actor: Actor,
    tz: str,
) -> HousekeepingTile:
    """Housekeeping marks a room cleaned, inspected, dirty or out of order; the front desk
    only suggests rooms marked clean or inspected."""
    if status not in domain.ROOM_STATUSES:
        raise Invalid.field("status", "Choose a room status.")
    unit = await reservations.set_unit_status(db, tenant_id, unit_id, status)
    await record_audit(
        db,
        tenant_id,
        "frontdesk.room_status",
        actor_user_id=actor.user_id,
        subject_type="unit",
        subject_id=unit.id,
        data={"unit": unit.number, "status": status},
        ip=actor.ip,
    )
    return _tile(unit, *await _context(db, tenant_id, tz))
