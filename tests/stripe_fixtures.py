"""The local Stripe emulator (localstripe) as pytest fixtures (registered in tests/conftest.py).

- `stripe_emulator` (session): localstripe in its own process on a free loopback port, one
  per test process; yields its URL. It also sets STRIPE_API_BASE and STRIPE_JS_URL in the
  environment, so settings built afterwards (and servers started by browser tests) use it.
- `stripe_gateway`: every payment in the test goes through a gateway pointed at it.

Helpers: `card_token(url, number)` makes a Stripe.js-style card token (what the pay page
posts), `emulator_events(url, type)` lists the events the emulator produced, and
`signed_webhook(payload, secret)` builds the body and `Stripe-Signature` header the way
Stripe (and localstripe's own webhook delivery) signs them.

Stripe Connect (the stand-in inside the same process, devtools/stripe_connect_standin.py):
`charged_on(url, intent_id)` is the connected account a PaymentIntent was created on (None:
the platform), `top_up_platform(url, fen)` funds the platform's balance for transfers,
`complete_onboarding(link_url)` is the owner finishing Stripe's onboarding page, and
`settle_payout(url, payout_id, status)` is the bank's answer to a payout (`paid`/`failed`).
Test tenants (`make_tenant`) have an onboarded `acct_ready_…` account the stand-in knows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.payments.gateway import LocalStripeGateway, use_gateway
from app.settings import Settings, get_settings
from devtools import stripe_emulator as emulator

VISA = "4242424242424242"
VISA_3DS = "4000002500003155"  # asks for 3-D Secure; the Stripe.js mock shows its dialog


@pytest.fixture(scope="session")
def stripe_emulator() -> Iterator[str]:
    running = emulator.start()
    previous = {k: os.environ.get(k) for k in ("STRIPE_API_BASE", "STRIPE_JS_URL")}
    os.environ["STRIPE_API_BASE"] = running.url
    os.environ["STRIPE_JS_URL"] = running.js_url
    get_settings.cache_clear()
    try:
        yield running.url
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        running.stop()


def gateway_for(url: str, settings: Settings | None = None) -> LocalStripeGateway:
    settings = settings or get_settings()
    return LocalStripeGateway(
        secret_key=settings.stripe_secret_key,
        publishable_key=settings.stripe_publishable_key,
        webhook_secret=settings.stripe_webhook_secret,
        js_url=f"{url}/js.stripe.com/v3/",
        api_base=url,
    )


@pytest.fixture
def stripe_gateway(stripe_emulator: str) -> Iterator[LocalStripeGateway]:
    with use_gateway(gateway_for(stripe_emulator)) as gateway:
        yield gateway  # type: ignore[misc]


def card_token(url: str, number: str = VISA) -> str:
    """A card token as Stripe.js `createToken(card)` makes it from the card form."""
    response = httpx.post(
        f"{url}/v1/tokens",
        data={
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
            "key": get_settings().stripe_publishable_key,
        },
        trust_env=False,
    )
    response.raise_for_status()
    return str(response.json()["id"])


def emulator_events(url: str, type: str | None = None) -> list[dict[str, Any]]:
    """Events the emulator recorded (newest first), as it would deliver them."""
    response = httpx.get(
        f"{url}/v1/events",
        headers={"Authorization": f"Bearer {get_settings().stripe_secret_key}"},
        params={"limit": 100},
        trust_env=False,
    )
    response.raise_for_status()
    events = response.json()["data"]
    return [e for e in events if type is None or e["type"] == type]


def signed_webhook(
    payload: dict[str, Any] | bytes, secret: str, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a webhook delivery signed the Stripe way:
    `Stripe-Signature: t=<ts>,v1=<hex hmac_sha256(secret, "<ts>.<body>")>`."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={ts},v1={signature}", "Content-Type": "application/json"}


def authenticate(url: str, client_secret: str, *, success: bool = True) -> dict[str, Any]:
    """What the Stripe.js mock's `confirmCardPayment` does when the guest completes (or
    fails) the 3-D Secure dialog of an intent that is `requires_action`."""
    intent_id = client_secret.split("_secret_")[0]
    response = httpx.post(
        f"{url}/v1/payment_intents/{intent_id}/_authenticate",
        params={"success": "true" if success else "false"},
        json={"key": get_settings().stripe_publishable_key, "client_secret": client_secret},
        trust_env=False,
    )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def charged_on(url: str, intent_id: str) -> str | None:
    """The connected account the stand-in saw the PaymentIntent created on (`Stripe-Account`)."""
    response = httpx.get(f"{url}/_config/connect/intents/{intent_id}", trust_env=False)
    response.raise_for_status()
    return response.json()["account"]  # type: ignore[no-any-return]


def top_up_platform(url: str, amount_fen: int, currency: str = "cny") -> None:
    """Money into the platform's own balance (a Stripe top-up), which transfers draw on."""
    response = httpx.post(
        f"{url}/v1/topups",
        data={"amount": str(amount_fen), "currency": currency},
        headers={"Authorization": f"Bearer {get_settings().stripe_secret_key}"},
        trust_env=False,
    )
    response.raise_for_status()


def complete_onboarding(link_url: str) -> str:
    """Submit the stand-in's onboarding page an account link opens; returns where it sends
    the owner back (the link's return_url). The stand-in sends `account.updated`."""
    response = httpx.post(link_url, trust_env=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def settle_payout(url: str, payout_id: str, status: str = "paid") -> dict[str, Any]:
    """The bank's answer to a pending payout; sends `payout.paid` or `payout.failed`."""
    response = httpx.post(
        f"{url}/_config/connect/payouts/{payout_id}/settle",
        params={"status": status},
        trust_env=False,
    )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]
