"""The reservations console in headless Chromium: the calendar edited in bulk through
htmx, and a booking made at the desk with offers that follow the dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.db.engine import TenantId
from modules.reservations.demo import seed_demo
from tests.factories.tenants import make_tenant

pytestmark = pytest.mark.browser


async def _sign_in(tab, base, owner) -> None:
    await tab.goto(f"{base}/console/login")
    await tab.fill("input[name=tenant]", owner.tenant.slug)
    await tab.fill("input[name=email]", owner.user.email)
    await tab.fill("input[name=password]", owner.password)
    await tab.click("button[type=submit]")
    await tab.wait_for_url(f"{base}/console")


async def test_calendar_bulk_edit_and_desk_booking(
    live_server, page, committed_database, artifacts_dir
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="解放碑江景酒店", kinds=("hotel",))
    async with committed_database.transaction(owner.tenant.id) as db:
        await seed_demo(db, TenantId(owner.tenant.id), ("hotel",))
    await _sign_in(page, live_server, owner)

    await page.click("text=房量与房价")
    await page.wait_for_selector("table.calendar")
    assert await page.locator("table.calendar tbody tr").count() == 4
    start = await page.locator("input[name=view_start]").input_value()
    await page.fill("input[name=start]", start)
    await page.fill("input[name=end]", start)
    await page.fill("input[name=price]", "999")
    await page.click("button:has-text('应用')")
    await page.wait_for_selector("text=已更新 1 天。")
    assert "999" in await page.locator("table.calendar tbody tr").first.inner_text()
    await page.screenshot(path=str(artifacts_dir / "reservations-calendar.png"), full_page=True)

    await page.click("text=预订")
    await page.click("text=新建预订")
    await page.wait_for_selector("#offers table")
    departure = await page.locator("input[name=departure]").input_value()
    later = (date.fromisoformat(departure) + timedelta(days=1)).isoformat()
    async with page.expect_response(lambda r: "/console/reservations/offers" in r.url):
        await page.fill("input[name=departure]", later)
        await page.dispatch_event("input[name=departure]", "change")
    await page.wait_for_selector("#offers table")
    await page.check("#offers input[type=radio] >> nth=1")
    await page.fill("input[name=guest_name]", "刘洋")
    await page.fill("input[name=guest_phone]", "13883300003")
    await page.screenshot(path=str(artifacts_dir / "reservations-new.png"), full_page=True)
    await page.click("button:has-text('预订') >> nth=-1")
    await page.wait_for_selector("text=预订已确认。")
    text = await page.locator("main").inner_text()
    assert "刘洋" in text and "豪华江景双床房" in text
    await page.screenshot(path=str(artifacts_dir / "reservations-detail.png"), full_page=True)
