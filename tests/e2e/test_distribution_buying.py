"""分销采购 in headless Chromium: the agency books a hotel room for a tourist on its
distribution page, sees its prepaid balance drop by the settlement price (¥1,000.00 →
¥412.00 for a ¥688 room it buys at ¥588), and the hotel sees the booking in its
reservations marked with the agency's name as the channel."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from modules.distribution.service import ledger
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.reservations import future, make_stock
from tests.factories.tenants import make_staff, make_tenant

pytestmark = pytest.mark.browser


async def _sign_in(tab, base, who) -> None:  # type: ignore[no-untyped-def]
    await tab.goto(f"{base}/console/login")
    await tab.fill("input[name=tenant]", who.tenant.slug)
    await tab.fill("input[name=email]", who.user.email)
    await tab.fill("input[name=password]", who.password)
    await tab.click("button[type=submit]")
    await tab.wait_for_url(f"{base}/console")


async def test_agency_books_a_room_and_the_hotel_sees_the_channel(
    live_server, page, committed_database, artifacts_dir
):
    async with committed_database.transaction() as db:
        hotel = await make_tenant(db, kinds=("hotel",), name="重庆江景酒店")
        agency = await make_tenant(db, kinds=("agency",), name="朝天门国际旅行社")
        agent = await make_staff(db, tenant=agency.tenant, role="agent")
        stock = await make_stock(db, tenant=hotel.tenant, name="江景大床房", start=future(1))
        d = await make_distributor(db, tenant=hotel.tenant, partner=agency.tenant)
        agreement = await make_agreement(db, tenant=hotel.tenant, distributor=d)
        await make_product(db, tenant=hotel.tenant, agreement=agreement, stock=stock)
        await ledger.post_topup(
            db, TenantId(hotel.tenant.id), agreement, amount_fen=100_000, reference="BANK-1"
        )

    await _sign_in(page, live_server, agent)
    await page.click("nav >> text=分销采购")
    await page.wait_for_selector("text=重庆江景酒店")
    assert "¥1,000.00" in await page.locator("main").inner_text()
    await page.click("main >> a:has-text('预订')")
    await page.wait_for_selector("tr[data-product]")
    row = page.locator("tr[data-product]").first
    row_text = await row.inner_text()
    assert "江景大床房" in row_text and "¥588.00" in row_text and "¥688.00" in row_text
    await page.screenshot(
        path=str(artifacts_dir / "distribution-buying-catalog.png"), full_page=True
    )
    await row.locator("a:has-text('预订')").click()
    await page.wait_for_selector("#balance-after")
    assert (await page.locator("#balance-before").inner_text()).strip() == "¥1,000.00"
    assert (await page.locator("#balance-after").inner_text()).strip() == "¥412.00"
    await page.fill("input[name=guest_name]", "李娜")
    await page.fill("input[name=guest_phone]", "13800138000")
    await page.screenshot(path=str(artifacts_dir / "distribution-buying-book.png"), full_page=True)
    await page.click("button:has-text('预订并从余额扣款')")
    await page.wait_for_selector("text=预订成功")
    detail = await page.locator("main").inner_text()
    assert "李娜" in detail and "¥588.00" in detail and "¥412.00" in detail
    await page.screenshot(path=str(artifacts_dir / "distribution-buying-order.png"), full_page=True)

    await page.goto(f"{live_server}/console/distribution/buying")
    assert "¥412.00" in await page.locator("main").inner_text()

    await page.context.clear_cookies()
    await _sign_in(page, live_server, hotel)
    await page.goto(f"{live_server}/console/reservations?q=李娜")
    listed = await page.locator("#results").inner_text()
    assert "朝天门国际旅行社" in listed and "分销" in listed
    await page.click("#results a >> nth=0")
    await page.wait_for_selector("text=朝天门国际旅行社")
    await page.screenshot(
        path=str(artifacts_dir / "distribution-buying-hotel-sees-channel.png"), full_page=True
    )
