"""The voyages console and API over HTTP: pages in Chinese, forms refusing bad input with
field messages, another line's ids not found, the gate's voyage list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.boarding import service
from modules.boarding.domain import VoyageStatus
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in
from tests.modules.boarding.test_voyages_service import PRICES, make_plan


@pytest.fixture
async def owner(db):
    return await make_tenant(db, kinds=("cruise",), name="测试游轮公司")


@pytest.fixture
async def tid(db, owner):
    await bind_tenant(db, owner.tenant.id)
    return TenantId(owner.tenant.id)


@pytest.fixture
async def signed_in(client, owner):
    await sign_in(client, owner)
    return client


async def _voyage(db, tid, days=10):
    ship = await make_plan(db, tid)
    return await service.create_voyage(
        db, tid, ship_id=ship.id, sails_on=clock.today() + timedelta(days=days), prices=PRICES
    )


class TestPages:
    async def test_the_list_and_the_voyage_page_are_in_chinese(self, db, tid, signed_in):
        voyage = await _voyage(db, tid)
        page = await signed_in.get("/console/boarding?when=all")
        assert page.status_code == 200
        assert "航次" in page.text and voyage.number in page.text and "0 / 6" in page.text
        page = await signed_in.get(f"/console/boarding/voyages/{voyage.id}")
        assert page.status_code == 200
        assert "朝天门" in page.text and "宜昌" in page.text and "开始登船" in page.text
        assert "18:00–20:30" in page.text

    async def test_an_arrived_voyage_shows_its_bureau_report_and_the_owner_finds_the_keys(
        self, db, tid, signed_in
    ):
        voyage = await _voyage(db, tid, days=0)
        for step in ("boarding", "sailing", "arrived"):
            await service.move_voyage(db, tid, voyage.id, step)
        page = await signed_in.get(f"/console/boarding/voyages/{voyage.id}")
        assert "航次统计报表" in page.text and "尚未报送" in page.text
        assert f"/console/boarding/voyages/{voyage.id}/aboard" in page.text
        listing = await signed_in.get("/console/boarding?when=all")
        assert "/console/boarding/keys" in listing.text

    async def test_the_ship_pages_show_the_plan(self, db, tid, signed_in):
        ship = await make_plan(db, tid)
        assert "世纪神话" in (await signed_in.get("/console/boarding/ships")).text
        page = await signed_in.get(f"/console/boarding/ships/{ship.id}")
        assert page.status_code == 200 and "A-201" in page.text and "标准阳台房" in page.text

    async def test_the_navigation_shows_voyages(self, signed_in):
        page = await signed_in.get("/console/boarding")
        assert 'href="/console/boarding"' in page.text

    async def test_front_desk_cannot_create_or_cancel(self, db, owner, tid, client):
        voyage = await _voyage(db, tid)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/boarding")).status_code == 200
        assert (await client.get("/console/boarding/voyages/new")).status_code == 403
        answer = await form_post(
            client, f"/console/boarding/voyages/{voyage.id}/cancel", {"reason": "x"}
        )
        assert answer.status_code == 403


class TestForms:
    async def test_a_voyage_is_created_from_the_form(self, db, tid, signed_in):
        ship = await make_plan(db, tid)
        day = clock.today() + timedelta(days=20)
        answer = await form_post(
            signed_in,
            "/console/boarding/voyages",
            {
                "ship_id": str(ship.id),
                "sails_on": day.isoformat(),
                "direction": "downstream",
                "prefix": "CJ",
                "boarding_opens": "18:00",
                "boarding_closes": "20:30",
                "sails": "21:00",
                "price_STD-BAL": "1580",
                "price_EXEC": "3280.50",
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        [voyage] = await service.list_voyages(db, tid)
        assert voyage.number == f"CJ{day:%Y%m%d}A"

    async def test_bad_input_answers_422_with_field_messages(self, db, tid, signed_in):
        ship = await make_plan(db, tid)
        answer = await form_post(
            signed_in,
            "/console/boarding/voyages",
            {
                "ship_id": str(ship.id),
                "sails_on": "2026-13-40",
                "boarding_opens": "25:00",
                "price_STD-BAL": "abc",
            },
        )
        assert answer.status_code == 422
        assert "请按 2026-12-24 的格式填写日期" in answer.text or "2026-12-24" in answer.text
        assert "18:00" in answer.text
        assert await service.list_voyages(db, tid) == []
        answer = await form_post(
            signed_in, "/console/boarding/ships", {"code": "x y", "decks": "²"}
        )
        assert answer.status_code == 422

    async def test_a_missing_price_is_named(self, db, tid, signed_in):
        ship = await make_plan(db, tid)
        answer = await form_post(
            signed_in,
            "/console/boarding/voyages",
            {
                "ship_id": str(ship.id),
                "sails_on": (clock.today() + timedelta(days=20)).isoformat(),
                "direction": "downstream",
                "prefix": "CJ",
                "boarding_opens": "18:00",
                "boarding_closes": "20:30",
                "sails": "21:00",
                "price_STD-BAL": "1580",
            },
        )
        assert answer.status_code == 422
        assert await service.list_voyages(db, tid) == []

    async def test_status_moves_and_refusals(self, db, tid, signed_in):
        voyage = await _voyage(db, tid)
        base = f"/console/boarding/voyages/{voyage.id}"
        answer = await form_post(signed_in, f"{base}/status", {"status": "arrived"})
        assert answer.status_code == 409
        answer = await form_post(signed_in, f"{base}/cancel", {"reason": ""})
        assert answer.status_code == 422
        answer = await form_post(
            signed_in, f"{base}/status", {"status": "boarding"}, follow_redirects=False
        )
        assert answer.status_code == 303
        assert (await service.get_voyage(db, tid, voyage.id)).status == VoyageStatus.BOARDING

    async def test_port_times_and_crew(self, db, tid, signed_in):
        voyage = await _voyage(db, tid)
        call = voyage.port_calls[1]
        base = f"/console/boarding/voyages/{voyage.id}"
        answer = await form_post(
            signed_in, f"{base}/port-calls/{call.id}", {"event": "arrived", "at": "yesterday"}
        )
        assert answer.status_code == 422
        answer = await form_post(
            signed_in,
            f"{base}/port-calls/{call.id}",
            {
                "event": "arrived",
                "at": call.arrives_at.astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M"),
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303
        answer = await form_post(
            signed_in, f"{base}/crew", {"name": "王强", "role": "captain", "id_number": "123"}
        )
        assert answer.status_code == 422
        answer = await form_post(
            signed_in,
            f"{base}/crew",
            {"name": "王强", "role": "captain", "id_number": "500103199003071239"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert "王强" in (await signed_in.get(base)).text


class TestIsolationAndApi:
    async def test_another_lines_voyage_answers_404(self, db, tid, client):
        voyage = await _voyage(db, tid)
        other = await make_tenant(db, kinds=("cruise",))
        await sign_in(client, other)
        assert (await client.get(f"/console/boarding/voyages/{voyage.id}")).status_code == 404
        assert (await client.get(f"/console/boarding/ships/{voyage.ship_id}")).status_code == 404

    async def test_a_gate_lists_the_voyages_sailing_on_a_day(self, db, owner, tid, client):
        voyage = await _voyage(db, tid)
        _, token = await make_api_key(db, owner.tenant, scopes={"boarding:scan"})
        headers = {"authorization": f"Bearer {token}"}
        day = voyage.depart_on.isoformat()
        answer = await client.get(f"/api/v1/boarding/voyages?sails_on={day}", headers=headers)
        assert answer.status_code == 200, answer.text
        [found] = answer.json()
        assert found["number"] == voyage.number
        assert found["port_calls"][0]["port_name"] == "朝天门"
        answer = await client.get("/api/v1/boarding/voyages?sails_on=bad", headers=headers)
        assert answer.status_code == 422
        answer = await client.get(f"/api/v1/boarding/voyages/{voyage.id}", headers=headers)
        assert answer.status_code == 200


class TestInventoryPage:
    async def test_a_hotels_inventory_shows_no_voyages(self, db, client):
        hotel = await make_tenant(db, kinds=("hotel",))
        await sign_in(client, hotel)
        page = await client.get("/console/inventory")
        assert page.status_code == 200
        assert "/console/boarding" not in page.text and "航次" not in page.text

    async def test_a_cruise_lines_inventory_lists_voyages_and_points_to_the_console(
        self, db, tid, signed_in
    ):
        voyage = await _voyage(db, tid)
        page = await signed_in.get("/console/inventory")
        assert page.status_code == 200
        assert voyage.number in page.text
        assert 'href="/console/boarding/voyages/new"' in page.text
        assert 'action="/console/inventory/voyages"' not in page.text
