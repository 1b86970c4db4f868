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

    async def test_hot_spring_admissions_cost_more_at_weekends(self, db):
        tenant = (await make_tenant(db, kinds=("hot_spring",))).tenant
        tid = TenantId(tenant.id)
        await seed_demo(db, tid, ("hot_spring",))
        today = clock.today()
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        monday = saturday + timedelta(days=2)
        prices = {}
        for day in (saturday, monday):
            [adult, _child] = await service.search_availability(
                db, tid, arrival=day, departure=day + timedelta(days=1), adults=1
            )
            prices[day.weekday()] = adult.total_fen
        assert prices == {5: 39800, 0: 36800}

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
