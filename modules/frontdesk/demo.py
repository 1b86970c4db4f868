"""A lived-in front desk for the demo hotel (`make run`, never production).

`seed_demo` books a few guests for today at the rack rate in the hotel's inventory (the
reservations module's demo must have run first): two checked in, one with a minibar
charge on the bill, and two still to arrive (one wishing for a river view); one room is
left dirty for the housekeeping board. Idempotent: once the hotel has any stay it changes
nothing, so restarts do not pile up guests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.identifiers import id_check_char
from modules.frontdesk import domain
from modules.frontdesk.repository import FrontDeskRepository
from modules.frontdesk.service import (
    SYSTEM,
    BookingQuery,
    booking_search,
    check_in,
    check_in_options,
    post_charge,
)
from modules.reservations import service as reservations
from modules.reservations.service import GuestDetails, Offer

log = logging.getLogger("zhilv.frontdesk")


def _resident_id(region: str, born: str, sequence: str) -> str:
    """A synthetic resident ID with a valid GB 11643 check digit (no real person)."""
    first17 = f"{region}{born}{sequence}"
    return first17 + id_check_char(first17)


DEMO_GUESTS = (
    GuestDetails("陈静", "13508300001", id_number=_resident_id("500103", "19880512", "124")),
    GuestDetails("王磊", "13996300002", id_number=_resident_id("500105", "19790321", "031")),
    GuestDetails(
        "刘洋",
        "13883300003",
        id_number=_resident_id("500112", "19920807", "215"),
        preferences=("river_view",),
    ),
    GuestDetails("赵敏", "13752300004", id_number=_resident_id("500106", "19850119", "046")),
)


@dataclass(frozen=True, slots=True)
class DemoFrontDesk:
    checked_in: tuple[str, ...]  # room numbers
    arriving: tuple[str, ...]  # confirmation codes


def _pick(offers: list[Offer], n: int) -> list[Offer]:
    """The cheapest room types first, as many bookings as there is room for."""
    rooms = sorted((o for o in offers if o.kind == "room"), key=lambda o: o.total_fen)
    picked: list[Offer] = []
    for offer in rooms:
        picked.extend([offer] * min(offer.available, n - len(picked)))
    return picked[:n]


async def seed_demo(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...], *, tz: str = clock.DEFAULT_TZ
) -> DemoFrontDesk | None:
    """Guests for today at the demo hotel; None when not a hotel, already seeded, or the
    hotel has no rooms on sale today."""
    if "hotel" not in kinds:
        return None
    repo = FrontDeskRepository(db, tenant_id)
    if await repo.any_stay():
        return None
    today = domain.business_date(tz)
    dates = BookingQuery(today, today + timedelta(days=2), adults=2, children=0)
    offers = await booking_search(db, tenant_id, dates)
    picked = _pick(offers, len(DEMO_GUESTS))
    if len(picked) < len(DEMO_GUESTS):
        log.info("demo front desk: not enough rooms on sale today, skipped")
        return None
    booked = [
        await reservations.book(
            db,
            tenant_id,
            unit_type_id=offer.unit_type_id,
            rate_plan_id=offer.rate_plan_id,
            arrival=today,
            departure=today + timedelta(days=2),
            adults=2,
            guest=guest,
            source="front_desk",
        )
        for offer, guest in zip(picked, DEMO_GUESTS, strict=True)
    ]
    rooms = []
    for r in booked[:2]:
        options = await check_in_options(db, tenant_id, r.id, tz=tz)
        stay = await check_in(
            db, tenant_id, r.id, unit_id=options.suggestions[0].unit.id, actor=SYSTEM, tz=tz
        )
        rooms.append(stay.unit_number)
        if len(rooms) == 1:
            await post_charge(
                db,
                tenant_id,
                stay_id=stay.id,
                description="迷你吧 矿泉水两瓶、可乐一罐",
                amount_fen=3600,
                source="minibar",
            )
    await _one_dirty_room(db, tenant_id, repo)
    return DemoFrontDesk(checked_in=tuple(rooms), arriving=tuple(r.code for r in booked[2:]))


async def _one_dirty_room(db: AsyncSession, tenant_id: TenantId, repo: FrontDeskRepository) -> None:
    """A guest left this morning: housekeeping has a room to clean on the board."""
    occupied = await repo.occupied_unit_ids()
    for unit in await reservations.list_units(db, tenant_id):
        if (
            unit.kind == "room"
            and unit.id not in occupied
            and unit.status == reservations.UnitStatus.CLEAN
        ):
            await reservations.set_unit_status(db, tenant_id, unit.id, "dirty")
            return
