"""Pre-check-in in a real browser (Chromium, the live server): a passenger opens the link
on a phone, confirms the party and an emergency contact, opens the pass with its big QR
code; a purser's second browser at the gangway types that code as a scanner would and
sees 允许登船. No Content-Security-Policy violation on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from modules.boarding import service
from tests.e2e import conftest as e2e
from tests.factories.boarding import first_call, make_boarding_voyage, make_passenger
from tests.factories.tenants import make_staff, make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.realdb]
PHONE = {"width": 390, "height": 844}


async def _cabin_boarding_now(database):  # type: ignore[no-untyped-def]
    """A voyage boarding now (the live server's clock) and a cabin of two, not checked in."""
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("cruise",), name="长江叁号游轮")
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
        lead = await make_passenger(
            db, tenant=owner.tenant, voyage=voyage, name="陈静", cabin_number="C-318"
        )
        await make_passenger(
            db,
            tenant=owner.tenant,
            voyage=voyage,
            reservation_id=lead.reservation_id,
            name="陈小宝",
            id_type="passport",
            id_number="E12345678",
            is_lead=False,
            is_child=True,
            cabin_number="C-318",
        )
        token = service.checkin_token(owner.tenant.id, lead.reservation_id)
    return purser, voyage, token


async def test_pre_check_in_then_the_gangway_boards_the_pass(
    live_server, browser, committed_database, artifacts_dir, machine_clock
):
    e2e.CSP_VIOLATIONS.clear()
    purser, voyage, token = await _cabin_boarding_now(committed_database)
    phone = await browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    gate = await browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    try:
        page = await phone.new_page()
        await page.goto(f"{live_server}/checkin?token={token}")
        assert "陈小宝" in await page.locator("#passengers").inner_text()
        await page.fill("input[name=emergency_name]", "陈建华")
        await page.fill("input[name=emergency_phone]", "13700137000")
        await page.check("input[name=confirm]")
        await page.click("#submit-checkin")
        await page.wait_for_selector("#done")
        assert await page.locator("#passes [data-pass]").count() == 2
        await page.screenshot(path=str(artifacts_dir / "checkin-done.png"), full_page=True)
        await page.locator("#passes [data-pass]").first.click()
        qr = page.locator("#pass-qr")
        await qr.wait_for()
        box = await qr.bounding_box()
        assert box is not None and box["width"] >= 300  # big on a 390 px phone screen
        code = await qr.get_attribute("data-code")
        assert code and code.startswith("ZB1.")
        assert "陈静" in await page.locator("#pass").inner_text()
        await page.screenshot(path=str(artifacts_dir / "checkin-pass.png"), full_page=True)

        desk = await gate.new_page()
        await desk.goto(f"{live_server}/console/login")
        await desk.fill("input[name=tenant]", purser.tenant.slug)
        await desk.fill("input[name=email]", purser.user.email)
        await desk.fill("input[name=password]", purser.password)
        await desk.click("button[type=submit]")
        await desk.wait_for_url(f"{live_server}/console")
        await desk.goto(f"{live_server}/console/boarding/voyages/{voyage.id}/gangway")
        await desk.wait_for_function("window.htmx !== undefined")
        await desk.keyboard.type(code, delay=2)
        await desk.keyboard.press("Enter")
        await desk.wait_for_selector("#verdict-card[data-outcome=accepted]")
        assert "允许登船" in await desk.locator("#verdict-card").inner_text()
        assert not e2e.CSP_VIOLATIONS, e2e.CSP_VIOLATIONS
    finally:
        await phone.close()
        await gate.close()
