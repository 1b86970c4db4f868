"""The Connect calls distribution payouts make, through the official `stripe` library against
the stand-in: a supplier's account onboarded, the platform transfers what it is owed (once,
however often the job retries), the supplier's account pays it out to the bank, and the
balance transactions reconcile both."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.payments.connect import ConnectedAccount
from app.payments.gateway import GatewayError, LocalStripeGateway
from tests.stripe_fixtures import settle_payout, top_up_platform


async def _http(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """A browser's (or Stripe's) request to the stand-in."""
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.request(method, url, **kwargs)


async def _onboarded(gateway: LocalStripeGateway, key: str) -> ConnectedAccount:
    account = await gateway.create_account(
        country="HK",
        email=None,
        business_name="缙云山温泉",
        metadata={"tenant_id": key},
        idempotency_key=key,
    )
    link = await gateway.create_account_link(
        account.id, refresh_url="http://127.0.0.1/refresh", return_url="http://127.0.0.1/back"
    )
    assert (await _http("POST", link.url)).status_code == 303  # back to return_url
    return await gateway.retrieve_account(account.id)


class TestPayoutCalls:
    async def test_transfer_payout_and_reconciliation(self, stripe_gateway, stripe_emulator):
        supplier = await _onboarded(stripe_gateway, "supplier-1")
        assert supplier.charges_enabled and supplier.payouts_enabled
        top_up_platform(stripe_emulator, 1_000_000)
        before = (await stripe_gateway.retrieve_balance(None)).available["CNY"]

        transfer = await stripe_gateway.create_transfer(
            amount_fen=123_400,
            currency="CNY",
            destination=supplier.id,
            idempotency_key="statement-2026-11",
            metadata={"statement": "2026-11"},
            transfer_group="period-2026-11",
        )
        retried = await stripe_gateway.create_transfer(
            amount_fen=123_400,
            currency="CNY",
            destination=supplier.id,
            idempotency_key="statement-2026-11",
            metadata={"statement": "2026-11"},
            transfer_group="period-2026-11",
        )
        assert retried.id == transfer.id and transfer.destination == supplier.id
        assert (await stripe_gateway.retrieve_balance(None)).available["CNY"] == before - 123_400
        assert (await stripe_gateway.retrieve_balance(supplier.id)).available == {"CNY": 123_400}

        payout = await stripe_gateway.create_payout(
            account=supplier.id,
            amount_fen=123_400,
            currency="CNY",
            idempotency_key="payout-2026-11",
            metadata={"statement": "2026-11"},
        )
        assert (payout.status, payout.account) == ("pending", supplier.id)
        assert settle_payout(stripe_emulator, payout.id)["status"] == "paid"
        assert (await stripe_gateway.retrieve_payout(supplier.id, payout.id)).status == "paid"
        assert (await stripe_gateway.retrieve_balance(supplier.id)).available == {"CNY": 0}

        platform_side = await stripe_gateway.list_balance_transactions(None, source=transfer.id)
        assert [(t.type, t.amount_fen) for t in platform_side] == [("transfer", -123_400)]
        in_payout = await stripe_gateway.list_balance_transactions(supplier.id, payout=payout.id)
        assert sorted((t.type, t.amount_fen, t.source) for t in in_payout) == [
            ("payment", 123_400, transfer.destination_payment),
            ("payout", -123_400, payout.id),
        ]
        assert sum(t.net_fen for t in in_payout) == 0

    async def test_refusals_are_gateway_errors(self, stripe_gateway, stripe_emulator):
        unfinished = await stripe_gateway.create_account(
            country="HK", email=None, business_name=None, metadata={}, idempotency_key="half"
        )
        with pytest.raises(GatewayError) as no_capability:
            await stripe_gateway.create_transfer(
                amount_fen=100,
                currency="CNY",
                destination=unfinished.id,
                idempotency_key="too-early",
                metadata={},
            )
        assert not no_capability.value.retryable
        supplier = await _onboarded(stripe_gateway, "supplier-2")
        with pytest.raises(GatewayError) as broke:
            await stripe_gateway.create_payout(
                account=supplier.id,
                amount_fen=1,
                currency="CNY",
                idempotency_key="nothing-there",
                metadata={},
            )
        assert broke.value.code == "balance_insufficient"
        with pytest.raises(GatewayError) as unknown:
            await stripe_gateway.retrieve_balance("acct_nobodyhere")
        assert unknown.value.status == 403
