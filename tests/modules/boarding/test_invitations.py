"""Pre-check-in invitations: from 72 hours before sailing the lead passenger of a confirmed
cabin booking gets one SMS with the pre-check-in link; a held booking, a voyage further out
and a lead already invited get none."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.notifications.models import OutboundMessage
from modules.boarding import service
from modules.boarding.service.invitations import INVITATION_PURPOSE
from tests.factories.boarding_booking import couple, make_voyage_on_sale, person
from tests.factories.tenants import make_tenant


@pytest.fixture
async def tenant(db):  # type: ignore[no-untyped-def]
    return (await make_tenant(db, kinds=("cruise",), name="重庆峡韵长江三峡游轮")).tenant


async def _invitations(db) -> list[OutboundMessage]:  # type: ignore[no-untyped-def]
    found = await db.execute(
        select(OutboundMessage).where(OutboundMessage.purpose == INVITATION_PURPOSE)
    )
    return list(found.scalars())


async def _book(db, sale, passengers=None, **kw):  # type: ignore[no-untyped-def]
    return await service.book_cabin(
        db,
        sale.tenant_id,
        voyage_id=sale.voyage.id,
        unit_type_id=sale.grade.id,
        passengers=passengers or couple(),
        source="booking_page",
        **kw,
    )


class TestCheckinInvitations:
    async def test_the_lead_of_a_confirmed_cabin_gets_the_link_once(self, db, tenant):
        soon = await make_voyage_on_sale(db, tenant=tenant, days_ahead=2)
        booked = await _book(db, soon)
        waiting = [person("王芳", date(1975, 8, 1), seq="226", phone="13900139000")]
        await _book(db, soon, waiting, hold_minutes=20)  # still waiting for its payment

        assert await service.send_checkin_invitations(db, soon.tenant_id) == 1
        assert await service.send_checkin_invitations(db, soon.tenant_id) == 0

        (sms,) = await _invitations(db)
        assert sms.channel == "sms"
        assert sms.recipient == "13800138000"
        assert service.checkin_url(tenant.id, booked.reservation.id) in sms.body
        assert soon.voyage.number in sms.body
        assert "张伟" in sms.body and "朝天门" in sms.body

    async def test_a_voyage_more_than_72_hours_away_is_not_invited_yet(self, db, tenant):
        later = await make_voyage_on_sale(db, tenant=tenant, days_ahead=10)
        await _book(db, later)
        assert await service.send_checkin_invitations(db, later.tenant_id) == 0
        assert await _invitations(db) == []
