"""Voyages: creating one for a ship (sold through reservations: the voyage, a unit type per
cabin grade with its price, a unit per cabin, the calendar of its nights; run here: the
boarding window, the port calls of the route with their times), reading them, and the
purser's status moves (planned → boarding → sailing → arrived, or cancelled with a reason)
with the actual times at each port."""

from __future__ import annotations

import re
import string
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.boarding.domain import (
    PORTS,
    VOYAGE_MOVES,
    Direction,
    VoyageStatus,
    voyage_number,
)
from modules.boarding.models import BoardingVoyage, PortCall
from modules.boarding.repository.voyages import VoyagesRepository
from modules.boarding.schemas.voyages import GradeView, PortCallView, VoyageRow, VoyageView
from modules.boarding.service.cancelling import cancel_voyage_bookings
from modules.boarding.service.ships import cabin_grades, ship_cabins
from modules.reservations import service as reservations

PREFIX = re.compile(r"^[A-Z]{2,4}$", re.ASCII)
CABIN_KIND = "cabin"


class VoyageMoveRefused(Conflict):
    code = "voyage_move_refused"
    message = "This voyage cannot move to that status now."


@dataclass(frozen=True, slots=True)
class Stop:
    """A call of the route template: the day after sailing and the local times."""

    port: str
    arrives: tuple[int, time] | None
    departs: tuple[int, time] | None
    activity: str = ""


# 4 days / 3 nights downstream, 5 days / 4 nights upstream (the river runs against it);
# the first port's departure is the voyage's sailing time.
DOWNSTREAM_ROUTE = (
    Stop("CTM", None, (0, time(21)), "登船，夜游两江"),
    Stop("FD", (1, time(8)), (1, time(11)), "上岸游览丰都鬼城"),
    Stop("ZX", (1, time(16)), (1, time(18)), "石宝寨"),
    Stop("WZ", (1, time(21, 30)), (1, time(22, 30)), "万州港停靠"),
    Stop("FJ", (2, time(7, 30)), (2, time(10)), "白帝城；经瞿塘峡夔门"),
    Stop("WS", (2, time(13, 30)), (2, time(18)), "巫山小三峡"),
    Stop("YC", (3, time(12)), None, "离船"),
)
UPSTREAM_ROUTE = (
    Stop("YC", None, (0, time(21)), "登船"),
    Stop("WS", (1, time(15)), (1, time(19)), "过三峡大坝船闸后游览巫山小三峡"),
    Stop("FJ", (2, time(7)), (2, time(10)), "白帝城"),
    Stop("WZ", (2, time(18)), (2, time(20)), "万州港停靠"),
    Stop("ZX", (3, time(7, 30)), (3, time(10, 30)), "石宝寨"),
    Stop("FD", (3, time(16)), (3, time(19)), "上岸游览丰都鬼城"),
    Stop("CTM", (4, time(8)), None, "离船"),
)
ROUTES = {Direction.DOWNSTREAM: DOWNSTREAM_ROUTE, Direction.UPSTREAM: UPSTREAM_ROUTE}


def _error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def port_call_view(c: PortCall) -> PortCallView:
    return PortCallView(
        id=c.id,
        voyage_id=c.voyage_id,
        seq=c.seq,
        port_code=c.port_code,
        arrives_at=c.arrives_at,
        departs_at=c.departs_at,
        embarking=c.embarking,
        disembarking=c.disembarking,
        activity=c.activity,
        boarding_opens_at=c.boarding_opens_at,
        boarding_closes_at=c.boarding_closes_at,
        arrived_at=c.arrived_at,
        departed_at=c.departed_at,
    )


def _view(row: Row[Any], calls: Sequence[PortCall]) -> VoyageView:
    """A voyage from its row (the voyage, `ship_code`, `ship_name`) and its port calls."""
    v: BoardingVoyage = row[0]
    return VoyageView(
        id=v.id,
        number=v.number,
        ship_id=v.ship_id,
        ship_code=row.ship_code,
        ship_name=row.ship_name,
        direction=Direction(v.direction),
        status=VoyageStatus(v.status),
        boarding_opens_at=v.boarding_opens_at,
        boarding_closes_at=v.boarding_closes_at,
        sails_at=v.sails_at,
        arrives_at=v.arrives_at,
        status_changed_at=v.status_changed_at,
        cancel_reason=v.cancel_reason,
        port_calls=tuple(port_call_view(c) for c in calls),
        report_filed_at=v.report_filed_at,
    )


