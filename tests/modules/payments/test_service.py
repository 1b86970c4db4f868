"""Taking card and desk payments, and refunding them (the emulator behind the gateway)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.errors import Invalid
from modules.payments import service
from tests.stripe_fixtures import VISA_3DS, authenticate, card_token


async def _start(db, s, amount=30_000, kind="prepayment"):  # type: ignore[no-untyped-def]
    return await service.start_payment(
        db,
        s.tenant_id,
        subject_type=s.subject_type,
        subject_id=s.subject_id,
        amount_fen=amount,
        kind=kind,
        description="豪华江景双床房 2晚",
    )


async def _paid(db, s, url, amount=30_000):  # type: ignore[no-untyped-def]
    start = await _start(db, s, amount)
    result = await service.confirm_card(
        db,
        s.tenant_id,
        subject_id=s.subject_id,
        payment_id=start.payment_id,
        token=card_token(url),
    )
    assert result.status == "succeeded"
    return start


async def _jobs(db, task):  # type: ignore[no-untyped-def]
    rows = await db.execute(
        text("SELECT args FROM procrastinate_jobs WHERE task_name = :t ORDER BY id"), {"t": task}
    )
    return [r.args for r in rows]


class TestStartPayment:
    async def test_gives_the_page_what_stripe_js_needs(self, db, subject, stripe_gateway):
        start = await _start(db, subject)
        assert start.client_secret.startswith("pi_")
        assert start.publishable_key == stripe_gateway.publishable_key
        assert start.js_url.endswith("/js.stripe.com/v3/")
        [payment] = await service.payments_for(
            db, subject.tenant_id, subject.subject_type, subject.subject_id
        )
        assert (payment.status, payment.amount_fen, payment.method) == ("pending", 30_000, "card")

    async def test_reloading_the_pay_page_continues_the_same_payment(
        self, db, subject, stripe_gateway
    ):
        first = await _start(db, subject)
        again = await _start(db, subject)
        assert again.payment_id == first.payment_id
        assert again.client_secret == first.client_secret

    async def test_a_new_amount_cancels_the_open_payment_so_only_one_can_be_paid(
        self, db, subject, stripe_gateway
    ):
        first = await _start(db, subject, 30_000)
        second = await _start(db, subject, 45_000)
        assert second.payment_id != first.payment_id
        statuses = {
            p.id: p.status
            for p in await service.payments_for(
                db, subject.tenant_id, subject.subject_type, subject.subject_id
            )
        }
        assert statuses == {first.payment_id: "canceled", second.payment_id: "pending"}
        assert (
            await stripe_gateway.retrieve_intent(
                await _intent_id(db, first.payment_id), account=first.stripe_account
            )
        ).status == "canceled"

    @pytest.mark.parametrize("amount,kind", [(0, "deposit"), (-5, "deposit"), (100, "tip")])
    async def test_nonsense_is_refused_with_a_field_error(
        self, db, subject, stripe_gateway, amount, kind
    ):
        with pytest.raises(Invalid):
            await _start(db, subject, amount, kind)


async def _intent_id(db, payment_id):  # type: ignore[no-untyped-def]
    return await db.scalar(
        text("SELECT provider_intent_id FROM payments WHERE id = :i"), {"i": payment_id}
    )


class TestCardPayment:
    async def test_a_good_card_pays_at_once(self, db, subject, stripe_gateway, stripe_emulator):
        start = await _paid(db, subject, stripe_emulator)
        [payment] = await service.payments_for(
            db, subject.tenant_id, subject.subject_type, subject.subject_id
        )
        assert payment.id == start.payment_id
        assert payment.status == "succeeded" and payment.succeeded_at is not None
        assert payment.net_fen == 30_000

    async def test_a_3d_secure_card_asks_the_page_to_authenticate(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        start = await _start(db, subject)
        result = await service.confirm_card(
            db,
            subject.tenant_id,
            subject_id=subject.subject_id,
            payment_id=start.payment_id,
            token=card_token(stripe_emulator, VISA_3DS),
        )
        assert result.status == "requires_action"
        assert result.client_secret == start.client_secret

    async def test_after_authentication_the_return_reads_the_payment_back(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        start = await _start(db, subject)
        await service.confirm_card(
            db,
            subject.tenant_id,
            subject_id=subject.subject_id,
            payment_id=start.payment_id,
            token=card_token(stripe_emulator, VISA_3DS),
        )
        assert authenticate(stripe_emulator, start.client_secret)["status"] == "succeeded"
        view = await service.sync_payment(
            db, subject.tenant_id, subject_id=subject.subject_id, payment_id=start.payment_id
        )
        assert view.status == "succeeded"

    async def test_a_payment_of_another_subject_is_not_found(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        from app.db.base import uuid7
        from app.errors import NotFound

        start = await _start(db, subject)
        with pytest.raises(NotFound):
            await service.confirm_card(
                db,
                subject.tenant_id,
                subject_id=uuid7(),
                payment_id=start.payment_id,
                token=card_token(stripe_emulator),
            )


class TestDeskPayments:
    async def test_cash_counts_at_once_and_is_audited(self, db, subject):
        view = await service.record_manual_payment(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=88_800,
            method="cash",
            recorded_by=subject.owner.user.id,
        )
        assert (view.status, view.provider, view.net_fen) == ("succeeded", "manual", 88_800)
        await db.flush()
        action = await db.scalar(
            text("SELECT action FROM audit_events WHERE subject_id = :s"),
            {"s": str(subject.subject_id)},
        )
        assert action == "payments.manual"

    async def test_card_is_not_a_desk_method(self, db, subject):
        with pytest.raises(Invalid):
            await service.record_manual_payment(
                db,
                subject.tenant_id,
                subject_type=subject.subject_type,
                subject_id=subject.subject_id,
                amount_fen=100,
                method="card",
            )


class TestRefund:
    async def test_a_card_refund_is_recorded_and_sent_by_a_job(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        await _paid(db, subject, stripe_emulator)
        refunded = await service.refund(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=10_000,
            reason="guest cancelled",
        )
        assert refunded == 10_000
        [job] = await _jobs(db, "payments.send_refund")
        assert job["tenant_id"] == str(subject.tenant_id)
        [payment] = await service.payments_for(
            db, subject.tenant_id, subject.subject_type, subject.subject_id
        )
        assert payment.refunded_fen == 0 and payment.refunds[0].status == "pending"

        import uuid

        assert (
            await service.send_refund(db, subject.tenant_id, uuid.UUID(job["refund_id"]))
            == "succeeded"
        )
        [payment] = await service.payments_for(
            db, subject.tenant_id, subject.subject_type, subject.subject_id
        )
        assert payment.refunded_fen == 10_000 and payment.net_fen == 20_000
        assert payment.refunds[0].status == "succeeded"

    async def test_sending_a_refund_twice_refunds_once(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        import uuid

        await _paid(db, subject, stripe_emulator)
        await service.refund(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=5_000,
            reason="x",
        )
        [job] = await _jobs(db, "payments.send_refund")
        refund_id = uuid.UUID(job["refund_id"])
        assert await service.send_refund(db, subject.tenant_id, refund_id) == "succeeded"
        assert await service.send_refund(db, subject.tenant_id, refund_id) == "succeeded"
        [payment] = await service.payments_for(
            db, subject.tenant_id, subject.subject_type, subject.subject_id
        )
        assert payment.refunded_fen == 5_000

    async def test_never_more_than_was_paid_even_while_refunds_are_pending(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        await _paid(db, subject, stripe_emulator, amount=30_000)
        first = await service.refund(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=20_000,
            reason="a",
        )
        second = await service.refund(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=20_000,
            reason="b",
        )
        assert (first, second) == (20_000, 10_000)
        third = await service.refund(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=1,
            reason="c",
        )
        assert third == 0

    async def test_nothing_paid_nothing_refunded(self, db, subject, stripe_gateway):
        await _start(db, subject)  # an unpaid card payment
        assert (
            await service.refund(
                db,
                subject.tenant_id,
                subject_type=subject.subject_type,
                subject_id=subject.subject_id,
                amount_fen=500,
                reason="x",
            )
            == 0
        )
        assert await _jobs(db, "payments.send_refund") == []

    async def test_cash_is_handed_back_at_the_desk_at_once(self, db, subject):
        await service.record_manual_payment(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=10_000,
            method="wechat",
        )
        assert (
            await service.refund(
                db,
                subject.tenant_id,
                subject_type=subject.subject_type,
                subject_id=subject.subject_id,
                amount_fen=4_000,
                reason="x",
            )
            == 4_000
        )
        [payment] = await service.payments_for(
            db, subject.tenant_id, subject.subject_type, subject.subject_id
        )
        assert payment.refunded_fen == 4_000 and payment.refunds[0].status == "succeeded"
        assert await _jobs(db, "payments.send_refund") == []

    async def test_card_payments_are_refunded_before_money_taken_at_the_desk(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        await _paid(db, subject, stripe_emulator, amount=30_000)
        await service.record_manual_payment(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=10_000,
            method="cash",
        )
        assert (
            await service.refund(
                db,
                subject.tenant_id,
                subject_type=subject.subject_type,
                subject_id=subject.subject_id,
                amount_fen=35_000,
                reason="x",
            )
            == 35_000
        )
        by_method = {
            p.method: p
            for p in await service.payments_for(
                db, subject.tenant_id, subject.subject_type, subject.subject_id
            )
        }
        assert by_method["card"].refunds[0].amount_fen == 30_000
        assert by_method["cash"].refunded_fen == 5_000

    async def test_online_only_leaves_desk_money_alone(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        await _paid(db, subject, stripe_emulator, amount=30_000)
        await service.record_manual_payment(
            db,
            subject.tenant_id,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            amount_fen=10_000,
            method="cash",
        )
        assert (
            await service.refund(
                db,
                subject.tenant_id,
                subject_type=subject.subject_type,
                subject_id=subject.subject_id,
                amount_fen=35_000,
                reason="x",
                online_only=True,
            )
            == 30_000
        )
        by_method = {
            p.method: p
            for p in await service.payments_for(
                db, subject.tenant_id, subject.subject_type, subject.subject_id
            )
        }
        assert by_method["cash"].refunded_fen == 0
