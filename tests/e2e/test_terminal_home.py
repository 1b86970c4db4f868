"""A room's terminal in a real browser: the manager registers it in the console and
reads the code, the tablet (1280x800) types it and shows the guest's greeting in
Chinese; after check-out the home screen's polling clears the name without a reload.
Screenshots of the home screen are saved to artifacts/ (not committed)."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from modules.frontdesk import service as frontdesk
from tests.factories.frontdesk import TZ, make_stay
from tests.factories.tenants import make_tenant
from tests.factories.terminals import make_announcement

pytestmark = pytest.mark.browser


async def _hotel(committed_database):  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="重庆解放碑江景酒店")
        checked = await make_stay(db, tenant=owner.tenant)
        await make_announcement(
            db, tenant=owner.tenant, body="今晚 20:00 游轮抵达丰都，可上岸游览鬼城"
        )
    return owner, checked


async def _code_from_console(browser, live_server, owner, room: str, unit_id, artifacts_dir) -> str:  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", owner.tenant.slug)
    await page.fill("input[name=email]", owner.user.email)
    await page.fill("input[name=password]", owner.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")
    await page.click("nav >> text=客房终端")
    await page.fill("input[name=name]", f"{room} 客房平板")
    await page.select_option("select[name=unit_id]", value=str(unit_id))
    await page.click("text=登记并显示配对码")
    code = (await page.locator("[data-code]").inner_text()).replace(" ", "")
    await page.screenshot(
        path=str(artifacts_dir / "terminal-console-pairing-code.png"), full_page=True
    )
    await context.close()
    return code


async def test_a_paired_terminal_greets_the_guest_and_forgets_them_at_check_out(
    live_server, browser, committed_database, artifacts_dir
):
    owner, checked = await _hotel(committed_database)
    room = checked.stay.unit_number
    code = await _code_from_console(
        browser, live_server, owner, room, checked.stay.unit_id, artifacts_dir
    )

    tablet = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await tablet.new_page()
    await page.goto(f"{live_server}/terminal")  # a new tablet: nobody knows whose it is
    assert await page.locator("h1").inner_text() == "此终端尚未配对"
    await page.goto(f"{live_server}/terminal/{owner.tenant.slug}/pair")
    await page.fill("input[name=code]", "000000" if code != "000000" else "111111")
    await page.click("button[type=submit]")
    assert "配对代码错误或已过期" in await page.locator(".t-error").first.inner_text()
    await page.fill("input[name=code]", code)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/terminal")
    greeting = page.locator(".t-greeting h1")
    assert await greeting.inner_text() == "张伟，欢迎入住重庆解放碑江景酒店"
    assert f"{room} 房" in await page.locator(".t-room").inner_text()
    assert "游轮抵达丰都" in await page.locator(".t-ticker").inner_text()
    tile = await page.locator("[data-tile=info]").bounding_box()
    assert tile and tile["height"] >= 100  # a touch target, not a link
    await page.screenshot(path=str(artifacts_dir / "terminal-home.png"))

    await page.click("[data-tile=spots]")
    assert await page.locator("h1").inner_text() == "景点导览"
    await page.click("text=首页")

    async with committed_database.transaction(TenantId(owner.tenant.id)) as db:
        await frontdesk.check_out(
            db,
            TenantId(owner.tenant.id),
            checked.stay.id,
            method="cash",
            actor=frontdesk.SYSTEM,
            tz=TZ,
        )
    # What the 30-second poll does, now rather than in half a minute.
    await page.evaluate("htmx.ajax('GET', '/terminal/live', '#home-live')")
    await page.wait_for_function(
        "() => !document.querySelector('.t-greeting h1').textContent.includes('张伟')"
    )
    assert await greeting.inner_text() == "欢迎光临重庆解放碑江景酒店"
    assert await page.locator("[data-tile=bill]").count() == 0
    await page.screenshot(path=str(artifacts_dir / "terminal-home-after-check-out.png"))

    phone = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    cookies = await tablet.cookies()
    await phone.add_cookies([c for c in cookies if c["name"] == "zhilv_terminal"])
    small = await phone.new_page()
    await small.goto(f"{live_server}/terminal")
    assert await small.locator("[data-tile=info]").is_visible()
    await small.screenshot(path=str(artifacts_dir / "terminal-home-phone.png"), full_page=True)
    await phone.close()
    await tablet.close()
