"""A group tour put together in a real browser: an agent picks the signed contract,
changes the dates (the day rows follow), plans each day, adds the coach, assigns the
guide and files the group with the bureau."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db.engine import TenantId
from modules.groups import service
from tests.factories.contracts import make_agency
from tests.factories.filings import make_registration
from tests.factories.groups import departure, signed_contract
from tests.factories.guides import make_guide
from tests.factories.tenants import make_staff

pytestmark = pytest.mark.browser

PLACES = ("洪崖洞、解放碑", "武隆天生三桥、龙水峡地缝", "大足石刻（宝顶山）")


async def _agency(committed_database):  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        owner = await make_agency(db, name="巴渝旅行社")
        await make_registration(
            db, tenant=owner.tenant, enterprise_code=owner.tenant.enterprise_code
        )
        agent = await make_staff(db, tenant=owner.tenant, role="agent", display_name="陈静")
        start = departure(20)  # not the form's default: the day rows must follow
        _contract, e_number = await signed_contract(db, tenant=owner.tenant, start=start)
        guide = await make_guide(db, tenant=owner.tenant, name="李晓燕")
        return owner, agent, start, e_number, guide.summary


async def test_an_agent_builds_and_files_a_group(
    live_server, browser, committed_database, artifacts_dir
):
    owner, agent, start, e_number, guide = await _agency(committed_database)
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", owner.tenant.slug)
    await page.fill("input[name=email]", agent.user.email)
    await page.fill("input[name=password]", agent.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")

    await page.click("nav >> text=团队")
    await page.click("text=新建团队")
    await page.fill("input[name=route_name]", "重庆—武隆—大足")
    await page.check(f"label:has-text('{e_number}') input[type=checkbox]")
    await page.fill("input[name=start_date]", start.isoformat())
    await page.fill("input[name=end_date]", (start + timedelta(days=2)).isoformat())
    await page.locator("input[name=end_date]").dispatch_event("change")
    # Both date changes redraw the day rows; type only once the last redraw has landed,
    # or an earlier answer arriving late replaces what was typed.
    await page.wait_for_load_state("networkidle")
    await page.wait_for_function(
        "() => document.querySelectorAll('input[name=day_places]').length === 3"
    )
    await page.wait_for_function("() => document.querySelectorAll('.htmx-request').length === 0")
    for i, places in enumerate(PLACES):
        await page.locator("input[name=day_places]").nth(i).fill(places)
    await page.click("text=添加车辆")
    await page.wait_for_function(
        "() => document.querySelectorAll('input[name=plate_no]').length === 2"
    )
    await page.locator("input[name=plate_no]").first.fill("渝A·65432")
    await page.locator("input[name=seats]").first.fill("45")
    await page.locator("input[name=driver_name]").first.fill("王建国")
    await page.screenshot(path=str(artifacts_dir / "groups-form.png"), full_page=True)
    async with page.expect_navigation():
        await page.click("button:has-text('保存为草稿')")
    await page.wait_for_selector("text=团队已保存为草稿")

    await page.select_option("select[name=guide_id]", str(guide.id))
    async with page.expect_navigation():
        await page.click("button:has-text('指派')")
    await page.wait_for_selector("text=已为该团行程日期指派导游")
    async with page.expect_navigation():
        await page.click("button:has-text('向旅游局报备')")
    # Say what the page showed instead when the filing did not go through.
    shown = await page.locator("#flash").inner_text()
    page_text = await page.locator("main").inner_text()
    assert "已提交旅游局报备" in shown, f"{page.url}\n{shown}\n{page_text[:1500]}"
    await page.screenshot(path=str(artifacts_dir / "groups-filed.png"), full_page=True)
    assert "导游委派" in await page.locator("#filing").inner_text()

    async with committed_database.transaction(owner.tenant.id) as db:
        listed = await service.list_groups(db, TenantId(owner.tenant.id), today=start)
        group = listed.upcoming[0].group
    assert (group.status, group.tourist_count) == ("filed", 2)
    assert group.group_no.endswith("-01")
