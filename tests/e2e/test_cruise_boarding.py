"""The cruise line's whole day in real browsers (issue 11's Done-when): a passenger buys a
cabin for two on a phone and pays by card, pre-checks in from the confirmation, opens a
pass; a purser's second browser at the gangway types that pass as a scanner would and sees
允许登船, the count aboard goes up, and the same pass again shows 已登船."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app import clock
from tests.e2e import conftest as e2e
from tests.e2e.test_pay_browser import _fill_card
from tests.factories.boarding import first_call
from tests.factories.boarding_booking import make_voyage_on_sale, resident_id
from tests.factories.tenants import make_staff, make_tenant
from tests.stripe_fixtures import VISA

pytestmark = [pytest.mark.browser, pytest.mark.realdb]
PHONE = {"width": 390, "height": 844}


async def _line_boarding_now(database):  # type: ignore[no-untyped-def]
    """A cruise line whose voyage is boarding now at 朝天门 (by the live server's clock),
    with cabins on sale, and a purser."""
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("cruise",), name="重庆峡韵长江三峡游轮")
        purser = await make_staff(db, tenant=owner.tenant, role="front_desk")
        now = clock.now().replace(microsecond=0)
        sale = await make_voyage_on_sale(
            db,
            tenant=owner.tenant,
            days_ahead=0,
            boarding_opens_at=now - timedelta(hours=1),
            boarding_closes_at=now + timedelta(hours=2),
            sails_at=now + timedelta(hours=3),
            arrives_at=now + timedelta(days=3),
        )
        call = await first_call(db, sale.voyage)
        call.boarding_opens_at = sale.voyage.boarding_opens_at
        call.boarding_closes_at = sale.voyage.boarding_closes_at
        call.departs_at = sale.voyage.sails_at
    return owner, purser, sale


async def _sign_in(page, base: str, staff) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base}/console/login")
    await page.fill("input[name=tenant]", staff.tenant.slug)
    await page.fill("input[name=email]", staff.user.email)
    await page.fill("input[name=password]", staff.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/console")


async def test_a_cabin_for_two_bought_on_a_phone_boards_at_the_gangway(
    stripe_emulator, live_server, browser, committed_database, artifacts_dir, machine_clock
):
    e2e.CSP_VIOLATIONS.clear()
    owner, purser, sale = await _line_boarding_now(committed_database)
    phone = await browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
    )
    gate = await browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    try:
        page = await phone.new_page()
        # Buy: the sailing, a grade, the two passengers, pay by card.
        await page.goto(f"{live_server}/book/{owner.tenant.slug}")
        await page.wait_for_selector("#sailings")
        await page.click("#sailings a.button.primary >> nth=0")
        await page.wait_for_selector("#grades")
        await page.click("#grades a.button.primary >> nth=0")
        await page.wait_for_selector("#passenger-1")
        await page.fill("input[name=p0_name]", "张伟")
        await page.fill("input[name=p0_id_number]", resident_id(date(1980, 3, 7)))
        await page.fill("input[name=p0_phone]", "13800138000")
        await page.fill("input[name=p1_name]", "李娜")
        await page.fill("input[name=p1_id_number]", resident_id(date(1982, 5, 9), seq="124"))
        await page.click("button[name=pay][value=online]")
        await page.wait_for_selector("#card-element input[placeholder=number]")
        await _fill_card(page, VISA)
        await page.click("#pay-button")
        await page.wait_for_selector("#confirmation-code")
        await page.wait_for_selector("#booking-status h1:has-text('舱房预订成功')", timeout=20000)
        cabin = (await page.locator("#cabin-number").inner_text()).strip()
        assert "张伟" in await page.locator("#passengers").inner_text()
        await page.screenshot(path=str(artifacts_dir / "cruise-confirmation.png"), full_page=True)

        # Pre-check-in from the confirmation, then one pass each.
        await page.click("#checkin-link")
        await page.wait_for_selector("#passengers")
        await page.fill("input[name=emergency_name]", "张建国")
        await page.fill("input[name=emergency_phone]", "13700137000")
        await page.check("input[name=confirm]")
        await page.click("#submit-checkin")
        await page.wait_for_selector("#done")
        assert await page.locator("#passes [data-pass]").count() == 2
        await page.locator("#passes [data-pass]").first.click()
        qr = page.locator("#pass-qr")
        await qr.wait_for()
        code = await qr.get_attribute("data-code")
        assert code and code.startswith("ZB1.")
        assert cabin in await page.locator("#pass").inner_text()

        # The gangway: typed as a scanner would, 允许登船 and one more aboard; again, 已登船.
        desk = await gate.new_page()
        await _sign_in(desk, live_server, purser)
        await desk.goto(f"{live_server}/console/boarding/voyages/{sale.voyage.id}/gangway")
        await desk.wait_for_function("window.htmx !== undefined")
        before = int(await desk.locator("#aboard-count").inner_text())
        await desk.keyboard.type(code, delay=2)
        await desk.keyboard.press("Enter")
        await desk.wait_for_selector("#verdict-card[data-outcome=accepted]")
        verdict = await desk.locator("#verdict-card").inner_text()
        assert "允许登船" in verdict and cabin in verdict
        await desk.wait_for_selector(f"#aboard-count:text-is('{before + 1}')")
        await desk.screenshot(path=str(artifacts_dir / "gangway-accepted.png"))
        await desk.keyboard.type(code, delay=2)
        await desk.keyboard.press("Enter")
        await desk.wait_for_selector("#verdict-card[data-outcome=refused]")
        assert "已登船" in await desk.locator("#verdict-card").inner_text()
        assert int(await desk.locator("#aboard-count").inner_text()) == before + 1
        assert not e2e.CSP_VIOLATIONS, e2e.CSP_VIOLATIONS
    finally:
        await phone.close()
        await gate.close()
