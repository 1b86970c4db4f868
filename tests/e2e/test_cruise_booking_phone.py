"""In headless Chromium on a 390 px wide phone: the sailings, a sailing's grades and the
passengers of a cabin fit the screen (nothing wider than the phone), and a wrong resident ID
is shown next to its field."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories.boarding_booking import make_voyage_on_sale, resident_id
from tests.factories.tenants import make_tenant

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


async def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


async def test_the_cruise_booking_pages_fit_a_phone(
    live_server, browser, committed_database, artifacts_dir
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("cruise",), name="长江世纪游轮")
        sale = await make_voyage_on_sale(db, tenant=owner.tenant, grades=2, deposit_bp=3000)
    context = await browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    try:
        await page.goto(f"{live_server}/book/{owner.tenant.slug}/")
        await page.wait_for_selector("#sailings")
        await _fits(page)
        await page.screenshot(path=str(artifacts_dir / "cruise-sailings-phone.png"), full_page=True)
        await page.click("#sailings a.button.primary >> nth=0")
        await page.wait_for_selector("#grades")
        await _fits(page)
        await page.click("#grades a.button.primary >> nth=0")
        await page.wait_for_selector("#passenger-1")
        await _fits(page)
        await page.fill("input[name=p0_name]", "张伟")
        await page.fill("input[name=p0_id_number]", resident_id(date(1980, 3, 7)))
        await page.fill("input[name=p0_phone]", "13800138000")
        await page.fill("input[name=p1_name]", "李娜")
        good = resident_id(date(1982, 5, 9), seq="124")
        await page.fill("input[name=p1_id_number]", good[:-1] + ("1" if good[-1] == "0" else "0"))
        await page.click("button[name=pay]")
        await page.wait_for_selector("#passenger-1 .error")
        await _fits(page)
        await page.screenshot(
            path=str(artifacts_dir / "cruise-passengers-phone.png"), full_page=True
        )
        assert sale.voyage.id
    finally:
        await context.close()
