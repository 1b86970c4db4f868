"""The guest's pay step in a real browser with the emulator's Stripe.js mock: a card that
asks for 3-D Secure, the mock's verification dialog, the confirmation; and the emulator's
own signed webhook reaching the live server."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from app.db.engine import TenantId
from devtools.stripe_emulator import register_webhook
from modules.reservations import service as reservations
from tests.factories.reservations import make_reservation
from tests.factories.tenants import make_tenant
from tests.stripe_fixtures import VISA_3DS

pytestmark = pytest.mark.browser


async def _fill_card(page, number: str) -> None:  # type: ignore[no-untyped-def]
    """The mock's card element is five plain inputs, named by their placeholders."""
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "400010"),
    ):
        await page.locator(f"#card-element input[placeholder={placeholder}]").type(value)


async def test_guest_pays_with_3d_secure_and_reaches_the_confirmation(
    stripe_emulator, live_server, page, committed_database, settings, artifacts_dir
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="重庆解放碑江景酒店")
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
    register_webhook(
        stripe_emulator, f"{live_server}/webhooks/stripe", settings.stripe_webhook_secret
    )
    try:
        await page.goto(f"{live_server}/book/{owner.tenant.slug}/pay/{r.id}?code={r.code}")
        assert await page.locator("h1").inner_text() == "支付预订款项"
        assert await page.evaluate("typeof Stripe") == "function"
        await _fill_card(page, VISA_3DS)
        await page.screenshot(path=str(artifacts_dir / "pay-page.png"))
        await page.click("#pay-button")
        await page.click("text=Complete authentication")  # the mock's 3-D Secure dialog
        await page.wait_for_url(f"**/book/{owner.tenant.slug}/reservations/{r.id}?code={r.code}")

        async with committed_database.transaction(owner.tenant.id) as db:
            after = await reservations.get_reservation(db, TenantId(owner.tenant.id), r.id)
        assert (after.status, after.payment_state, after.paid_fen) == (
            "confirmed",
            "paid",
            r.total_fen,
        )

        stored = None
        for _ in range(50):  # the emulator delivers its events about a second later
            async with committed_database.transaction() as db:
                stored = await db.scalar(
                    text(
                        "SELECT count(*) FROM payment_provider_events "
                        "WHERE type = 'payment_intent.succeeded' AND payload->'data'->'object'->'metadata'->>'tenant_id' = :t"
                    ),
                    {"t": str(owner.tenant.id)},
                )
            if stored:
                break
            await asyncio.sleep(0.1)
        assert stored == 1
    finally:
        register_webhook(stripe_emulator, "http://127.0.0.1:9/", "whsec_none")
