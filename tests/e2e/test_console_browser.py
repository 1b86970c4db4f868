"""The console in a real browser: sign in, the shell in Chinese, htmx loaded, sign out."""

from __future__ import annotations

import pytest

from tests.factories.tenants import make_tenant

pytestmark = pytest.mark.browser


async def test_owner_signs_in_sees_chinese_console_and_signs_out(
    live_server, page, committed_database, artifacts_dir
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="重庆解放碑测试酒店")
    await page.goto(f"{live_server}/console/")
    assert "/console/login" in page.url
    await page.fill("input[name=tenant]", owner.tenant.slug)
    await page.fill("input[name=email]", owner.user.email)
    await page.fill("input[name=password]", owner.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")
    assert await page.locator(".tenant-name").inner_text() == "重庆解放碑测试酒店"
    assert await page.locator("html").get_attribute("lang") == "zh-CN"
    assert await page.evaluate("typeof window.htmx") == "object"
    await page.screenshot(path=str(artifacts_dir / "console-home.png"))
    await page.click("text=退出登录")
    await page.wait_for_url(f"{live_server}/console/login")
    await page.goto(f"{live_server}/console/")
    assert "/console/login" in page.url
