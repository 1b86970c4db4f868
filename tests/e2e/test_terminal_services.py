"""Issue 7 in a real browser: a terminal is paired with the code typed on the device, the
guest asks for housekeeping, staff mark it done in the console and the terminal shows
"已完成" without reloading; the guest orders room service and sees it on the bill.
Screenshots of the terminal at 1280×800 are saved to artifacts/."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from modules.guestservices import service
from modules.terminals import service as terminals
from tests.factories.frontdesk import make_stay
from tests.factories.guestservices import make_menu_item
from tests.factories.tenants import make_staff, make_tenant

pytestmark = pytest.mark.browser

TABLET = {"width": 1280, "height": 800}


async def _hotel(committed_database):  # type: ignore[no-untyped-def]
    """A hotel with a guest checked in, a menu, a clerk, and a terminal waiting for its
    pairing code in the guest's room."""
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="重庆解放碑江景酒店")
        tid = TenantId(owner.tenant.id)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk", display_name="张敏")
        checked = await make_stay(db, tenant=owner.tenant)
        await make_menu_item(db, tenant=owner.tenant, name="重庆小面", price="28.00")
        await make_menu_item(db, tenant=owner.tenant, menu="minibar", name="矿泉水", price="5")
        code = await terminals.register_device(
            db, tid, name="客房平板", unit_id=checked.stay.unit_id
        )
    return owner, clerk, checked, code.code


async def _pair(page, live_server, slug, code, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{live_server}/terminal/{slug}/pair")
    await page.fill("input[name=code]", code)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/terminal")
    await page.screenshot(path=str(artifacts_dir / "terminal-home.png"))


async def _sign_in(page, live_server, clerk) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", clerk.tenant.slug)
    await page.fill("input[name=email]", clerk.user.email)
    await page.fill("input[name=password]", clerk.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")


async def test_housekeeping_done_by_staff_shows_on_the_terminal_and_an_order_on_the_bill(
    stripe_emulator, live_server, browser, committed_database, artifacts_dir
):
    owner, clerk, checked, code = await _hotel(committed_database)
    room = checked.stay.unit_number

    device = await browser.new_context(viewport=TABLET, locale="zh-CN")
    terminal = await device.new_page()
    await _pair(terminal, live_server, owner.tenant.slug, code, artifacts_dir)
    assert checked.stay.guest_name in await terminal.locator("main").inner_text()

    await terminal.click("a[href='/terminal/services'] >> nth=0")
    await terminal.wait_for_url(f"{live_server}/terminal/services")
    await terminal.evaluate("window.__notReloaded = true")
    await terminal.click("button[data-kind=housekeeping]")
    request_row = terminal.locator("#gs-requests li[data-request]")
    await request_row.locator("[data-status=new]").wait_for()
    assert "已发送" in await request_row.inner_text()

    staff = await browser.new_context(viewport=TABLET, locale="zh-CN")
    desk = await staff.new_page()
    await _sign_in(desk, live_server, clerk)
    await desk.click("nav >> text=宾客服务请求")
    row = desk.locator("#gs-requests tr[data-request]", has_text=room)
    assert "打扫房间" in await row.inner_text()
    await desk.screenshot(path=str(artifacts_dir / "console-guest-requests.png"), full_page=True)
    await row.locator("button", has_text="完成").click()
    await desk.locator("#gs-requests", has_text="暂无服务请求").wait_for()

    # The terminal polls its list: the status changes without anyone touching it.
    await request_row.locator("[data-status=done]").wait_for(timeout=15000)
    assert "已完成" in await request_row.inner_text()
    assert await terminal.evaluate("window.__notReloaded === true")
    await terminal.screenshot(path=str(artifacts_dir / "terminal-services.png"))

    await terminal.click(".t-nav >> text=送餐服务")
    await terminal.wait_for_url(f"{live_server}/terminal/dining")
    noodles = terminal.locator("li[data-item='重庆小面']")
    await noodles.locator("[data-step='1']").click()
    await noodles.locator("[data-step='1']").click()
    await terminal.click("text=下单并记入房账")
    await terminal.locator(".gs-ok", has_text="费用已记入您的账单").wait_for()
    await terminal.screenshot(path=str(artifacts_dir / "terminal-dining.png"))

    await terminal.click(".t-nav >> text=我的账单")
    await terminal.wait_for_url(f"{live_server}/terminal/bill")
    bill = await terminal.locator("#gs-bill").inner_text()
    assert "重庆小面 ×2" in bill and "¥56.00" in bill
    await terminal.screenshot(path=str(artifacts_dir / "terminal-bill.png"))
    await device.close()
    await staff.close()

    async with committed_database.transaction(owner.tenant.id) as db:
        [order] = await service.stay_orders(db, TenantId(owner.tenant.id), checked.stay.id)
    assert (order.total_fen, order.status) == (5600, "new")
