"""Stripe webhooks: verified, stored once, handled once — a replayed event changes nothing."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from sqlalchemy import text

from app.db.engine import bind_tenant
from modules.payments import service
from tests.stripe_fixtures import card_token, emulator_events, signed_webhook

SECRET = "whsec_zhilv_local"


async def _paid_by_stripe_js(db, s, gateway, url):  # type: ignore[no-untyped-def]
    """A payment the guest's browser confirmed: the provider has the money, we do not know
    yet. Returns the payment id and the provider's real payment_intent.succeeded event."""
    start = await service.start_payment(
        db,
        s.tenant_id,
        subject_type=s.subject_type,
        subject_id=s.subject_id,
        amount_fen=58_800,
        kind="prepayment",
        description="行政套房 1晚",
    )
    intent_id = start.client_secret.split("_secret_")[0]
    await gateway.confirm_with_card_token(
        intent_id, card_token(url), idempotency_key="browser", account=start.stripe_account
    )
    [event] = [
        e
        for e in emulator_events(url, "payment_intent.succeeded")
        if e["data"]["object"]["id"] == intent_id
    ]
    return start.payment_id, event


async def _deliver(client, event, secret=SECRET):  # type: ignore[no-untyped-def]
    body, headers = signed_webhook(json.dumps(event).encode(), secret)
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def _inbox(db, event_id):  # type: ignore[no-untyped-def]
    return (
        await db.execute(
            text(
                "SELECT id, type, processed_at, outcome FROM payment_provider_events WHERE event_id = :e"
            ),
            {"e": event_id},
        )
    ).all()


async def _jobs(db):  # type: ignore[no-untyped-def]
    rows = await db.execute(
        text(
            "SELECT args FROM procrastinate_jobs WHERE task_name = 'payments.handle_event' ORDER BY id"
        )
    )
    return [r.args for r in rows]


async def _payment(db, s, payment_id):  # type: ignore[no-untyped-def]
    await bind_tenant(db, s.tenant_id)
    views = await service.payments_for(db, s.tenant_id, s.subject_type, s.subject_id)
    return next(p for p in views if p.id == payment_id)


class TestReceive:
    async def test_a_signed_event_is_stored_and_its_handling_queued(
        self, client, db, subject, stripe_gateway, stripe_emulator
    ):
        _payment_id, event = await _paid_by_stripe_js(db, subject, stripe_gateway, stripe_emulator)
        response = await _deliver(client, event)
        assert response.status_code == 200
        [row] = await _inbox(db, event["id"])
        assert (row.type, row.processed_at) == ("payment_intent.succeeded", None)
        assert await _jobs(db) == [
            {"tenant_id": str(subject.tenant_id), "event_row_id": str(row.id)}
        ]

    async def test_the_job_marks_the_payment_paid(
        self, client, db, subject, stripe_gateway, stripe_emulator
    ):
        payment_id, event = await _paid_by_stripe_js(db, subject, stripe_gateway, stripe_emulator)
        assert (await _payment(db, subject, payment_id)).status == "pending"
        await _deliver(client, event)
        [row] = await _inbox(db, event["id"])
        await bind_tenant(db, subject.tenant_id)
        assert await service.handle_event(db, subject.tenant_id, row.id) == "applied"
        payment = await _payment(db, subject, payment_id)
        assert (payment.status, payment.net_fen) == ("succeeded", 58_800)
        [row] = await _inbox(db, event["id"])
        assert row.outcome == "applied" and row.processed_at is not None

    @pytest.mark.parametrize("case", ["wrong secret", "no signature", "not json"])
    async def test_a_bad_signature_is_refused_with_400_and_nothing_is_stored(
        self, client, db, subject, stripe_gateway, stripe_emulator, case
    ):
        payment_id, event = await _paid_by_stripe_js(db, subject, stripe_gateway, stripe_emulator)
        if case == "wrong secret":
            response = await _deliver(client, event, secret="whsec_attacker")
        elif case == "no signature":
            response = await client.post("/webhooks/stripe", content=json.dumps(event))
        else:
            body, headers = signed_webhook(b"not json", SECRET)
            response = await client.post("/webhooks/stripe", content=body, headers=headers)
        assert response.status_code == 400
        assert await _inbox(db, event["id"]) == []
        assert await _jobs(db) == []
        assert (await _payment(db, subject, payment_id)).status == "pending"


