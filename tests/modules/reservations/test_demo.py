"""Demo inventory: a Chongqing hotel, a Yangtze cruise and a hot spring that can be
booked, created once and extended on later starts."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.db.engine import TenantId
from modules.reservations import service
from modules.reservations.demo import seed_demo
from tests.factories.tenants import make_tenant


class TestSeedDemo:
    async def test_hotel_rooms_by_floor_and_bookable_tonight(self, db):
        tenant = (await make_tenant(db, kinds=("hotel",))).tenant
        tid = TenantId(tenant.id)
        await seed_demo(db, tid, ("hotel",))
        names = [t.name for t in await service.list_unit_types(db, tid)]
        assert names[:3] == ["高级大床房", "豪华江景双床房", "家庭房"]
        numbers = {u.number: u for u in await service.list_units(db, tid)}
        assert numbers["1201"].floor == 12
        assert "river_view" in numbers["1601"].features
        today = clock.today()
        offers = await service.search_availability(
            db, tid, arrival=today, departure=today + timedelta(days=2), adults=2
        )
        assert {o.name for o in offers} >= {"高级大床房", "行政套房"}

    async def test_a_cruise_line_gets_rate_plans_and_no_voyages_of_its_own(self, db):
        """Cruise cabins are sold per voyage and come from boarding's demo (tested there)."""
        tenant = (await make_tenant(db, kinds=("cruise",))).tenant
        tid = TenantId(tenant.id)
        await seed_demo(db, tid, ("cruise",))
        assert await service.list_voyages(db, tid) == []
        assert {p.code for p in await service.list_rate_plans(db, tid)} == {"rack", "agency-net"}

    async def test_a_resort_with_springs_has_its_own_rooms_not_the_city_hotels(self, db):
        tenant = (await make_tenant(db, kinds=("hot_spring", "hotel"))).tenant
        tid = TenantId(tenant.id)
        await seed_demo(db, tid, ("hot_spring", "hotel"))
        names = [t.name for t in await service.list_unit_types(db, tid)]
        assert names == ["温泉大床房", "温泉双床房", "汤屋庭院套房", "缙云山景别墅"]
        numbers = {u.number for u in await service.list_units(db, tid)}
        assert {"201", "320", "T01", "V04"} <= numbers
        assert "1601" not in numbers  # no river-view tower rooms in 北碚's hills
        today = clock.today()
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        prices = {}
        for day in (friday, friday + timedelta(days=3)):
            offers = await service.search_availability(
                db, tid, arrival=day, departure=day + timedelta(days=1), adults=2
            )
            prices[day.weekday()] = {o.name: o.total_fen for o in offers}["温泉大床房"]
        assert prices == {4: 108800, 0: 88800}

    async def test_a_hot_spring_gets_no_day_tickets_here(self, db):
        """Its day tickets are keytags' ticket types (kept in step by keytags' demo)."""
        tenant = (await make_tenant(db, kinds=("hot_spring",))).tenant
        tid = TenantId(tenant.id)
        await seed_demo(db, tid, ("hot_spring",))
        assert await service.list_unit_types(db, tid) == []
        assert {p.code for p in await service.list_rate_plans(db, tid)} == {"rack"}

    async def test_running_again_changes_nothing_but_extends_the_calendar(self, db):
        tenant = (await make_tenant(db, kinds=("hotel",))).tenant
        tid = TenantId(tenant.id)
        await seed_demo(db, tid, ("hotel",))
        units = len(await service.list_units(db, tid))
        await seed_demo(db, tid, ("hotel",), today=clock.today() + timedelta(days=10))
        assert len(await service.list_units(db, tid)) == units
        far = clock.today() + timedelta(days=185)
        offers = await service.search_availability(
            db, tid, arrival=far, departure=far + timedelta(days=1), adults=1
        )
        assert offers
