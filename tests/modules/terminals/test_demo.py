"""The demo hotel and cruise line have paired terminals and content; in development a
browser opens a room's terminal without a code, in any other environment that path
does not exist."""

from __future__ import annotations

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.boarding import demo as boarding_demo
from modules.frontdesk import demo as frontdesk_demo
from modules.reservations import demo as reservations_demo
from modules.reservations import service as reservations
from modules.terminals import demo, service
from tests.factories.tenants import make_tenant


async def _hotel(db):
    owner = await make_tenant(db, name="重庆解放碑江景酒店")
    tid = TenantId(owner.tenant.id)
    await bind_tenant(db, tid)
    await reservations_demo.seed_demo(db, tid, ("hotel",))
    await frontdesk_demo.seed_demo(db, tid, ("hotel",))
    await demo.seed_demo(db, tid, ("hotel",))
    await db.flush()
    return owner, tid


async def test_the_demo_hotel_has_paired_terminals_content_and_a_guest_greeting(db):
    _, tid = await _hotel(db)
    devices = await service.list_devices(db, tid)
    assert len(devices) == 3 and {d.status for d in devices} == {"paired"}
    greeted = [await service.terminal_stay(db, tid, d.id) for d in devices]
    assert sum(1 for s in greeted if s is not None) == 2
    titles = {p.title for p in await service.list_pages(db, tid)}
    assert {"无线网络 Wi-Fi", "早餐", "健身房"} <= titles
    spots = {s.name: s for s in await service.list_spots(db, tid)}
    assert spots["长江索道"].ticket_fen == 2000 and spots["洪崖洞"].distance_km == "1.5"
    await demo.seed_demo(db, tid, ("hotel",))
    assert len(await service.list_devices(db, tid)) == 3
    assert len(await service.list_pages(db, tid)) == len(titles)


async def test_the_demo_cruise_has_the_three_gorges_itinerary_on_every_voyage(db):
    owner = await make_tenant(db, kinds=("cruise",))
    tid = TenantId(owner.tenant.id)
    await bind_tenant(db, tid)
    await reservations_demo.seed_demo(db, tid, ("cruise",))
    await boarding_demo.seed_demo(db, tid, ("cruise",))  # the voyages, as `make run`
    await demo.seed_demo(db, tid, ("cruise",))
    voyages = await reservations.list_voyages(db, tid)
    for voyage in voyages:
        _, calls = await service.itinerary(db, tid, voyage.id)
        assert [c.port for c in calls][:2] == ["重庆朝天门", "丰都"]
        assert calls[-1].port == "宜昌"
    devices = await service.list_devices(db, tid)
    units = {u.id: u for u in await reservations.list_units(db, tid)}
    today = [v for v in voyages if v.depart_on == clock.today()]
    assert devices and {units[d.unit_id].voyage_id for d in devices} == {today[0].id}


async def test_the_demo_path_pairs_a_browser_in_development_only(client, db, settings, monkeypatch):
    owner, tid = await _hotel(db)
    room = (await service.list_devices(db, tid))[0].unit_number
    url = f"/terminal/{owner.tenant.slug}/demo/{room}"
    assert (await client.get(url, follow_redirects=False)).status_code == 404
    monkeypatch.setattr(settings, "env", "development")
    opened = await client.get(url, follow_redirects=False)
    assert opened.status_code == 303 and "zhilv_terminal=" in opened.headers["set-cookie"]
    home = await client.get("/terminal")
    assert home.status_code == 200 and "欢迎" in home.text and f"{room} 房" in home.text
    missing = await client.get(f"/terminal/{owner.tenant.slug}/demo/9999", follow_redirects=False)
    assert missing.status_code == 404
