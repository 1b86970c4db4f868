"""The cabin terminal's itinerary follows the purser's port calls when the voyage is boarding's."""

from __future__ import annotations

from datetime import time, timedelta

from app import clock
from modules.boarding import service
from modules.reservations import service as reservations
from modules.terminals import service as terminals
from tenants.models import Tenant
from tests.factories.terminals import make_device, use_terminal
from tests.modules.boarding.test_voyages_service import PRICES, line, make_plan  # noqa: F401


async def test_the_itinerary_shows_the_boarding_port_calls(db, line):  # noqa: F811
    ship = await make_plan(db, line)
    voyage = await service.create_voyage(
        db, line, ship_id=ship.id, sails_on=clock.today() + timedelta(days=9), prices=PRICES
    )
    sold, calls = await terminals.cabin_itinerary(db, line, voyage.id)
    assert sold.id == voyage.id
    assert [c.port for c in calls] == ["朝天门", "丰都", "忠县", "万州", "奉节", "巫山", "宜昌"]
    assert (calls[0].day_no, calls[0].depart_time, calls[0].arrive_time) == (1, time(21), None)
    assert (calls[1].day_no, calls[1].arrive_time) == (2, time(8))
    assert calls[-1].day_no == 4 and calls[-1].depart_time is None


async def test_a_cabin_terminal_shows_the_pursers_port_calls(db, client, line):  # noqa: F811
    ship = await make_plan(db, line)
    voyage = await service.create_voyage(
        db, line, ship_id=ship.id, sails_on=clock.today() + timedelta(days=9), prices=PRICES
    )
    [cabin, *_] = [u for u in await reservations.list_units(db, line) if u.voyage_id == voyage.id]
    tenant = await db.get(Tenant, line)
    use_terminal(client, await make_device(db, tenant=tenant, unit_id=cabin.id))
    home = await client.get("/terminal")
    assert 'data-tile="itinerary"' in home.text
    page = await client.get("/terminal/itinerary")
    assert page.status_code == 200
    assert "朝天门" in page.text and "上岸游览丰都鬼城" in page.text and "08:00 抵达" in page.text
