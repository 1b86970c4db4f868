"""The Stripe gateway with the official library against the local emulator."""

from __future__ import annotations

import time

import pytest

from app.payments.gateway import GatewayError, InvalidSignature, StripeGateway
from tests.stripe_fixtures import VISA_3DS, card_token, emulator_events, signed_webhook

SECRET = "whsec_zhilv_local"


async def _intent(gateway, key, amount=12_800, **metadata):  # type: ignore[no-untyped-def]
    return await gateway.create_intent(
        amount_fen=amount,
        currency="CNY",
        description="解放碑 高级大床房",
        metadata={"tenant_id": "t", **metadata},
        idempotency_key=key,
    )


class TestPaymentIntents:
    async def test_created_intent_waits_for_a_card_and_carries_our_metadata(self, stripe_gateway):
        intent = await _intent(stripe_gateway, "create-1", payment_id="p1")
        assert intent.status == "requires_payment_method"
        assert (intent.amount_fen, intent.currency) == (12_800, "CNY")
        assert intent.metadata == {"tenant_id": "t", "payment_id": "p1"}
        assert intent.client_secret and intent.client_secret.startswith(intent.id)

    async def test_server_side_create_and_confirm_with_pm_card_visa_succeeds(self, stripe_gateway):
        intent = await stripe_gateway._client.v1.payment_intents.create_async(
            {"amount": 5_000, "currency": "cny", "payment_method": "pm_card_visa", "confirm": True}
        )
        assert intent.status == "succeeded"

    async def test_card_token_from_the_pay_page_pays_the_intent(
        self, stripe_gateway, stripe_emulator
    ):
        intent = await _intent(stripe_gateway, "token-1")
        paid = await stripe_gateway.confirm_with_card_token(
            intent.id, card_token(stripe_emulator), idempotency_key="token-1"
        )
        assert paid.status == "succeeded"
        assert (await stripe_gateway.retrieve_intent(intent.id)).status == "succeeded"

    async def test_a_3d_secure_card_leaves_the_intent_waiting_for_the_guest(
        self, stripe_gateway, stripe_emulator
    ):
        intent = await _intent(stripe_gateway, "3ds-1")
        waiting = await stripe_gateway.confirm_with_card_token(
            intent.id, card_token(stripe_emulator, VISA_3DS), idempotency_key="3ds-1"
        )
        assert waiting.status == "requires_action"
        assert waiting.client_secret == intent.client_secret

    async def test_success_produces_a_payment_intent_succeeded_event(
        self, stripe_gateway, stripe_emulator
    ):
        intent = await _intent(stripe_gateway, "event-1")
        await stripe_gateway.confirm_with_card_token(
            intent.id, card_token(stripe_emulator), idempotency_key="event-1"
        )
        events = [
            e
            for e in emulator_events(stripe_emulator, "payment_intent.succeeded")
            if e["data"]["object"]["id"] == intent.id
        ]
        assert len(events) == 1
        assert events[0]["data"]["object"]["metadata"]["tenant_id"] == "t"

    async def test_an_unknown_intent_is_a_gateway_error_not_a_crash(self, stripe_gateway):
        with pytest.raises(GatewayError) as caught:
            await stripe_gateway.retrieve_intent("pi_doesnotexist00")
        assert caught.value.status == 404
        assert not caught.value.retryable


class TestRefunds:
    async def test_part_of_a_paid_intent_is_refunded(self, stripe_gateway, stripe_emulator):
        intent = await _intent(stripe_gateway, "refund-1")
        await stripe_gateway.confirm_with_card_token(
            intent.id, card_token(stripe_emulator), idempotency_key="refund-1"
        )
        refund = await stripe_gateway.refund(
            intent_id=intent.id, amount_fen=2_800, idempotency_key="r-1", metadata={"reason": "x"}
        )
        assert (refund.status, refund.amount_fen) == ("succeeded", 2_800)
        assert refund.id.startswith("re_")

    async def test_an_unpaid_intent_cannot_be_refunded(self, stripe_gateway):
        intent = await _intent(stripe_gateway, "refund-2")
        with pytest.raises(GatewayError):
            await stripe_gateway.refund(
                intent_id=intent.id, amount_fen=100, idempotency_key="r-2", metadata={}
            )


class TestWebhookSignature:
    def test_a_stripe_signed_body_is_accepted_and_parsed(self, stripe_gateway):
        body, headers = signed_webhook(
            {
                "id": "evt_1",
                "type": "payment_intent.succeeded",
                "created": 1,
                "data": {"object": {"id": "pi_1", "object": "payment_intent"}},
            },
            SECRET,
        )
        event = stripe_gateway.parse_webhook(body, headers["Stripe-Signature"])
        assert (event.id, event.type, event.object["id"]) == (
            "evt_1",
            "payment_intent.succeeded",
            "pi_1",
        )

    @pytest.mark.parametrize("case", ["wrong secret", "tampered body", "too old", "missing"])
    def test_anything_else_is_refused(self, stripe_gateway, case):
        payload = {"id": "evt_2", "type": "x", "created": 1, "data": {"object": {}}}
        secret = "whsec_other" if case == "wrong secret" else SECRET
        ts = int(time.time()) - 3600 if case == "too old" else None
        body, headers = signed_webhook(payload, secret, timestamp=ts)
        if case == "tampered body":
            body = body.replace(b"evt_2", b"evt_3")
        signature = None if case == "missing" else headers["Stripe-Signature"]
        with pytest.raises(InvalidSignature):
            stripe_gateway.parse_webhook(body, signature)


class TestGatewayChoice:
    def test_production_refuses_the_emulator_and_the_development_keys(self, settings):
        from app.errors import Unavailable
        from app.payments.gateway import gateway_from_settings

        prod = settings.model_copy(update={"env": "production", "stripe_api_base": ""})
        with pytest.raises(Unavailable):
            gateway_from_settings(prod)
        real = prod.model_copy(update={"stripe_secret_key": "sk_live_abc"})
        assert type(gateway_from_settings(real)) is StripeGateway
