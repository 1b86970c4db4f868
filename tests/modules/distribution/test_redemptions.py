"""Redemptions: a hotel check-in, a first boarding, an online spa ticket admitted — each
through its own module's service — mark the distribution order behind the reservation
redeemed once and send the distributor a signed `order.redeemed` callback."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy import select

from app import clock, events
from app.actor import SYSTEM, Actor
from app.db.engine import TenantId, bind_tenant
from devtools.webhook_receiver import Receiver
from modules.distribution.models import Callback, DistributionOrder
from modules.distribution.service import EVENT_HANDLERS, callbacks, delivery
from modules.distribution.service.redemptions import redeem
from tenants.models import Tenant
from tests.factories.distribution import make_agreement, make_distributor, make_order, make_product
from tests.factories.tenants import make_staff, make_tenant


@pytest.fixture(autouse=True)
def _subscribed() -> None:
    events.subscribe_all(EVENT_HANDLERS)  # as the composition root does


async def _distributed(db, settings, tenant: Tenant, reservation_id: uuid.UUID):
    """An OTA's order whose reservation is `reservation_id`, and the OTA's receiver."""
    tid = TenantId(tenant.id)
    secret = callbacks.new_secret()
    ota = await make_distributor(db, tenant=tenant, callback_url="https://ota.example.test/h")
    ota.callback_secret_sealed = callbacks.seal_secret(settings, tid, ota.id, secret)
    agreement = await make_agreement(db, tenant=tenant, distributor=ota)
    product = await make_product(db, tenant=tenant, agreement=agreement)
    order = await make_order(db, tenant=tenant, product=product, reservation_id=reservation_id)
    return order, Receiver(secret=secret, clock=lambda: clock.now().timestamp())


async def _told(db, settings, tid: TenantId, order: DistributionOrder, receiver: Receiver) -> str:
    """Delivers the order's redeemed callback to the receiver; what the partner now knows."""
    await bind_tenant(db, tid)
    (cb,) = (
        await db.execute(
            select(Callback).where(
                Callback.order_id == order.id, Callback.event_type == "order.redeemed"
            )
        )
    ).scalars()

    @asynccontextmanager
    async def bound() -> AsyncIterator[tuple[Any, TenantId]]:
        yield db, tid

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver)) as http:
        assert await delivery.deliver(bound, settings, cb.id, http=http) == "delivered"
    return receiver.orders[order.number].state


async def _order_now(db, order: DistributionOrder) -> DistributionOrder:
    await db.refresh(order)
    return order


class TestCheckIn:
    async def test_checking_the_guest_in_redeems_the_order_and_tells_the_distributor(
        self, db, settings
    ):
        from modules.frontdesk import service as frontdesk
        from tests.factories.frontdesk import TZ, arriving_today

        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        r = await arriving_today(db, tenant=owner.tenant)
        order, receiver = await _distributed(db, settings, owner.tenant, r.id)
        room = (await frontdesk.check_in_options(db, tid, r.id, tz=TZ)).suggestions[0].unit
        await frontdesk.check_in(db, tid, r.id, unit_id=room.id, actor=frontdesk.Actor(), tz=TZ)
        order = await _order_now(db, order)
        assert order.status == "redeemed" and order.redeemed_at is not None
        assert await _told(db, settings, tid, order, receiver) == "redeemed"
        assert receiver.orders[order.number].events == ["order.redeemed"]
        (cb,) = (await db.execute(select(Callback).where(Callback.order_id == order.id))).scalars()
        assert cb.payload["data"]["redeemed_by"] == "check_in"
        assert cb.payload["data"]["order_id"] == str(order.id)

    async def test_a_second_redemption_changes_nothing(self, db, settings):
        from tests.factories.frontdesk import arriving_today

        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        r = await arriving_today(db, tenant=owner.tenant)
        order, _ = await _distributed(db, settings, owner.tenant, r.id)
        assert await redeem(db, tid, r.id, "check_in") is True
        assert await redeem(db, tid, r.id, "check_in") is False
        rows = (await db.execute(select(Callback).where(Callback.order_id == order.id))).all()
        assert len(rows) == 1

    async def test_a_reservation_sold_directly_is_no_distribution_business(self, db, settings):
        from tests.factories.frontdesk import arriving_today

        owner = await make_tenant(db)
        r = await arriving_today(db, tenant=owner.tenant)
        assert await redeem(db, TenantId(owner.tenant.id), r.id, "check_in") is False
        assert (await db.execute(select(Callback))).first() is None


