"""The demo's menus and lived-in queues (`make run`)."""

from __future__ import annotations

from app.db.engine import TenantId
from modules.guestservices import service
from modules.guestservices.demo import seed_demo
from tests.factories.frontdesk import make_stay
from tests.factories.tenants import make_tenant


async def test_the_demo_hotel_has_menus_requests_and_a_complaint_once(db, owner, tid, guest):
    await make_stay(db, tenant=owner.tenant, stock=guest.stock)
    assert await seed_demo(db, tid, ("hotel",)) is True
    menus = await service.menu(db, tid, available_only=True)
    prices = {i.name: i.price_fen for items in menus.values() for i in items}
    assert prices["重庆小面"] == 2800 and prices["山城啤酒"] == 1500 and "沱茶" in prices
    open_kinds = sorted(r.kind for r in (await service.request_queue(db, tid)).requests)
    assert open_kinds == ["towels", "wakeup"]
    done = await service.request_queue(db, tid, status="done")
    assert [r.kind for r in done.requests] == ["housekeeping"]
    assert len(await service.complaints(db, tid)) == 1
    assert await seed_demo(db, tid, ("hotel",)) is False
    assert len(await service.complaints(db, tid)) == 1


async def test_a_cruise_line_gets_cabin_service_and_an_agency_nothing(db):
    cruise = await make_tenant(db, kinds=("cruise",))
    ctid = TenantId(cruise.tenant.id)
    assert await seed_demo(db, ctid, ("cruise",)) is True
    names = {i.name for items in (await service.menu(db, ctid)).values() for i in items}
    assert "江景下午茶" in names and "矿泉水" in names
    agency = await make_tenant(db, kinds=("agency",))
    assert await seed_demo(db, TenantId(agency.tenant.id), ("agency",)) is False
