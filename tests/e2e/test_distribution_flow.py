"""Issue 13's Done-when in headless Chromium, end to end: the agency books a hotel room for a
tourist on its 分销采购 page and sees its prepaid balance drop by the settlement price
(¥1,000.00 → ¥412.00 for a ¥688 room it buys at ¥588); the hotel sees the booking in its
reservations marked with the agency's name as the channel; the period is settled (the
worker's nightly run, as on the first day of next month), the hotel and then the agency
confirm the statement, so the period is closed, and both download the very same statement
PDF with the order in it."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.distribution.service import ledger, settlement
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.reservations import future, make_stock
from tests.factories.tenants import make_staff, make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.realdb]


async def _sign_in(tab, base, who) -> None:  # type: ignore[no-untyped-def]
    await tab.goto(f"{base}/console/login")
    await tab.fill("input[name=tenant]", who.tenant.slug)
    await tab.fill("input[name=email]", who.user.email)
    await tab.fill("input[name=password]", who.password)
    await tab.click("button[type=submit]")
    await tab.wait_for_url(f"{base}/console")


def _next_month(today: date) -> date:
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def _pdf_text(pdf: bytes, path) -> str:  # type: ignore[no-untyped-def]
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


async def test_agency_books_the_hotel_sees_the_channel_and_both_close_the_same_statement(
    live_server, page, browser, committed_database, artifacts_dir, tmp_path, machine_clock
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

    # The nightly settlement run on the first day of next month issues this month's statement.
    async with committed_database.transaction() as db:
        tid = TenantId(hotel.tenant.id)
        await bind_tenant(db, tid)
        run = await settlement.settle_period(db, tid, today=_next_month(clock.today()))
        assert run.issued == 1

    await page.goto(f"{live_server}/console/distribution/statements")
    await page.click("text=JS-")
    await page.wait_for_selector("#closing-balance")
    assert "李娜" in await page.content()
    await page.click("#confirm-statement")
    await page.wait_for_selector("text=您已确认本对账单")
    hotel_statement = page.url

    agency_side = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        tab = await agency_side.new_page()
        await _sign_in(tab, live_server, agency)  # the agency's owner confirms for its finance
        await tab.goto(f"{live_server}/console/distribution/my-statements")
        await tab.click("text=JS-")
        await tab.wait_for_selector("#closing-balance")
        await tab.click("#confirm-statement")
        await tab.wait_for_selector("#statement-status")
        assert "已关闭" in await tab.inner_text("#statement-status")
        agency_url = await tab.get_attribute("#statement-pdf", "href")
        agency_pdf = await (await agency_side.request.get(f"{live_server}{agency_url}")).body()
    finally:
        await agency_side.close()

    await page.goto(hotel_statement)  # closed now: the hotel prints it again
    assert "已关闭" in await page.inner_text("#statement-status")
    hotel_url = await page.get_attribute("#statement-pdf", "href")
    hotel_pdf = await (await page.context.request.get(f"{live_server}{hotel_url}")).body()
    await page.screenshot(path=str(artifacts_dir / "distribution-flow-statement.png"))

    assert hotel_pdf.startswith(b"%PDF") and agency_pdf == hotel_pdf
    text = _pdf_text(hotel_pdf, tmp_path / "statement.pdf")
    for expected in ("结算对账单", "重庆江景酒店", "朝天门国际旅行社", "李娜", "¥588.00"):
        assert expected in text
