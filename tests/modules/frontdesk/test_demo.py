"""The demo hotel's front desk: guests in house and arriving today, a room to clean."""

from __future__ import annotations

from modules.frontdesk import service
from modules.frontdesk.demo import DEMO_GUESTS, seed_demo
from modules.reservations import service as reservations
from tests.factories.frontdesk import TZ, hotel_today
from tests.factories.reservations import make_rate_plan, make_stock


async def test_the_demo_hotel_has_guests_today_and_seeding_twice_adds_nothing(db, owner, tid):
    rack = await make_rate_plan(db, tenant=owner.tenant, code="rack")
    await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=3, plan=rack)
    await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=3, plan=rack)
    seeded = await seed_demo(db, tid, ("hotel",))
    assert seeded is not None and len(seeded.checked_in) == 2 and len(seeded.arriving) == 2
    desk = await service.desk_day(db, tid, day=None, tz=TZ)
    assert len(desk.in_house) == 2
    assert {r.guest_name for r in desk.arrivals} == {g.name for g in DEMO_GUESTS}
    assert sum(desk.balances.values()) > 0
    statuses = [u.status for u in await reservations.list_units(db, tid)]
    assert statuses.count("dirty") == 1
    assert await seed_demo(db, tid, ("hotel",)) is None
    assert len((await service.desk_day(db, tid, day=None, tz=TZ)).in_house) == 2


async def test_only_hotels_with_rooms_on_sale_get_demo_guests(db, owner, tid):
    assert await seed_demo(db, tid, ("cruise",)) is None
    assert await seed_demo(db, tid, ("hotel",)) is None
