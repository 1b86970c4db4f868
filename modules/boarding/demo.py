"""Demo data of the boarding module, through its own services (`make run`, never production).

The demo cruise line sails two ships of the 世纪 fleet on the Three Gorges route, each with a
cabin plan of 标准阳台房 (A-2xx, deck 2), 行政套房 (B-3xx, deck 3) and 总统套房 (C-50x,
deck 5); the line's cabins are only sold through these voyages:

- 世纪神话 arrived at 宜昌 two days ago (arrived, with its actual port times),
- 世纪神话 boarding today at 朝天门 (boarding; `voyage_boarding_today` finds it),
- 世纪荣耀 leaving 朝天门 tomorrow evening (planned),
- 世纪神话 on the next Saturdays, so the booking page has sailings to choose from.

Idempotent: a voyage already there (the ship sailing that day) is left alone, and a ship
still away on an older demo voyage is skipped rather than double-booked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid
from modules.boarding import service
from modules.boarding.domain import VOYAGE_MOVES, Direction, VoyageStatus

log = logging.getLogger("zhilv.boarding")

SATURDAY = 5
SATURDAY_SAILINGS = 3


@dataclass(frozen=True, slots=True)
class DemoGrade:
    code: str
    name: str
    deck: int
    numbers: str
    berths: int
    features: tuple[str, ...]
    price_yuan: int  # per cabin per night


GRADES = (
    DemoGrade("STD-BAL", "标准阳台房", 2, "A-201~A-280", 2, ("balcony", "river_view"), 1580),
    DemoGrade("EXEC", "行政套房", 3, "B-301~B-320", 2, ("balcony", "river_view"), 3280),
    DemoGrade("PRES", "总统套房", 5, "C-501~C-504", 3, ("balcony", "river_view", "quiet"), 6880),
)
SHIPS = (
    # code, name, decks, passengers, length, built
    ("SJSH", "世纪神话", 6, 408, 142, 2013),
    ("SJRY", "世纪荣耀", 6, 398, 142, 2014),
)
PRICES = {g.code: g.price_yuan * 100 for g in GRADES}


async def seed_demo(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...], *, today: date | None = None
) -> None:
    """A cruise line's ships and voyages (the passengers and passes come from the other
    parts' demos, on `voyage_boarding_today`)."""
    if "cruise" not in kinds:
        return
    today = today or clock.today()
    myth, glory = [await _ship(db, tenant_id, *spec) for spec in SHIPS]
    await _voyage(db, tenant_id, myth, today - timedelta(days=5), VoyageStatus.ARRIVED)
    await _voyage(db, tenant_id, myth, today, VoyageStatus.BOARDING)
    await _voyage(db, tenant_id, glory, today + timedelta(days=1), VoyageStatus.PLANNED)
    first = today + timedelta(days=7 + (SATURDAY - today.weekday()) % 7)
    for week in range(SATURDAY_SAILINGS):
        await _voyage(db, tenant_id, myth, first + timedelta(weeks=week), VoyageStatus.PLANNED)


async def voyage_boarding_today(
    db: AsyncSession, tenant_id: TenantId, *, today: date | None = None
) -> service.VoyageView | None:
    """The demo voyage boarding at 朝天门 today (for the demo passengers and passes)."""
    today = today or clock.today()
    zone = clock.zone()
    start = datetime.combine(today, time(0), zone)
    for voyage in await service.list_voyages(
        db, tenant_id, sails_from=start, sails_until=start + timedelta(days=1)
    ):
        if voyage.status == VoyageStatus.BOARDING:
            return voyage
    return None


async def _ship(
    db: AsyncSession,
    tenant_id: TenantId,
    code: str,
    name: str,
    decks: int,
    passengers: int,
    length: int,
    built: int,
) -> service.ShipView:
    ship = await service.ship_by_code(db, tenant_id, code)
    if ship is None:
        ship = await service.create_ship(
            db,
            tenant_id,
            code=code,
            name=name,
            decks=decks,
            passenger_capacity=passengers,
            length_m=length,
            built_year=built,
        )
    if ship.cabins == 0:
        await service.add_cabins(
            db,
            tenant_id,
            ship.id,
            [
                service.CabinInput(n, g.deck, g.code, g.name, g.berths, g.features)
                for g in GRADES
                for n in service.expand_numbers(g.numbers)
            ],
        )
    return ship


async def _voyage(
    db: AsyncSession,
    tenant_id: TenantId,
    ship: service.ShipView,
    sails_on: date,
    status: VoyageStatus,
) -> service.VoyageView | None:
    for voyage in await service.list_voyages(db, tenant_id, ship_id=ship.id):
        if voyage.depart_on == sails_on:
            return voyage
    try:
        async with db.begin_nested():
            voyage = await service.create_voyage(
                db,
                tenant_id,
                ship_id=ship.id,
                sails_on=sails_on,
                prices=PRICES,
                direction=Direction.DOWNSTREAM,
                past_ok=True,
            )
    except Invalid as exc:  # the ship is still away on an older demo voyage
        log.info("demo voyage of %s on %s skipped: %s", ship.name, sails_on, exc.errors)
        return None
    if status == VoyageStatus.ARRIVED:
        await _log_port_times(db, tenant_id, voyage)
    for step in (VoyageStatus.BOARDING, VoyageStatus.SAILING, VoyageStatus.ARRIVED):
        if voyage.status == status or step not in VOYAGE_MOVES[voyage.status]:
            break
        voyage = await service.move_voyage(db, tenant_id, voyage.id, step)
    return voyage


async def _log_port_times(
    db: AsyncSession, tenant_id: TenantId, voyage: service.VoyageView
) -> None:
    """A past voyage's actual times: a few minutes off the timetable, as on the river."""
    for n, call in enumerate(voyage.port_calls):
        late = timedelta(minutes=(7 * n) % 25)
        await service.record_port_time(
            db,
            tenant_id,
            voyage.id,
            call.id,
            arrived_at=call.arrives_at + late if call.arrives_at else None,
            departed_at=call.departs_at + late if call.departs_at else None,
        )
