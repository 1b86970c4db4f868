"""The hotel's booking page sells rooms only: a hot spring's day tickets and a voyage's cabins
share the reservations inventory, but a hand-made address naming one of them books nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from modules.frontdesk import service
from tests.factories.frontdesk import hotel_today
from tests.factories.reservations import make_rate_plan, make_stock
from tests.helpers import form_post
from tests.modules.frontdesk.test_booking import guest_form, query


@pytest.fixture
async def stocks(db, owner):  # type: ignore[no-untyped-def]
    plan = await make_rate_plan(db, tenant=owner.tenant, code="rack")
    room = await make_stock(db, tenant=owner.tenant, start=hotel_today(), plan=plan)
    ticket = await make_stock(
        db, tenant=owner.tenant, start=hotel_today(), plan=plan, kind="admission", name="成人票"
    )
    cabin = await make_stock(
        db, tenant=owner.tenant, start=hotel_today(), plan=plan, kind="cabin", name="标准舱"
    )
    return room, ticket, cabin


async def _held(db) -> int:  # type: ignore[no-untyped-def]
    return int(await db.scalar(text("SELECT count(*) FROM reservations")))


async def test_the_search_offers_the_rooms_only(db, owner, stocks):
    room, _ticket, _cabin = stocks
    q = service.parse_query(**query(room), today=hotel_today())
    offers = await service.booking_search(db, room.tenant_id, q)
    assert {o.unit_type_id for o in offers} == {room.unit_type.id}


async def test_a_hand_made_address_naming_a_day_ticket_or_a_cabin_books_nothing(
    db, owner, client, stocks
):
    room, ticket, cabin = stocks
    for other in (ticket, cabin):
        form = guest_form(room, unit_type_id=str(other.unit_type.id))
        answer = await form_post(client, f"/book/{owner.tenant.slug}/details", form)
        assert answer.status_code != 303, answer.headers.get("location")
        assert await _held(db) == 0
    answer = await form_post(client, f"/book/{owner.tenant.slug}/details", guest_form(room))
    assert answer.status_code == 303  # the room itself still books
    assert await _held(db) == 1


async def test_the_confirmation_gives_the_hotels_address_and_phone(db, owner, client, stocks):
    from app.db.engine import TenantId, bind_tenant
    from tenants import service as tenants
    from tests.factories.reservations import make_reservation
    from tests.modules.frontdesk.conftest import pdf_text

    room, _ticket, _cabin = stocks
    tid = TenantId(owner.tenant.id)
    current = await tenants.tenant_settings(db, tid)
    await tenants.update_tenant_settings(
        db,
        tid,
        name=current.name,
        enterprise_code=current.enterprise_code,
        locale=current.locale,
        timezone=current.timezone,
        modules=current.modules,
        address="重庆市渝中区解放碑民族路 188 号",
        phone="023-6380 1234",
    )
    await bind_tenant(db, owner.tenant.id)
    r = await make_reservation(db, tenant=owner.tenant, stock=room)
    base = f"/book/{owner.tenant.slug}/reservations/{r.id}"
    page = await client.get(f"{base}?code={r.code}")
    assert page.status_code == 200
    assert "重庆市渝中区解放碑民族路 188 号" in page.text and "023-6380 1234" in page.text
    pdf = await client.get(f"{base}/confirmation.pdf?code={r.code}")
    printed = " ".join(pdf_text(pdf.content).split())
    assert "民族路 188 号" in printed and "023-6380 1234" in printed
