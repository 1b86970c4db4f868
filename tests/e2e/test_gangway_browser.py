"""The gangway page in a real browser (Chromium, the live server): a purser signs in on a
phone-sized screen, a USB/HID scanner "types" a boarding pass's code and presses Enter, and
the page answers big green 允许登船 with the name and cabin, the count aboard goes up;
scanning again answers 已登船 in red. No Content-Security-Policy violation on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from app.db.engine import TenantId
from modules.boarding.service import issue_passes
from tests.e2e import conftest as e2e
from tests.factories.boarding import first_call, make_boarding_voyage, make_passenger
from tests.factories.tenants import make_staff, make_tenant

# The browser fixtures live in tests/e2e/conftest.py; this module uses them from here.

pytestmark = [pytest.mark.browser, pytest.mark.realdb]
PHONE = {"width": 390, "height": 844}


async def _boarding_now(database):  # type: ignore[no-untyped-def]
    """A voyage whose boarding is open now on the machine's clock (the live server's), a
    purser, and a passenger with a pass."""
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("cruise",), name="长江壹号游轮")
        purser = await make_staff(db, tenant=owner.tenant, role="front_desk")
        now = clock.now().replace(microsecond=0)
        voyage = await make_boarding_voyage(
            db,
            tenant=owner.tenant,
            days_ahead=0,
            boarding_opens_at=now - timedelta(hours=1),
            boarding_closes_at=now + timedelta(hours=2),
            sails_at=now + timedelta(hours=3),
            arrives_at=now + timedelta(days=3),
        )
        call = await first_call(db, voyage)
        call.boarding_opens_at = voyage.boarding_opens_at
        call.boarding_closes_at = voyage.boarding_closes_at
        call.departs_at = voyage.sails_at
        passenger = await make_passenger(
            db, tenant=owner.tenant, voyage=voyage, name="周杰", cabin_number="B-212"
        )
        (issued,) = await issue_passes(
            db, TenantId(owner.tenant.id), [passenger.id], reason="checked in"
        )
    return purser, voyage, issued.code


async def _sign_in(page, live_server, purser):  # type: ignore[no-untyped-def]
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", purser.tenant.slug)
    await page.fill("input[name=email]", purser.user.email)
    await page.fill("input[name=password]", purser.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")


async def _scan_like_a_scanner(page, code: str) -> None:  # type: ignore[no-untyped-def]
    """A HID scanner is a keyboard: the characters one by one, then Enter."""
    await page.keyboard.type(code, delay=2)
    await page.keyboard.press("Enter")


async def test_a_scanned_pass_boards_then_is_already_aboard(
    live_server, browser, committed_database, artifacts_dir, machine_clock
):
    e2e.CSP_VIOLATIONS.clear()
    purser, voyage, code = await _boarding_now(committed_database)
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    page = await context.new_page()
    try:
        await _sign_in(page, live_server, purser)
        await page.goto(f"{live_server}/console/boarding/voyages/{voyage.id}/gangway")
        await page.wait_for_function("window.htmx !== undefined")
        assert await page.locator("#aboard-count").inner_text() == "0"
        assert await page.evaluate("document.activeElement.id") == "code"

        await _scan_like_a_scanner(page, code)
        card = page.locator("#verdict-card")
        await card.wait_for()
        assert await card.get_attribute("data-outcome") == "accepted"
        text = await card.inner_text()
        assert "允许登船" in text and "周杰" in text and "B-212" in text
        await page.wait_for_function("document.getElementById('aboard-count').textContent === '1'")
        assert await page.input_value("#code") == ""
        assert await page.evaluate("document.activeElement.id") == "code"
        await page.screenshot(path=str(artifacts_dir / "gangway-accepted.png"))

        await _scan_like_a_scanner(page, code)
        await page.wait_for_selector("#verdict-card[data-outcome=refused]")
        assert "已登船" in await page.locator("#verdict-card").inner_text()
        assert await page.locator("#aboard-count").inner_text() == "1"
        await page.screenshot(path=str(artifacts_dir / "gangway-already-aboard.png"))

        # The browser keeps one device id and numbers its scans.
        device = await page.evaluate("localStorage.getItem('zhilv.gangway.device')")
        assert device.startswith("web-")
        assert await page.evaluate("localStorage.getItem('zhilv.gangway.seq')") == "2"
        assert not e2e.CSP_VIOLATIONS, e2e.CSP_VIOLATIONS
    finally:
        await context.close()