_seqs = itertools.count(1)


class TestBoarding:
    async def test_the_first_boarding_redeems_the_cabin_order(self, db, settings):
        from modules.boarding.service import issue_passes
        from modules.boarding.service.gangway import record_scan
        from tests.factories.boarding import first_call, make_boarding_voyage, make_passenger

        owner = await make_tenant(db, kinds=("cruise",), name="长江壹号游轮")
        tid = TenantId(owner.tenant.id)
        voyage = await make_boarding_voyage(db, tenant=owner.tenant, days_ahead=0)
        passenger = await make_passenger(
            db, tenant=owner.tenant, voyage=voyage, id_number="500103199003071234"
        )
        order, receiver = await _distributed(db, settings, owner.tenant, passenger.reservation_id)
        (issued,) = await issue_passes(db, tid, [passenger.id], reason="test")
        call = await first_call(db, voyage)

        async def scan(direction: str) -> Any:
            return await record_scan(
                db,
                tid,
                code=issued.code,
                voyage_id=voyage.id,
                port_call_id=call.id,
                direction=direction,
                device_id="gate-1",
                device_seq=next(_seqs),
                scanned_at=None,
                actor=SYSTEM,
            )

        with time_machine.travel(voyage.boarding_opens_at + timedelta(minutes=10), tick=True):
            assert (await scan("embark")).accepted
            await scan("disembark")
            assert (await scan("embark")).accepted  # back aboard: not a second redemption
            order = await _order_now(db, order)
            assert order.status == "redeemed"
            assert await _told(db, settings, tid, order, receiver) == "redeemed"


class TestAdmission:
    async def test_admitting_an_online_ticket_redeems_its_order(self, db, settings):
        from modules.keytags import service as keytags
        from modules.keytags.schemas.desk import AdmissionInput, PersonInput
        from modules.payments import service as payments
        from modules.reservations import service as reservations
        from tests.factories.keytags import make_ticket_type

        resort = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
        tid = TenantId(resort.tenant.id)
        await bind_tenant(db, tid)
        desk = await make_staff(db, tenant=resort.tenant, role="cashier")
        await reservations.create_rate_plan(
            db,
            tid,
            reservations.RatePlanInput(
                "rack", "门市价", free_cancel_hours=0, cancel_fee_kind="none"
            ),
        )
        ticket = await make_ticket_type(db, tenant=resort.tenant, sold_online=True)
        await keytags.sync_online_ticket(db, tid, ticket)
        [held] = await keytags.buy_tickets(
            db, tid, day=clock.today(), counts={ticket.id: 1}, name="王芳", phone="13800138000"
        )
        await payments.record_manual_payment(
            db,
            tid,
            subject_type=reservations.RESERVATION,
            subject_id=held.id,
            amount_fen=held.total_fen,
            method="cash",
            kind="prepayment",
        )
        order, receiver = await _distributed(db, settings, resort.tenant, held.id)
        r = await reservations.get_reservation(db, tid, held.id)
        admission = AdmissionInput(
            persons=(PersonInput(ticket_type_id=ticket.id, qr_wristband=True),),
            source="online",
            code=r.code,
        )
        await keytags.open_party(db, tid, admission, actor=Actor(user_id=desk.user.id, name="前台"))
        order = await _order_now(db, order)
        assert order.status == "redeemed"
        assert await _told(db, settings, tid, order, receiver) == "redeemed"
