"""The demo cruise line's ships and voyages (boarding's demo): boarding today at 朝天门,
leaving tomorrow, arrived two days ago, Saturday sailings on sale; run twice, the same."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.boarding import demo, service
from modules.boarding.domain import VoyageStatus
from modules.reservations import demo as reservations_demo
from modules.reservations import service as reservations
from tests.factories.tenants import make_tenant


async def _line(db):
    tenant = (await make_tenant(db, kinds=("cruise",))).tenant
    await bind_tenant(db, tenant.id)
    return TenantId(tenant.id)


async def test_the_demo_line_has_its_voyages_and_sells_their_cabins(db):
    tid = await _line(db)
    await reservations_demo.seed_demo(db, tid, ("cruise",))  # the rate plans, as `make run`
    await demo.seed_demo(db, tid, ("cruise",))
    today = clock.today()
    voyages = {(v.ship_name, v.depart_on): v for v in await service.list_voyages(db, tid)}
    boarding = voyages[("世纪神话", today)]
    assert boarding.status == VoyageStatus.BOARDING
    assert boarding.port_calls[0].port_name == "朝天门"
    assert (await demo.voyage_boarding_today(db, tid)).id == boarding.id
    assert voyages[("世纪荣耀", today + timedelta(days=1))].status == VoyageStatus.PLANNED
    arrived = voyages[("世纪神话", today - timedelta(days=5))]
    assert arrived.status == VoyageStatus.ARRIVED
    assert arrived.arrive_on == today - timedelta(days=2)
    assert all(c.arrived_at or c.departed_at for c in arrived.port_calls)
    saturdays = [v for v in voyages.values() if v.depart_on > today + timedelta(days=1)]
    assert len(saturdays) == demo.SATURDAY_SAILINGS
    assert all(v.depart_on.weekday() == demo.SATURDAY for v in saturdays)

    first = saturdays[0]
    offers = await reservations.search_availability(
        db, tid, arrival=first.depart_on, departure=first.arrive_on, adults=2, voyage_id=first.id
    )
    assert [o.name for o in offers] == ["标准阳台房", "行政套房", "总统套房"]
    cabins = await reservations.list_units(db, tid, unit_type_id=offers[0].unit_type_id)
    assert cabins[0].number == "A-201"


async def test_the_demo_runs_twice_without_doubling(db):
    tid = await _line(db)
    await demo.seed_demo(db, tid, ("cruise",))
    before = [(v.id, v.status) for v in await service.list_voyages(db, tid)]
    await demo.seed_demo(db, tid, ("cruise",))
    assert [(v.id, v.status) for v in await service.list_voyages(db, tid)] == before
    assert [s.cabins for s in await service.list_ships(db, tid)] == [104, 104]


async def test_a_hotel_gets_no_ships(db):
    tid = await _line(db)
    await demo.seed_demo(db, tid, ("hotel",))
    assert await service.list_ships(db, tid) == []
