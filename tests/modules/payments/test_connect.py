"""Stripe Connect: each enterprise's own account, onboarded from the console; guests' payments
charged on it (proved by the stand-in's record of the Stripe-Account header), refused without
it, refunded from it; its events routed only to the tenant that owns it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, update

from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid
from app.payments.gateway import GatewayError
from app.settings import get_settings
from modules.payments import service
from modules.payments.models import Payment, PaymentAccount
from modules.payments.repository import EventInbox
from tests.factories.reservations import make_reservation
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import sign_in
from tests.stripe_fixtures import card_token, charged_on, emulator_events, signed_webhook

SECRET = "whsec_zhilv_local"


async def _http(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """A browser's (or Stripe's) request to the stand-in."""
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.request(method, url, **kwargs)


def intents_at_provider(url: str) -> int:
    response = httpx.get(
        f"{url}/v1/payment_intents",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {get_settings().stripe_secret_key}"},
        trust_env=False,
    )
    return len(response.json()["data"])


async def _without_account(db, subject) -> None:  # type: ignore[no-untyped-def]
    await bind_tenant(db, subject.tenant_id)
    await db.execute(delete(PaymentAccount).where(PaymentAccount.tenant_id == subject.tenant_id))


async def _account_id(db, tenant_id) -> str:  # type: ignore[no-untyped-def]
    await bind_tenant(db, tenant_id)
    return str(await db.scalar(select(PaymentAccount.provider_account_id)))


async def _start(db, s, amount: int = 58_800):  # type: ignore[no-untyped-def]
    return await service.start_payment(
        db,
        s.tenant_id,
        subject_type=s.subject_type,
        subject_id=s.subject_id,
        amount_fen=amount,
        kind="prepayment",
        description="行政套房 1晚",
    )


async def _handle(db, tenant_id, event: dict[str, Any]) -> str:  # type: ignore[no-untyped-def]
    """Deliver the event as Stripe would, then run its job's work for the tenant."""
    body, headers = signed_webhook(json.dumps(event).encode(), SECRET)
    await service.receive_webhook(db, body, headers["Stripe-Signature"])
    row = await EventInbox(db).by_event_id("stripe", event["id"])
    assert row is not None
    return await service.handle_event(db, tenant_id, row.id)


