"""The payments jobs run by a real worker over committed data: a webhook's event applied,
a refund sent — each exactly once however often the worker runs."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from app.db.base import uuid7
from app.db.engine import TenantId
from modules.payments import service
from tests.factories.tenants import make_tenant
from tests.stripe_fixtures import card_token, emulator_events, signed_webhook
from workers.runtime import run_worker

pytestmark = pytest.mark.realdb


@pytest.fixture
async def run_payment_jobs(settings, committed_urls, committed_database):  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        await db.execute(
            text(
                "DELETE FROM procrastinate_jobs WHERE queue_name = 'payments' AND status IN ('todo', 'doing')"
            )
        )
    worker_settings = settings.model_copy(update={"database_url": committed_urls.app_url})

    async def run() -> None:
        await run_worker(
            worker_settings,
            concurrency=1,
            queues=["payments"],
            wait=False,
            install_signal_handlers=False,
            database=committed_database,
        )

    return run


async def _payments(committed_database, tid, subject_id):  # type: ignore[no-untyped-def]
    async with committed_database.transaction(tid) as db:
        return await service.payments_for(db, tid, "test_subject", subject_id)


async def test_worker_applies_a_webhook_event_once_and_sends_a_refund_once(
    committed_database, stripe_gateway, stripe_emulator, run_payment_jobs
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
    tid, subject_id = TenantId(owner.tenant.id), uuid7()
    async with committed_database.transaction(tid) as db:
        start = await service.start_payment(
            db,
            tid,
            subject_type="test_subject",
            subject_id=subject_id,
            amount_fen=26_600,
            kind="deposit",
            description="三峡游轮 A-218",
        )
    intent_id = start.client_secret.split("_secret_")[0]
    await stripe_gateway.confirm_with_card_token(
        intent_id, card_token(stripe_emulator), idempotency_key="w", account=start.stripe_account
    )
    [event] = [
        e
        for e in emulator_events(stripe_emulator, "payment_intent.succeeded")
        if e["data"]["object"]["id"] == intent_id
    ]
    for _ in range(2):  # delivered twice
        body, headers = signed_webhook(json.dumps(event).encode(), "whsec_zhilv_local")
        async with committed_database.transaction() as db:
            await service.receive_webhook(db, body, headers["Stripe-Signature"])

    await run_payment_jobs()
    [payment] = await _payments(committed_database, tid, subject_id)
    assert (payment.status, payment.net_fen) == ("succeeded", 26_600)

    async with committed_database.transaction(tid) as db:
        assert (
            await service.refund(
                db,
                tid,
                subject_type="test_subject",
                subject_id=subject_id,
                amount_fen=6_600,
                reason="改期",
            )
            == 6_600
        )
    await run_payment_jobs()
    await run_payment_jobs()
    [payment] = await _payments(committed_database, tid, subject_id)
    assert payment.refunded_fen == 6_600
    assert [r.status for r in payment.refunds] == ["succeeded"]
    async with committed_database.transaction() as db:
        outcomes = (
            (
                await db.execute(
                    text("SELECT outcome FROM payment_provider_events WHERE event_id = :e"),
                    {"e": event["id"]},
                )
            )
            .scalars()
            .all()
        )
        jobs = await db.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'payments.handle_event' "
                "AND args->>'tenant_id' = :t"
            ),
            {"t": str(tid)},
        )
    assert outcomes == ["applied"]
    assert jobs == 1
