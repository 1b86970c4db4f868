"""The owner onboards the enterprise's Stripe account in a real browser: the console page,
the (stand-in) Stripe onboarding page on another origin, back to the console showing it
ready; Stripe's signed `account.updated` reaches the live server."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, text

from devtools.stripe_emulator import register_webhook
from modules.payments.models import PaymentAccount
from tests.factories.tenants import make_tenant

pytestmark = pytest.mark.browser


async def _sign_in(page, live_server, staff) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", staff.tenant.slug)
    await page.fill("input[name=email]", staff.user.email)
    await page.fill("input[name=password]", staff.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")


async def _account_updates(committed_database, account: str) -> int:  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        return int(
            await db.scalar(
                text(
                    "SELECT count(*) FROM payment_provider_events "
                    "WHERE type = 'account.updated' AND payload->>'account' = :a"
                ),
                {"a": account},
            )
        )


async def test_owner_opens_and_onboards_the_account_and_it_is_ready(
    stripe_emulator, live_server, page, committed_database, settings, artifacts_dir
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="缙云山温泉度假村")
    async with committed_database.transaction(owner.tenant.id) as db:
        await db.execute(delete(PaymentAccount))
    register_webhook(
        stripe_emulator, f"{live_server}/webhooks/stripe", settings.stripe_webhook_secret
    )
    try:
        await _sign_in(page, live_server, owner)
        await page.click('a[href="/console/payments/account"]')  # Administration menu
        await page.click("#open-account")
        await page.wait_for_url(f"{live_server}/console/payments/account")
        assert await page.locator("#account-not-ready").is_visible()
        await page.click("#continue-onboarding")
        await page.wait_for_url(f"{stripe_emulator}/_config/connect/onboarding/**")
        await page.screenshot(path=str(artifacts_dir / "connect-onboarding.png"))
        await page.click("#complete-onboarding")
        await page.wait_for_url(f"{live_server}/console/payments/account")
        assert await page.locator("#account-ready").is_visible()
        await page.screenshot(path=str(artifacts_dir / "connect-ready.png"))
        account = (await page.locator("#payment-account code").first.inner_text()).strip()
        assert account.startswith("acct_")

        stored = 0
        for _ in range(50):  # the stand-in delivers its events about a second later
            stored = await _account_updates(committed_database, account)
            if stored:
                break
            await asyncio.sleep(0.1)
        assert stored == 1
    finally:
        register_webhook(stripe_emulator, "http://127.0.0.1:9/", "whsec_none")