class TestOnboarding:
    async def test_open_link_complete_and_the_webhook_makes_it_ready(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        await _without_account(db, subject)
        opened = await service.open_account(db, subject.tenant_id, actor_user_id=None)
        assert (opened.account_type, opened.country, opened.ready) == ("standard", "HK", False)
        assert "external_account" in opened.requirements_due
        again = await service.open_account(db, subject.tenant_id, actor_user_id=None)
        assert again.provider_account_id == opened.provider_account_id

        link = await service.onboarding_link(db, subject.tenant_id)
        assert link.startswith(f"{stripe_emulator}/_config/connect/onboarding/")
        page = await _http("GET", link)
        assert page.status_code == 200 and opened.provider_account_id in page.text
        done = await _http("POST", link)
        assert done.status_code == 303
        assert done.headers["location"].endswith("/console/payments/account")

        [event] = [
            e
            for e in emulator_events(stripe_emulator, "account.updated")
            if e.get("account") == opened.provider_account_id
        ]
        assert await _handle(db, subject.tenant_id, event) == "applied"
        await bind_tenant(db, subject.tenant_id)
        row = await db.scalar(select(PaymentAccount))
        assert row is not None
        assert (row.details_submitted, row.charges_enabled, row.payouts_enabled) == (
            True,
            True,
            True,
        )
        assert row.requirements_due == []
        assert await service.charge_account(db, subject.tenant_id) == opened.provider_account_id

    async def test_china_is_not_an_account_country_at_stripe(
        self, db, subject, stripe_gateway, monkeypatch
    ):
        await _without_account(db, subject)
        monkeypatch.setattr(get_settings(), "stripe_connect_country", "CN")
        with pytest.raises(Invalid) as refused:
            await service.open_account(db, subject.tenant_id, actor_user_id=None)
        assert "CN" in str(refused.value.errors)


class TestConsolePage:
    async def test_the_owner_opens_the_account_and_is_sent_to_stripe(
        self, client, db, stripe_gateway, stripe_emulator
    ):
        owner = await make_tenant(db)
        await bind_tenant(db, owner.tenant.id)
        await db.execute(delete(PaymentAccount))
        await sign_in(client, owner)
        page = await client.get("/console/payments/account")
        assert page.status_code == 200 and 'id="open-account"' in page.text
        opened = await client.post(
            "/console/payments/account", headers={"x-csrftoken": client.cookies["zhilv_csrf"]}
        )
        assert (opened.status_code, opened.headers["location"]) == (
            303,
            "/console/payments/account",
        )
        to_stripe = await client.get("/console/payments/account/onboarding")
        assert to_stripe.status_code == 303
        assert to_stripe.headers["location"].startswith(f"{stripe_emulator}/_config/connect/")
        status = await client.get("/console/payments/account")
        assert 'id="account-not-ready"' in status.text and "external_account" in status.text

        await _http("POST", to_stripe.headers["location"])
        back = await client.get("/console/payments/account")  # Stripe's return_url
        assert 'id="account-ready"' in back.text

    async def test_the_front_desk_cannot_open_it(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/payments/account")).status_code in (403, 404)


class TestDirectCharges:
    async def test_the_guest_pays_into_the_enterprise_account(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        account = await _account_id(db, subject.tenant_id)
        start = await _start(db, subject)
        intent_id = start.client_secret.split("_secret_")[0]
        assert start.stripe_account == account
        assert charged_on(stripe_emulator, intent_id) == account
        paid = await service.confirm_card(
            db,
            subject.tenant_id,
            subject_id=subject.subject_id,
            payment_id=start.payment_id,
            token=card_token(stripe_emulator),
        )
        assert paid.status == "succeeded"
        row = await db.scalar(select(Payment).where(Payment.id == start.payment_id))
        assert row is not None and row.provider_account_id == account
        with pytest.raises(GatewayError):  # not on the platform's own account
            await stripe_gateway.retrieve_intent(intent_id)
        other = await make_tenant(db)
        with pytest.raises(GatewayError):  # nor on another enterprise's
            await stripe_gateway.retrieve_intent(
                intent_id, account=await _account_id(db, other.tenant.id)
            )

    @pytest.mark.parametrize("how", ["no_account", "not_onboarded"])
    async def test_without_a_ready_account_no_intent_is_made(
        self, db, subject, stripe_gateway, stripe_emulator, how
    ):
        await bind_tenant(db, subject.tenant_id)
        if how == "no_account":
            await _without_account(db, subject)
        else:
            await db.execute(update(PaymentAccount).values(charges_enabled=False))
        before = intents_at_provider(stripe_emulator)
        with pytest.raises(service.OnlinePaymentsNotReady) as refused:
            await _start(db, subject)
        assert refused.value.message == service.NOT_READY
        assert intents_at_provider(stripe_emulator) == before
        assert await db.scalar(select(func.count()).select_from(Payment)) == 0

    async def test_a_card_hold_needs_a_ready_account_too(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        await _without_account(db, subject)
        with pytest.raises(Invalid) as no:
            await service.preauthorise(
                db,
                subject.tenant_id,
                subject_type=subject.subject_type,
                subject_id=subject.subject_id,
                amount_fen=50_000,
                card_token=card_token(stripe_emulator),
                description="hold",
            )
        assert service.NOT_READY in str(getattr(no.value, "errors", ""))

    async def test_a_refund_comes_from_the_enterprise_account(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        account = await _account_id(db, subject.tenant_id)
        start = await _start(db, subject)
        await service.confirm_card(
            db,
            subject.tenant_id,
            subject_id=subject.subject_id,
            payment_id=start.payment_id,
            token=card_token(stripe_emulator),
        )
        assert (
            await service.refund(
                db,
                subject.tenant_id,
                subject_type=subject.subject_type,
                subject_id=subject.subject_id,
                amount_fen=10_000,
                reason="行程变更",
            )
            == 10_000
        )
        [view] = await service.payments_for(
            db, subject.tenant_id, subject.subject_type, subject.subject_id
        )
        assert await service.send_refund(db, subject.tenant_id, view.refunds[0].id) == "succeeded"
        refunds = await stripe_gateway.list_balance_transactions(account, type="refund")
        [ours] = [t for t in refunds if t.amount_fen == -10_000]
        assert ours.source and ours.source.startswith("re_")
        charges = await stripe_gateway.list_balance_transactions(account, type="charge")
        assert [t.amount_fen for t in charges] == [58_800]


class TestConnectedAccountEvents:
    async def test_a_payment_event_of_the_tenant_account_is_applied(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        account = await _account_id(db, subject.tenant_id)
        start = await _start(db, subject)
        intent_id = start.client_secret.split("_secret_")[0]
        await stripe_gateway.confirm_with_card_token(
            intent_id, card_token(stripe_emulator), idempotency_key="js", account=account
        )
        [event] = [
            e
            for e in emulator_events(stripe_emulator, "payment_intent.succeeded")
            if e["data"]["object"]["id"] == intent_id
        ]
        assert event["account"] == account
        assert await _handle(db, subject.tenant_id, event) == "applied"

    async def test_an_event_naming_another_account_changes_nothing(
        self, db, subject, stripe_gateway, stripe_emulator
    ):
        start = await _start(db, subject)
        intent_id = start.client_secret.split("_secret_")[0]
        other = await make_tenant(db)
        stranger = await _account_id(db, other.tenant.id)
        forged = {
            "id": "evt_forged_account_1",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": 1,
            "account": stranger,
            "data": {
                "object": {
                    "id": intent_id,
                    "object": "payment_intent",
                    "status": "succeeded",
                    "amount": 58_800,
                    "currency": "cny",
                    "metadata": {"tenant_id": str(subject.tenant_id)},
                }
            },
        }
        assert await _handle(db, subject.tenant_id, forged) == "foreign_account"
        updated = {
            "id": "evt_forged_account_2",
            "object": "event",
            "type": "account.updated",
            "created": 1,
            "account": stranger,
            "data": {
                "object": {
                    "id": stranger,
                    "object": "account",
                    "charges_enabled": False,
                    "metadata": {"tenant_id": str(subject.tenant_id)},
                }
            },
        }
        assert await _handle(db, subject.tenant_id, updated) == "foreign_account"
        await bind_tenant(db, subject.tenant_id)
        assert await service.charge_account(db, TenantId(subject.tenant_id))
        [view] = await service.payments_for(
            db, subject.tenant_id, subject.subject_type, subject.subject_id
        )
        assert view.status == "pending"


class TestGuestPage:
    async def test_the_pay_page_says_the_enterprise_takes_no_online_payments(
        self, client, db, stripe_gateway, stripe_emulator
    ):
        owner = await make_tenant(db)
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
        await bind_tenant(db, owner.tenant.id)
        await db.execute(delete(PaymentAccount))
        before = intents_at_provider(stripe_emulator)
        page = await client.get(f"/book/{owner.tenant.slug}/pay/{r.id}?code={r.code}")
        assert page.status_code == 409
        assert "该企业尚未开通在线收款" in page.text or service.NOT_READY in page.text
        assert "data-payment-id" not in page.text
        assert intents_at_provider(stripe_emulator) == before