class TestReplay:
    async def test_a_replayed_event_changes_nothing(
        self, client, db, subject, stripe_gateway, stripe_emulator
    ):
        payment_id, event = await _paid_by_stripe_js(db, subject, stripe_gateway, stripe_emulator)
        assert (await _deliver(client, event)).status_code == 200
        [row] = await _inbox(db, event["id"])
        await bind_tenant(db, subject.tenant_id)
        assert await service.handle_event(db, subject.tenant_id, row.id) == "applied"
        before = await _payment(db, subject, payment_id)
        updated_at = await db.scalar(
            text("SELECT updated_at FROM payments WHERE id = :i"), {"i": payment_id}
        )

        for _ in range(2):  # Stripe delivers again, signed anew
            assert (await _deliver(client, event)).status_code == 200
        await bind_tenant(db, subject.tenant_id)
        assert await service.handle_event(db, subject.tenant_id, row.id) == "already_processed"

        assert len(await _inbox(db, event["id"])) == 1
        assert len(await _jobs(db)) == 1
        assert await _payment(db, subject, payment_id) == before
        assert (
            await db.scalar(
                text("SELECT updated_at FROM payments WHERE id = :i"), {"i": payment_id}
            )
            == updated_at
        )

    async def test_a_late_failure_event_does_not_undo_a_payment(
        self, client, db, subject, stripe_gateway, stripe_emulator
    ):
        payment_id, event = await _paid_by_stripe_js(db, subject, stripe_gateway, stripe_emulator)
        await _deliver(client, event)
        [row] = await _inbox(db, event["id"])
        await bind_tenant(db, subject.tenant_id)
        await service.handle_event(db, subject.tenant_id, row.id)

        late = copy.deepcopy(event)
        late["id"], late["type"] = f"evt_{uuid.uuid4().hex[:14]}", "payment_intent.payment_failed"
        late["data"]["object"].update(
            status="requires_payment_method",
            last_payment_error={"message": "Your card was declined."},
        )
        await _deliver(client, late)
        [late_row] = await _inbox(db, late["id"])
        await bind_tenant(db, subject.tenant_id)
        assert await service.handle_event(db, subject.tenant_id, late_row.id) == "unchanged"
        assert (await _payment(db, subject, payment_id)).status == "succeeded"

    async def test_the_pay_page_return_and_the_webhook_count_the_money_once(
        self, client, db, subject, stripe_gateway, stripe_emulator
    ):
        payment_id, event = await _paid_by_stripe_js(db, subject, stripe_gateway, stripe_emulator)
        await service.sync_payment(
            db, subject.tenant_id, subject_id=subject.subject_id, payment_id=payment_id
        )
        await _deliver(client, event)
        [row] = await _inbox(db, event["id"])
        await bind_tenant(db, subject.tenant_id)
        assert await service.handle_event(db, subject.tenant_id, row.id) == "unchanged"
        assert (await _payment(db, subject, payment_id)).net_fen == 58_800


class TestIgnored:
    async def test_events_that_are_not_ours_are_stored_but_not_handled(
        self, client, db, subject, stripe_gateway, stripe_emulator
    ):
        _, event = await _paid_by_stripe_js(db, subject, stripe_gateway, stripe_emulator)
        foreign = copy.deepcopy(event)
        foreign["id"] = f"evt_{uuid.uuid4().hex[:14]}"
        foreign["data"]["object"]["metadata"] = {}
        other_type = copy.deepcopy(event)
        other_type["id"], other_type["type"] = f"evt_{uuid.uuid4().hex[:14]}", "customer.created"
        for e in (foreign, other_type):
            assert (await _deliver(client, e)).status_code == 200
            [row] = await _inbox(db, e["id"])
            assert row.outcome == "ignored"
        assert await _jobs(db) == []
