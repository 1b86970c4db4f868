"""The guide archive in a real browser: an agent archives a guide with a photo in the
console, the list flags an expired licence, and a tourist checks the licence on a phone."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from modules.guides.demo import portrait
from tests.factories.guides import make_guide, today, unique_licence
from tests.factories.tenants import make_staff, make_tenant

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


async def _agency(committed_database):  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("agency",), name="重庆巴渝测试旅行社")
        agent = await make_staff(db, tenant=owner.tenant, role="agent", display_name="杨雪")
        await make_guide(
            db,
            tenant=owner.tenant,
            name="李婷",
            licence_valid_until=(today() - timedelta(days=3)).isoformat(),
        )
    return owner, agent


async def photo_shown(page: Any) -> None:
    """Wait until the guide's photo has loaded and decoded; fails after 15 s. The page's
    text is there before the image arrives, on a busy machine seconds before."""
    await page.wait_for_function(
        "() => { const i = document.querySelector('img.gd-photo');"
        " return i !== null && i.complete && i.naturalWidth > 0; }",
        timeout=15_000,
    )


async def test_agent_archives_a_guide_and_a_tourist_checks_the_licence(
    live_server, browser, committed_database, artifacts_dir, tmp_path
):
    _owner, agent = await _agency(committed_database)
    photo = tmp_path / "portrait.png"
    photo.write_bytes(portrait((70, 110, 160)))
    licence = unique_licence()

    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", agent.tenant.slug)
    await page.fill("input[name=email]", agent.user.email)
    await page.fill("input[name=password]", agent.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")
    await page.click("nav >> text=导游")
    assert "已过期" in await page.locator("table").inner_text()
    await page.click("text=新增导游")
    await page.fill("input[name=licence_no]", licence.lower().replace("-", " "))
    await page.fill("input[name=name]", "黄磊")
    await page.select_option("select[name=level]", "senior")
    await page.check("input[name=languages][value=english]")
    await page.check("input[name=languages][value=chongqing]")
    valid_until = (today() + timedelta(days=700)).isoformat()
    await page.fill("input[name=licence_valid_until]", valid_until)
    await page.fill("input[name=phone]", "13902360000")
    await page.set_input_files("input[name=photo]", str(photo))
    await page.click("button:has-text('保存')")
    await page.wait_for_url(re.compile(r".*/console/guides/[0-9a-f-]+\?notice=created"))
    assert "导游已建档" in await page.locator("#flash").inner_text()
    assert licence in await page.locator("h1").inner_text()
    await photo_shown(page)
    await page.screenshot(path=str(artifacts_dir / "guide-record.png"), full_page=True)
    await context.close()

    phone = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = await phone.new_page()
    await page.goto(f"{live_server}/verify/guide")
    await page.fill("input[name=licence]", licence)
    await page.click("button:has-text('查询')")
    verdict = await page.locator(".gv-verdict").inner_text()
    assert "有效" in verdict
    card = await page.locator(".gd-facts").inner_text()
    assert "黄磊" in card and "高级" in card and "英语" in card and valid_until in card
    assert "13902360000" not in await page.content()
    await photo_shown(page)
    await page.screenshot(path=str(artifacts_dir / "guide-verify-phone.png"), full_page=True)
    await page.fill("input[name=licence]", unique_licence())
    await page.click("button:has-text('查询')")
    assert "未找到该导游证信息" in await page.locator(".gv-verdict").inner_text()
    await phone.close()
