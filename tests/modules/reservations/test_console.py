"""Console pages: staff book at the desk, change and cancel; managers set up types,
rooms, rate plans and the calendar. Bad input answers 422 with the form kept."""

from __future__ import annotations

from datetime import timedelta

from app.db.engine import TenantId
from modules.reservations import service
from tests.factories.reservations import make_reservation, make_stock
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


async def _desk(client, db, role="front_desk"):
    owner = await make_tenant(db, name="解放碑酒店")
    stock = await make_stock(db, tenant=owner.tenant, units=2)
    staff = await make_staff(db, tenant=owner.tenant, role=role)
    await sign_in(client, staff)
    return owner, stock


class TestBookingAtTheDesk:
    async def test_front_desk_sees_offers_and_books(self, client, db):
        _owner, stock = await _desk(client, db)
        page = await client.get("/console/reservations/new")
        assert page.status_code == 200
        offers = await client.get(
            "/console/reservations/offers",
            params={
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=2)).isoformat(),
                "adults": "2",
                "rate_plan": stock.plan.code,
            },
        )
        assert "高级大床房" in offers.text
        assert "¥1,376.00" in offers.text
        response = await form_post(
            client,
            "/console/reservations",
            {
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=2)).isoformat(),
                "adults": "2",
                "children": "0",
                "rate_plan": stock.plan.code,
                "unit_type_id": str(stock.unit_type.id),
                "guest_name": "王芳",
                "guest_phone": "13698765432",
                "id_type": "resident_id",
                "id_number": "",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        detail = await client.get(response.headers["location"])
        assert "王芳" in detail.text
        assert "¥1,376.00" in detail.text

    async def test_bad_phone_keeps_the_form_with_422(self, client, db):
        _owner, stock = await _desk(client, db)
        response = await form_post(
            client,
            "/console/reservations",
            {
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=1)).isoformat(),
                "adults": "2",
                "rate_plan": stock.plan.code,
                "unit_type_id": str(stock.unit_type.id),
                "guest_name": "王芳",
                "guest_phone": "call me",
            },
        )
        assert response.status_code == 422
        assert 'value="王芳"' in response.text

    async def test_sold_out_answers_409_with_the_reason(self, client, db):
        owner, stock = await _desk(client, db)
        for _ in range(2):
            await make_reservation(db, tenant=owner.tenant, stock=stock, nights=1)
        response = await form_post(
            client,
            "/console/reservations",
            {
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=1)).isoformat(),
                "adults": "2",
                "rate_plan": stock.plan.code,
                "unit_type_id": str(stock.unit_type.id),
                "guest_name": "王芳",
                "guest_phone": "13698765432",
            },
        )
        assert response.status_code == 409
        assert "alert-error" in response.text


class TestReservationPage:
    async def test_search_finds_by_phone(self, client, db):
        owner, stock = await _desk(client, db)
        r = await make_reservation(db, tenant=owner.tenant, stock=stock)
        response = await client.get("/console/reservations", params={"q": "13800138000"})
        assert r.code in response.text

    async def test_change_dates_then_cancel(self, client, db):
        owner, stock = await _desk(client, db)
        r = await make_reservation(db, tenant=owner.tenant, stock=stock, nights=1)
        changed = await form_post(
            client,
            f"/console/reservations/{r.id}/change",
            {
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=3)).isoformat(),
                "unit_type_id": str(stock.unit_type.id),
                "adults": "2",
                "children": "0",
            },
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert (await service.get_reservation(db, owner.tenant.id, r.id)).nights == 3
        cancelled = await form_post(
            client,
            f"/console/reservations/{r.id}/cancel",
            {"reason": "行程变更"},
            follow_redirects=False,
        )
        assert cancelled.status_code == 303
        assert (await service.get_reservation(db, owner.tenant.id, r.id)).status == "cancelled"

    async def test_no_show_before_arrival_is_refused_on_the_page(self, client, db):
        owner, stock = await _desk(client, db)
        r = await make_reservation(db, tenant=owner.tenant, stock=stock)
        response = await form_post(client, f"/console/reservations/{r.id}/no-show", {})
        assert response.status_code == 409

    async def test_another_tenants_reservation_is_404(self, client, db):
        _owner, _stock = await _desk(client, db)
        other = await make_tenant(db)
        theirs = await make_reservation(db, tenant=other.tenant)
        response = await client.get(f"/console/reservations/{theirs.id}")
        assert response.status_code == 404


class TestInventorySetup:
    async def test_manager_adds_a_type_a_room_and_a_plan(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        added = await form_post(
            client,
            "/console/inventory/unit-types",
            {
                "code": "EXEC",
                "name": "行政套房",
                "kind": "room",
                "capacity": "2",
                "base_price": "1288",
            },
            follow_redirects=False,
        )
        assert added.status_code == 303, added.text
        [ut] = await service.list_unit_types(db, TenantId(owner.tenant.id))
        assert ut.base_price_fen == 128800
        room = await form_post(
            client,
            "/console/inventory/units",
            {
                "unit_type_id": str(ut.id),
                "number": "2801",
                "features": ["river_view"],
            },
            follow_redirects=False,
        )
        assert room.status_code == 303
        [unit] = await service.list_units(db, TenantId(owner.tenant.id))
        assert (unit.floor, unit.features) == (28, ("river_view",))
        plan = await form_post(
            client,
            "/console/inventory/rate-plans",
            {
                "code": "member",
                "name": "会员价",
                "kind": "member",
                "discount_percent": "12",
                "free_cancel_hours": "24",
                "cancel_fee_kind": "first_night",
                "deposit_kind": "first_night",
            },
            follow_redirects=False,
        )
        assert plan.status_code == 303
        page = await client.get("/console/inventory")
        assert "会员价" in page.text and "2801" in page.text

    async def test_duplicate_code_is_a_field_error(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        data = {"code": "STD", "name": "标准间", "kind": "room", "capacity": "2"}
        await form_post(client, "/console/inventory/unit-types", data)
        again = await form_post(client, "/console/inventory/unit-types", data)
        assert again.status_code == 422

    async def test_calendar_bulk_edit_sets_weekend_prices(self, client, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, days=14)
        await sign_in(client, owner)
        end = stock.start + timedelta(days=13)
        response = await form_post(
            client,
            "/console/inventory/calendar",
            {
                "unit_type_id": str(stock.unit_type.id),
                "start": stock.start.isoformat(),
                "end": end.isoformat(),
                "weekdays": ["5", "6"],
                "price": "888",
                "view_start": stock.start.isoformat(),
            },
            headers={"hx-request": "true"},
        )
        assert response.status_code == 200, response.text
        grid = await service.calendar(db, TenantId(owner.tenant.id), start=stock.start, days=14)
        prices = {c.day.weekday(): c.price_fen for c in grid.rows[0].cells if c}
        assert prices[5] == prices[6] == 88800
        assert prices[0] == 68800

    async def test_total_below_sold_is_refused(self, client, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, units=2)
        await make_reservation(db, tenant=owner.tenant, stock=stock, nights=1)
        await make_reservation(db, tenant=owner.tenant, stock=stock, nights=1)
        await sign_in(client, owner)
        response = await form_post(
            client,
            "/console/inventory/calendar",
            {
                "unit_type_id": str(stock.unit_type.id),
                "start": stock.start.isoformat(),
                "end": stock.start.isoformat(),
                "total": "1",
            },
            headers={"hx-request": "true"},
        )
        assert response.status_code == 422

    async def test_front_desk_cannot_open_setup(self, client, db):
        await _desk(client, db)
        response = await client.get("/console/inventory")
        assert response.status_code == 403