# Reading ----------------------------------------------------------------------------------


async def get_voyage(db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID) -> VoyageView:
    """The voyage with its ship and port calls in order; `NotFound` for an unknown id (or
    another enterprise's)."""
    repo = VoyagesRepository(db, tenant_id)
    row = await repo.voyage(voyage_id)
    if row is None:
        raise NotFound()
    return _view(row, await repo.port_calls([voyage_id]))


async def list_voyages(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    sails_from: datetime | None = None,
    sails_until: datetime | None = None,
    statuses: Sequence[VoyageStatus] = (),
    ship_id: uuid.UUID | None = None,
    limit: int = 200,
) -> list[VoyageView]:
    """Voyages by sailing time (from `sails_from`, before `sails_until`), with port calls."""
    repo = VoyagesRepository(db, tenant_id)
    rows = await repo.voyages(
        sails_from=sails_from,
        sails_until=sails_until,
        statuses=[str(s) for s in statuses],
        ship_id=ship_id,
        limit=limit,
    )
    calls: dict[uuid.UUID, list[PortCall]] = {}
    for c in await repo.port_calls([r[0].id for r in rows]):
        calls.setdefault(c.voyage_id, []).append(c)
    return [_view(r, calls.get(r[0].id, [])) for r in rows]


async def port_calls(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> list[PortCallView]:
    """The voyage's port calls in order (`NotFound` for an unknown voyage)."""
    return list((await get_voyage(db, tenant_id, voyage_id)).port_calls)


async def get_port_call(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, call_id: uuid.UUID
) -> PortCallView:
    call = await VoyagesRepository(db, tenant_id).port_call(voyage_id, call_id)
    if call is None:
        raise NotFound()
    return port_call_view(call)


async def voyage_rows(
    db: AsyncSession, tenant_id: TenantId, voyages: Sequence[VoyageView]
) -> list[VoyageRow]:
    """The voyages with how many of their cabins are sold (on their first night)."""
    sold: dict[uuid.UUID, tuple[int, int]] = {}
    first_night = {v.id: v.depart_on for v in voyages}
    for day in sorted(set(first_night.values())):
        grid = await reservations.calendar(db, tenant_id, start=day, days=1)
        for row in grid.rows:
            cell = row.cells[0] if row.cells else None
            voyage_id = row.unit_type.voyage_id
            if cell is None or voyage_id is None or first_night.get(voyage_id) != day:
                continue
            total, done = sold.get(voyage_id, (0, 0))
            sold[voyage_id] = (total + cell.total, done + cell.sold)
    return [VoyageRow(v, *sold.get(v.id, (0, 0))) for v in voyages]


# Creating -----------------------------------------------------------------------------------


async def create_voyage(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    ship_id: uuid.UUID,
    sails_on: date,
    prices: Mapping[str, int],
    direction: Direction = Direction.DOWNSTREAM,
    prefix: str = "CJ",
    boarding_opens: time = time(18),
    boarding_closes: time = time(20, 30),
    sails: time = time(21),
    tz: str | None = None,
    past_ok: bool = False,
) -> VoyageView:
    """A voyage of the ship, on sale at once: the sold voyage (numbered CJ20261210A, the
    next free letter on a day with two sailings), a unit type per cabin grade at its
    price (fen per cabin per night, keyed by grade code), a unit per cabin of the plan and
    the calendar of its nights; then the voyage as the purser runs it (same id) with the
    boarding window and the route's port calls in the enterprise's zone `tz`."""
    repo = VoyagesRepository(db, tenant_id)
    ship = await repo.ship(ship_id)
    grades = await cabin_grades(db, tenant_id, ship_id) if ship else []
    errors = _create_errors(ship is not None, grades, prices, direction, prefix, sails_on, tz)
    errors += _window_errors(boarding_opens, boarding_closes, sails)
    if not errors and past_ok is False and sails_on < clock.today(tz):
        errors.append(_error("sails_on", "Choose today or a later date."))
    if errors or ship is None:
        raise Invalid(errors=errors)
    route = ROUTES[Direction(direction)]
    zone = clock.zone(tz)

    def at(day: int, t: time) -> datetime:
        return datetime.combine(sails_on + timedelta(days=day), t, zone)

    opens, closes, sails_at = at(0, boarding_opens), at(0, boarding_closes), at(0, sails)
    arrives_day, arrives_time = route[-1].arrives  # type: ignore[misc]
    arrives_at = at(arrives_day, arrives_time)
    if await repo.ship_busy(ship.id, opens, arrives_at):
        raise Invalid.field("sails_on", "The ship is on another voyage then.", "busy")
    number = await _free_number(repo, prefix, sails_on)
    first, last = PORTS[route[0].port], PORTS[route[-1].port]
    try:
        sold = await reservations.create_voyage(
            db,
            tenant_id,
            code=number,
            ship=ship.name,
            route=f"{first.name} → {last.name}",
            depart_on=sails_on,
            arrive_on=sails_on + timedelta(days=arrives_day),
            direction=str(direction),
            embark_port=first.pier,
            disembark_port=last.pier,
        )
    except Invalid as exc:
        raise Invalid.field("sails_on", "This voyage number is already used.", "taken") from exc
    await _sell_cabins(db, tenant_id, sold, ship_id, grades, prices)
    voyage = BoardingVoyage(
        id=sold.id,
        ship_id=ship.id,
        number=number,
        direction=str(direction),
        boarding_opens_at=opens,
        boarding_closes_at=closes,
        sails_at=sails_at,
        arrives_at=arrives_at,
        status_changed_at=clock.now(),
    )
    repo.add(voyage)
    await repo.flush()
    for seq, stop in enumerate(route):
        first_stop = seq == 0
        repo.add(
            PortCall(
                voyage_id=voyage.id,
                seq=seq,
                port_code=stop.port,
                arrives_at=at(*stop.arrives) if stop.arrives else None,
                departs_at=sails_at
                if first_stop
                else (at(*stop.departs) if stop.departs else None),
                embarking=first_stop,
                disembarking=not first_stop,
                activity=stop.activity,
                boarding_opens_at=opens if first_stop else None,
                boarding_closes_at=closes if first_stop else None,
            )
        )
    await repo.flush()
    return await get_voyage(db, tenant_id, voyage.id)


def _create_errors(
    ship_found: bool,
    grades: Sequence[GradeView],
    prices: Mapping[str, int],
    direction: str,
    prefix: str,
    sails_on: date,
    tz: str | None,
) -> list[dict[str, str]]:
    errors = []
    if not ship_found:
        errors.append(_error("ship_id", "Choose a ship."))
    elif not grades:
        errors.append(_error("ship_id", "Add cabins to the ship's plan first."))
    if Direction.parse(direction) is None:
        errors.append(_error("direction", "Choose downstream or upstream."))
    if not PREFIX.match(prefix):
        errors.append(_error("prefix", "Two to four capital letters, such as CJ."))
    for grade in grades:
        price = prices.get(grade.code)
        if price is None:
            errors.append(_error(f"price_{grade.code}", "Enter a price.", "required"))
        elif not 0 <= price <= 10_000_000:
            errors.append(_error(f"price_{grade.code}", "Enter a price from 0 to 100000 yuan."))
    return errors


def _window_errors(opens: time, closes: time, sails: time) -> list[dict[str, str]]:
    errors = []
    if not opens < closes:
        errors.append(_error("boarding_closes", "Boarding must close after it opens."))
    if not closes <= sails:
        errors.append(_error("sails", "The ship sails after boarding closes."))
    return errors


async def _free_number(repo: VoyagesRepository, prefix: str, sails_on: date) -> str:
    stem = voyage_number(prefix, sails_on, "")
    taken = await repo.numbers_like(stem)
    for letter in string.ascii_uppercase:
        if stem + letter not in taken:
            return stem + letter
    raise Invalid.field("sails_on", "No more voyages can sail on this day.")


async def _sell_cabins(
    db: AsyncSession,
    tenant_id: TenantId,
    sold: reservations.VoyageView,
    ship_id: uuid.UUID,
    grades: Sequence[GradeView],
    prices: Mapping[str, int],
) -> None:
    cabins = await ship_cabins(db, tenant_id, ship_id)
    for order, grade in enumerate(grades):
        code: str = grade.code
        unit_type = await reservations.create_unit_type(
            db,
            tenant_id,
            code=f"{code}-{sold.code}",
            name=grade.name,
            kind=CABIN_KIND,
            capacity=grade.berths,
            base_price_fen=prices[code],
            voyage_id=sold.id,
            sort_order=order,
        )
        for cabin in (c for c in cabins if c.grade_code == code):
            await reservations.create_unit(
                db,
                tenant_id,
                unit_type_id=unit_type.id,
                number=cabin.number,
                floor=cabin.deck,
                features=cabin.features,
            )
        await reservations.set_calendar(
            db,
            tenant_id,
            unit_type_id=unit_type.id,
            start=sold.depart_on,
            end=sold.arrive_on - timedelta(days=1),
        )


# Status moves ------------------------------------------------------------------------------


async def move_voyage(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage_id: uuid.UUID,
    to: VoyageStatus | str,
    *,
    reason: str = "",
    actor: Actor | None = None,
) -> VoyageView:
    """The purser's move (planned → boarding → sailing → arrived; cancelled from planned or
    boarding, with a reason). Sailing records the departure from the boarding port and
    arriving the arrival at the last port, unless already recorded, and queues the voyage's
    report to the bureau; cancelling stops the voyage's sales and cancels every cabin booked
    on it with a full refund and an SMS to its lead passenger. Anything else is refused
    with `VoyageMoveRefused`."""
    repo = VoyagesRepository(db, tenant_id)
    row = await repo.voyage(voyage_id, lock=True)
    if row is None:
        raise NotFound()
    voyage: BoardingVoyage = row[0]
    target = VoyageStatus.parse(to)
    if target is None:
        raise Invalid.field("status", "Choose a status.")
    if target not in VOYAGE_MOVES[VoyageStatus(voyage.status)]:
        raise VoyageMoveRefused()
    reason = reason.strip()
    if target == VoyageStatus.CANCELLED and not reason:
        raise Invalid.field("reason", "Say why the voyage is cancelled.", "required")
    if len(reason) > 300:
        raise Invalid.field("reason", "Use at most 300 characters.", "too_long")
    now = clock.now()
    calls = await repo.port_calls([voyage_id])
    if target == VoyageStatus.SAILING and calls and calls[0].departed_at is None:
        await repo.set_port_times(calls[0].id, arrived_at=None, departed_at=now)
    if target == VoyageStatus.ARRIVED and calls and calls[-1].arrived_at is None:
        await repo.set_port_times(calls[-1].id, arrived_at=now, departed_at=None)
    if target == VoyageStatus.CANCELLED:
        await _stop_sales(db, tenant_id, voyage_id)
        await cancel_voyage_bookings(
            db, tenant_id, voyage_id, number=voyage.number, reason=reason, actor=actor
        )
    if target == VoyageStatus.ARRIVED:
        from modules.boarding.service.report import voyage_arrived  # report reads voyages

        await voyage_arrived(db, tenant_id, voyage_id)
    await repo.set_status(
        voyage_id, str(target), now, reason if target == VoyageStatus.CANCELLED else None
    )
    await repo.flush()
    db.expire(voyage)
    return await get_voyage(db, tenant_id, voyage_id)


async def _stop_sales(db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID) -> None:
    view = await get_voyage(db, tenant_id, voyage_id)
    for unit_type in await reservations.list_unit_types(db, tenant_id, voyage_id=voyage_id):
        await reservations.set_calendar(
            db,
            tenant_id,
            unit_type_id=unit_type.id,
            start=view.depart_on,
            end=view.arrive_on - timedelta(days=1),
            closed=True,
        )


async def record_port_time(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage_id: uuid.UUID,
    call_id: uuid.UUID,
    *,
    arrived_at: datetime | None = None,
    departed_at: datetime | None = None,
) -> PortCallView:
    """The ship's actual arrival at or departure from a port call (as the bridge logged
    it), kept beside the scheduled times."""
    repo = VoyagesRepository(db, tenant_id)
    call = await repo.port_call(voyage_id, call_id)
    if call is None:
        raise NotFound()
    if arrived_at is None and departed_at is None:
        raise Invalid.field("event", "Choose arrival or departure.", "required")
    arrived = arrived_at or call.arrived_at
    departed = departed_at or call.departed_at
    if arrived is not None and departed is not None and departed < arrived:
        raise Invalid.field("at", "The ship leaves a port after it arrives.")
    await repo.set_port_times(call.id, arrived_at=arrived_at, departed_at=departed_at)
    await repo.flush()
    db.expire(call)
    return await get_port_call(db, tenant_id, voyage_id, call_id)
