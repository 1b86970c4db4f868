"""In headless Chromium: the clerk extends a guest's stay from the stay page, and the
manager closes yesterday with the night-audit button (htmx swaps in the result)."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from modules.frontdesk.demo import seed_demo as seed_desk
from modules.reservations.demo import seed_demo as seed_inventory
from tests.factories.tenants import make_tenant

pytestmark = pytest.mark.browser


async def test_extend_a_stay_then_close_the_day(
    live_server, page, committed_database, artifacts_dir
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="解放碑江景酒店", kinds=("hotel",))
    tid = TenantId(owner.tenant.id)
    async with committed_database.transaction(tid) as db:
        await seed_inventory(db, tid, ("hotel",))
        assert await seed_desk(db, tid, ("hotel",)) is not None

    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", owner.tenant.slug)
    await page.fill("input[name=email]", owner.user.email)
    await page.fill("input[name=password]", owner.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")

    await page.goto(f"{live_server}/console/frontdesk")
    await page.click("#in-house a[href*='/stays/'] >> nth=0")
    await page.wait_for_selector("#extend")
    await page.fill("#extend input[name=nights]", "1")
    await page.click("#extend button[type=submit]")
    await page.wait_for_selector("text=续住成功")
    assert "3晚" in (await page.inner_text("dl.fd-facts")).replace(" ", "")

    await page.click("nav >> text=营业日报")
    await page.wait_for_selector("#day-report")
    await page.click("button:has-text('夜审关账')")
    await page.wait_for_selector("#audit-result")
    assert "已关账" in await page.inner_text("#audit-result")
    assert await page.locator("#month tbody tr").count() >= 1
    await page.screenshot(path=str(artifacts_dir / "frontdesk-daily-report.png"), full_page=True)
