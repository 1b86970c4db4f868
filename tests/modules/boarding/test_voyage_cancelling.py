"""Calling off a voyage: every cabin booked on it is cancelled with no fee and refunded in
full, its passes stop working, and each lead passenger gets an SMS with the reason."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app import clock
from app.notifications.models import OutboundMessage
from modules.boarding import service
from modules.boarding.service.cancelling import CANCEL_SMS_PURPOSE
from modules.reservations import service as reservations
from tests.factories.boarding_booking import couple, make_voyage_on_sale, person
from tests.factories.tenants import make_tenant


@pytest.fixture
async def tenant(db):  # type: ignore[no-untyped-def]
    return (await make_tenant(db, kinds=("cruise",), name="重庆峡韵长江三峡游轮")).tenant


async def test_a_cancelled_voyage_cancels_its_cabins_free_and_tells_each_lead(db, tenant):
    sale = await make_voyage_on_sale(db, tenant=tenant)
    first = await service.book_cabin(
        db,
        sale.tenant_id,
        voyage_id=sale.voyage.id,
        unit_type_id=sale.grade.id,
        passengers=couple(),
        source="booking_page",
    )
    second = await service.book_cabin(
        db,
        sale.tenant_id,
        voyage_id=sale.voyage.id,
        unit_type_id=sale.grade.id,
        passengers=[person("王芳", date(1975, 8, 1), seq="226", phone="13900139000")],
        source="front_desk",
    )
    passes = await service.issue_passes(
        db, sale.tenant_id, [p.id for p in first.passengers], reason="test"
    )

    await service.move_voyage(
        db, sale.tenant_id, sale.voyage.id, "cancelled", reason="长江水位过低"
    )

    for booking in (first, second):
        r = await reservations.get_reservation(db, sale.tenant_id, booking.reservation.id)
        assert (r.status, r.cancellation_fee_fen) == ("cancelled", 0)
        people = await service.passengers_of_reservation(db, sale.tenant_id, r.id)
        assert {p.status for p in people} == {"cancelled"}
    check = await service.verify_code(db, sale.tenant_id, passes[0].code, at=clock.now())
    assert check.reason == "revoked"
    sent = (
        await db.execute(
            select(OutboundMessage).where(OutboundMessage.purpose == CANCEL_SMS_PURPOSE)
        )
    ).scalars()
    by_phone = {m.recipient: m.body for m in sent}
    assert set(by_phone) == {"13800138000", "13900139000"}
    assert "长江水位过低" in by_phone["13800138000"]
    assert first.reservation.code in by_phone["13800138000"]
