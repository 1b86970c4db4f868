"""Issue 12 follow-ups a guest or a manager relies on: the pay step of a day ticket speaks of
tickets and the visit date (not a room), a renamed ticket type is sold under its new name, and
the resort's address and phone (its settings) are on the day tickets and the exit receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db.engine import TenantId, bind_tenant
from modules.keytags import service
from modules.reservations import service as reservations
from tests.factories.keytags import make_tag, make_ticket_type, make_visit
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import sign_in
from tests.modules.keytags.test_exit import pdf_text

ADDRESS, PHONE = "重庆市北碚区缙云山路 1 号", "023-6822 8888"


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    await reservations.create_rate_plan(
        db,
        TenantId(owner.tenant.id),
        reservations.RatePlanInput("rack", "门市价", free_cancel_hours=0, cancel_fee_kind="none"),
    )
    return owner


async def _on_sale(db, resort, **overrides):  # type: ignore[no-untyped-def]
    ticket = await make_ticket_type(
        db, tenant=resort.tenant, sold_online=True, name="成人票", **overrides
    )
    await service.sync_online_ticket(db, TenantId(resort.tenant.id), ticket)
    return ticket


async def _buy(db, resort, ticket, count=2):  # type: ignore[no-untyped-def]
    tid = TenantId(resort.tenant.id)
    day = await service.resort_today(db, tid) + timedelta(days=3)
    [order] = await service.buy_tickets(
        db, tid, day=day, counts={ticket.id: count}, name="韩梅梅", phone="13900139000"
    )
    return day, order


class TestDayTicketPayStep:
    async def test_the_pay_page_names_the_tickets_and_the_visit_date_not_a_room(
        self, db, client, resort, stripe_gateway
    ):
        ticket = await _on_sale(db, resort)
        day, order = await _buy(db, resort, ticket)
        page = await client.get(f"/book/{resort.tenant.slug}/pay/{order.id}?code={order.code}")
        assert page.status_code == 200
        assert "门票" in page.text and "2 × 成人票" in page.text
        assert "入园日期" in page.text and day.isoformat() in page.text
        assert f"{day.isoformat()} → " not in page.text  # no arrival → departure
        assert "房间" not in page.text and "客房" not in page.text
        assert "门票为您保留至" in page.text

    async def test_a_hotel_booking_still_speaks_of_its_room(self, db, client, stripe_gateway):
        from tests.factories.reservations import make_reservation

        owner = await make_tenant(db)
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
        page = await client.get(f"/book/{owner.tenant.slug}/pay/{r.id}?code={r.code}")
        assert page.status_code == 200
        assert f"{r.arrival.isoformat()} → {r.departure.isoformat()}" in page.text
        assert "入园日期" not in page.text


class TestRenamedTicket:
    async def test_a_renamed_ticket_is_sold_and_shown_under_its_new_name(self, db, resort):
        tid = TenantId(resort.tenant.id)
        ticket = await _on_sale(db, resort)
        _day, before = await _buy(db, resort, ticket, count=1)
        ticket.name = "成人温泉票（含浴衣）"
        await service.sync_online_ticket(db, tid, ticket)
        assert ticket.unit_type_id is not None
        unit_type = await reservations.get_unit_type(db, tid, ticket.unit_type_id)
        assert unit_type.name == "成人温泉票（含浴衣）"
        _day, after = await _buy(db, resort, ticket, count=1)
        assert after.unit_type_name == "成人温泉票（含浴衣）"
        earlier = await reservations.get_reservation(db, tid, before.id)
        assert earlier.unit_type_name == "成人温泉票（含浴衣）"


async def _give_address(db, resort) -> None:  # type: ignore[no-untyped-def]
    from tenants import service as tenants

    current = await tenants.tenant_settings(db, TenantId(resort.tenant.id))
    await tenants.update_tenant_settings(
        db,
        TenantId(resort.tenant.id),
        name=current.name,
        enterprise_code=current.enterprise_code,
        locale=current.locale,
        timezone=current.timezone,
        modules=current.modules,
        address=ADDRESS,
        phone=PHONE,
    )
    await bind_tenant(db, resort.tenant.id)


class TestResortAddress:
    async def test_the_day_tickets_page_gives_the_resorts_address_and_phone(
        self, db, client, resort
    ):
        ticket = await _on_sale(db, resort)
        _day, order = await _buy(db, resort, ticket)
        url = f"/book/{resort.tenant.slug}/spa/bookings/{order.id}?code={order.code}"
        before = await client.get(url)
        assert before.status_code == 200 and 'id="resort-phone"' not in before.text
        await _give_address(db, resort)
        page = await client.get(url)
        assert page.status_code == 200
        assert ADDRESS in page.text and PHONE in page.text
        assert 'href="tel:023-68228888"' in page.text

    async def test_the_exit_receipt_prints_the_address_and_phone(self, db, client, resort):
        await _give_address(db, resort)
        cashier = await make_staff(db, tenant=resort.tenant, role="cashier")
        await bind_tenant(db, resort.tenant.id)
        await sign_in(client, cashier)
        tag = await make_tag(db, tenant=resort.tenant, uid="04A1C0FFEF")
        visit = await make_visit(db, tenant=resort.tenant, tag=tag, guest_name="王芳")
        receipt = await client.get(f"/console/keytags/visits/{visit.id}/receipt.pdf")
        assert receipt.status_code == 200
        printed = " ".join(pdf_text(receipt.content).split())
        assert "缙云山路 1 号" in printed and "023-6822 8888" in printed
