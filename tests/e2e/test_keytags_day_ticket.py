"""In headless Chromium on a 390 px wide phone: a guest of a hot spring opens the booking
page (straight to the day tickets), picks two adult tickets for today, pays by card through
the pay step, and sees the booking code with its QR to show at the desk; every page fits."""

from __future__ import annotations

import re

import pytest

from app.db.engine import TenantId
from modules.keytags import service
from modules.reservations import service as reservations
from tests.factories.keytags import make_ticket_type
from tests.factories.tenants import make_tenant
from tests.stripe_fixtures import VISA

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


async def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


async def _fill_card(page, number: str) -> None:  # type: ignore[no-untyped-def]
    """The emulator's Stripe.js mock draws the card element as plain inputs."""
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "400700"),
    ):
        await page.locator(f"#card-element input[placeholder={placeholder}]").type(value)


async def test_a_guest_buys_day_tickets_on_a_phone_and_gets_the_code(
    stripe_emulator, live_server, browser, committed_database, artifacts_dir
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",), name="北碚缙云温泉")
        tid = TenantId(owner.tenant.id)
        await reservations.create_rate_plan(
            db,
            tid,
            reservations.RatePlanInput(
                "rack", "门市价", free_cancel_hours=0, cancel_fee_kind="none"
            ),
        )
        adult = await make_ticket_type(db, tenant=owner.tenant, sold_online=True)
        await service.sync_online_ticket(db, tid, adult)
    context = await browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    try:
        await page.goto(f"{live_server}/book/{owner.tenant.slug}/")
        await page.wait_for_url(re.compile(r".*/spa/$"))
        assert await page.locator("h1").inner_text() == "温泉门票"
        await _fits(page)
        await page.select_option(f"select[name=qty_{adult.id}]", "2")
        await page.fill("input[name=guest_name]", "韩梅梅")
        await page.fill("input[name=guest_phone]", "13900139000")
        await page.screenshot(path=str(artifacts_dir / "spa-tickets-phone.png"), full_page=True)
        await page.click("text=去付款")
        await page.wait_for_url(re.compile(r".*/pay/.*"))
        await _fits(page)
        await _fill_card(page, VISA)
        await page.click("#pay-button")
        await page.wait_for_url(re.compile(r".*/spa/bookings/[0-9a-f-]+\?code=.*"))
        assert "请在前台出示" in await page.locator("body").inner_text()
        code = (await page.locator(".bk-code").first.inner_text()).strip()
        assert code and await page.locator(".bk-qr img").count() == 1
        await _fits(page)
        await page.screenshot(path=str(artifacts_dir / "spa-confirmed-phone.png"), full_page=True)
    finally:
        await context.close()
