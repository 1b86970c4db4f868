"""Paying for reservations: the pay step, the booking's payment state, refunds on
cancellation, and money that arrives for a hold that already lapsed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from app import clock
from app.db.engine import TenantId
from app.errors import NotFound
from modules.payments import service
from modules.reservations import service as reservations
from tests.factories.reservations import make_rate_plan, make_reservation, make_stock
from tests.factories.tenants import make_tenant
from tests.stripe_fixtures import card_token


@pytest.fixture
async def owner(db):  # type: ignore[no-untyped-def]
    return await make_tenant(db)


async def _pay(db, tid, r, url):  # type: ignore[no-untyped-def]
    page = await reservations.pay_page(db, tid, r.id, r.code)
    assert page.start is not None
    result = await reservations.guest_card(
        db, tid, r.id, r.code, payment_id=page.start.payment_id, token=card_token(url)
    )
    assert result.status == "succeeded"
    return page


async def _send_refunds(db, tid):  # type: ignore[no-untyped-def]
    rows = await db.execute(
        text(
            "SELECT args FROM procrastinate_jobs WHERE task_name = 'payments.send_refund' ORDER BY id"
        )
    )
    return [await service.send_refund(db, tid, uuid.UUID(r.args["refund_id"])) for r in rows]


class TestPayStep:
    async def test_paying_a_held_booking_confirms_it_and_records_the_money(
        self, db, owner, stripe_gateway, stripe_emulator
    ):
        tid = TenantId(owner.tenant.id)
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
        assert (r.status, r.payment_state) == ("held", "unpaid")
        page = await _pay(db, tid, r, stripe_emulator)
        assert (page.kind, page.start.amount_fen) == ("prepayment", r.total_fen)
        after = await reservations.get_reservation(db, tid, r.id)
        assert (after.status, after.payment_state, after.paid_fen) == (
            "confirmed",
            "paid",
            r.total_fen,
        )

    async def test_a_plan_with_a_deposit_asks_for_the_deposit_only(
        self, db, owner, stripe_gateway, stripe_emulator
    ):
        tid = TenantId(owner.tenant.id)
        plan = await make_rate_plan(db, tenant=owner.tenant, deposit_kind="first_night")
        stock = await make_stock(db, tenant=owner.tenant, plan=plan)
        r = await make_reservation(db, tenant=owner.tenant, stock=stock, hold=True, nights=3)
        assert 0 < r.deposit_fen < r.total_fen
        page = await _pay(db, tid, r, stripe_emulator)
        assert (page.kind, page.start.amount_fen) == ("deposit", r.deposit_fen)
        after = await reservations.get_reservation(db, tid, r.id)
        assert (after.status, after.payment_state) == ("confirmed", "deposit_paid")
        assert after.balance_fen == r.total_fen - r.deposit_fen

    async def test_the_link_alone_shows_nothing_without_the_booking_code(
        self, db, owner, stripe_gateway
    ):
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
        with pytest.raises(NotFound):
            await reservations.pay_page(db, TenantId(owner.tenant.id), r.id, "WRONG")

    async def test_nothing_is_due_online_once_paid(
        self, db, owner, stripe_gateway, stripe_emulator
    ):
        tid = TenantId(owner.tenant.id)
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
        await _pay(db, tid, r, stripe_emulator)
        assert (await reservations.pay_page(db, tid, r.id, r.code)).start is None

    async def test_desk_payments_count_toward_the_booking_too(self, db, owner):
        tid = TenantId(owner.tenant.id)
        r = await make_reservation(db, tenant=owner.tenant)
        await service.record_manual_payment(
            db, tid, subject_type="reservation", subject_id=r.id, amount_fen=10_000, method="alipay"
        )
        after = await reservations.get_reservation(db, tid, r.id)
        assert (after.payment_state, after.paid_fen) == ("deposit_paid", 10_000)


class TestCancellation:
    async def test_cancelling_gives_back_what_was_paid_beyond_the_fee(
        self, db, owner, stripe_gateway, stripe_emulator
    ):
        tid = TenantId(owner.tenant.id)
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
        await _pay(db, tid, r, stripe_emulator)
        cancellation, refunded = await reservations.cancel_and_refund(db, tid, r.id, reason="行程变更")
        assert cancellation.fee_fen == 0  # a month ahead: free cancellation
        assert refunded == r.total_fen
        assert await _send_refunds(db, tid) == ["succeeded"]
        after = await reservations.get_reservation(db, tid, r.id)
        assert (after.status, after.payment_state, after.paid_fen) == ("cancelled", "refunded", 0)

    async def test_a_late_cancellation_keeps_the_fee(
        self, db, owner, stripe_gateway, stripe_emulator
    ):
        tid = TenantId(owner.tenant.id)
        # Arriving tomorrow under a plan free only until 72 hours before arrival: late
        # whatever the hour (UTC or China time) the suite runs at.
        plan = await make_rate_plan(db, tenant=owner.tenant, free_cancel_hours=72)
        start = clock.today() + timedelta(days=1)
        stock = await make_stock(db, tenant=owner.tenant, start=start, plan=plan)
        r = await make_reservation(db, tenant=owner.tenant, stock=stock, hold=True, nights=2)
        await _pay(db, tid, r, stripe_emulator)
        cancellation, refunded = await reservations.cancel_and_refund(db, tid, r.id, reason="x")
        assert cancellation.fee_fen > 0
        assert refunded == r.total_fen - cancellation.fee_fen
        await _send_refunds(db, tid)
        after = await reservations.get_reservation(db, tid, r.id)
        assert (after.payment_state, after.paid_fen) == ("partially_refunded", cancellation.fee_fen)


class TestLapsedHold:
    async def test_money_for_a_lapsed_hold_whose_room_sold_meanwhile_is_given_back(
        self, db, owner, stripe_gateway, stripe_emulator
    ):
        tid = TenantId(owner.tenant.id)
        stock = await make_stock(db, tenant=owner.tenant, units=1)
        r = await make_reservation(db, tenant=owner.tenant, stock=stock, hold=True)
        page = await reservations.pay_page(db, tid, r.id, r.code)
        await reservations.expire_holds(db, tid, now=clock.now() + timedelta(hours=1))
        await make_reservation(db, tenant=owner.tenant, stock=stock)  # the last room goes
        result = await reservations.guest_card(
            db,
            tid,
            r.id,
            r.code,
            payment_id=page.start.payment_id,
            token=card_token(stripe_emulator),
        )
        assert result.status == "succeeded"
        assert await _send_refunds(db, tid) == ["succeeded"]
        after = await reservations.get_reservation(db, tid, r.id)
        assert (after.status, after.payment_state, after.paid_fen) == ("expired", "refunded", 0)


class TestCancelFromTheConsoleAndApi:
    async def test_staff_cancelling_in_the_console_refunds_the_card_payment(
        self, client, db, owner, stripe_gateway, stripe_emulator
    ):
        from tests.helpers import form_post, sign_in

        tid = TenantId(owner.tenant.id)
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
        await _pay(db, tid, r, stripe_emulator)
        await sign_in(client, owner)
        response = await form_post(
            client,
            f"/console/reservations/{r.id}/cancel",
            {"reason": "客人行程变更"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert await _send_refunds(db, tid) == ["succeeded"]
        after = await reservations.get_reservation(db, tid, r.id)
        assert (after.status, after.payment_state, after.paid_fen) == ("cancelled", "refunded", 0)
