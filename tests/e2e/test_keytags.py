"""A hot-spring guest's day in real browsers (issue 12's Done-when): the desk issues a tag and
a locker, the bar's POS charges the tag twice, the exit gate refuses the unpaid tag, the exit
desk takes the payment, the gate opens and the locker is free again."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.keytags import service
from modules.keytags.models import KeyTag, Locker, Visit
from tests.e2e import conftest as e2e
from tests.factories.keytags import (
    make_item,
    make_locker,
    make_outlet,
    make_section,
    make_ticket_type,
)
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_staff, make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.realdb]
TAG = "04A3E2E001"


async def _resort(database):  # type: ignore[no-untyped-def]
    """A resort with one ticket, one changing room of one locker, a bar with two drinks, a
    cashier, and its exit gate's API key."""
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",), name="重庆北碚缙云温泉度假酒店")
        tenant = owner.tenant
        cashier = await make_staff(db, tenant=tenant, role="cashier")
        ticket = await make_ticket_type(db, tenant=tenant, code="ADULT", name="成人票")
        section = await make_section(db, tenant=tenant, code="M", name="男宾更衣室")
        locker = await make_locker(db, tenant=tenant, section=section, number="M001")
        bar = await make_outlet(db, tenant=tenant, code="SHUIBA", name="泉畔水吧", kind="bar")
        await make_item(
            db, tenant=tenant, outlet=bar, code="XGZ", name="鲜榨西瓜汁", price_fen=2800
        )
        await make_item(
            db, tenant=tenant, outlet=bar, code="NMC", name="手打柠檬茶", price_fen=2200
        )
        _key, gate_token = await make_api_key(db, tenant, scopes={"gate:exit"}, name="出口闸机")
        admission = await service.admission_price(db, TenantId(tenant.id), ticket, clock.today())
    return tenant, cashier, bar, locker, gate_token, admission


async def _sign_in(page, base: str, staff) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base}/console/login")
    await page.fill("input[name=tenant]", staff.tenant.slug)
    await page.fill("input[name=email]", staff.user.email)
    await page.fill("input[name=password]", staff.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/console")


async def _gate(base: str, token: str) -> dict:  # type: ignore[type-arg]
    async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
        response = await http.post(
            "/api/v1/keytags/gate",
            json={"uid": TAG, "direction": "out", "device_id": "exit-gate-1"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    return response.json()


async def _charge(page, code: str, times: int = 1) -> None:  # type: ignore[no-untyped-def]
    """The reader types the tag and Enter; the guest shows; tap the items; charge."""
    await page.fill("#pos-tag", "")
    await page.keyboard.type(TAG, delay=2)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#pos-guest [data-tag-status=open]")
    for _ in range(times):
        await page.click(f"[data-item={code}]")
    await page.click("#pos-charge")
    await page.wait_for_selector("#pos-guest [data-charged]")


async def test_a_tag_issued_charged_twice_paid_at_the_exit_opens_the_gate(
    live_server, browser, committed_database, artifacts_dir, machine_clock
):
    e2e.CSP_VIOLATIONS.clear()
    tenant, cashier, bar, locker, gate_token, admission = await _resort(committed_database)
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        page = await context.new_page()
        await _sign_in(page, live_server, cashier)

        # The desk: a walk-in paying at the exit, the reader types the tag; a locker is given.
        await page.goto(f"{live_server}/console/keytags")
        await page.wait_for_selector("#admit-form")
        all_free = await page.locator("#occupancy .section-M").inner_text()
        await page.fill("input[name=guest_name]", "张伟")
        await page.fill("#persons-0-tag_uid", TAG)
        await page.select_option("#tab_mode", "postpay")
        await page.click("#admit-button")
        await page.wait_for_selector("#done")
        assert TAG in await page.locator("#tag").inner_text()
        assert "M001" in await page.locator("#locker").inner_text()
        await page.goto(f"{live_server}/console/keytags")
        assert await page.locator("#occupancy .section-M").inner_text() != all_free

        # The bar's POS: two charges on the tag.
        await page.goto(f"{live_server}/console/keytags/pos/{bar.id}")
        await page.wait_for_selector("#pos-tag")
        await _charge(page, "XGZ", times=2)
        first = await page.locator("#pos-guest [data-charged]").get_attribute("data-charged")
        assert "¥56.00" in await page.locator("#pos-guest [data-charged]").inner_text()
        await _charge(page, "NMC")
        second = page.locator("#pos-guest [data-charged]")
        assert await second.get_attribute("data-charged") != first
        assert "¥78.00" in await second.inner_text()  # the running total
        await page.screenshot(path=str(artifacts_dir / "keytags-pos.png"))

        # The exit gate refuses the tag: not paid.
        refused = await _gate(live_server, gate_token)
        assert refused["open"] is False and refused["reason"] == "unpaid"
        assert refused["due_fen"] == admission + 7800

        # The exit desk: scan, the bill, pay by WeChat Pay.
        await page.goto(f"{live_server}/console/keytags/exit")
        await page.fill("#tag", TAG)
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#bill-summary")
        assert f"¥{(admission + 7800) / 100:,.2f}" in await page.locator("#to-pay").inner_text()
        await page.check("input[name=method][value=wechat]")
        await page.click("#settle")
        await page.wait_for_selector("#settled-notice")
        await page.screenshot(path=str(artifacts_dir / "keytags-exit-paid.png"), full_page=True)

        # The gate opens now; the visit is over, the locker and the tag are free.
        opened = await _gate(live_server, gate_token)
        assert opened["open"] is True, opened
        await page.goto(f"{live_server}/console/keytags")
        assert await page.locator("#occupancy .section-M").inner_text() == all_free
        assert not e2e.CSP_VIOLATIONS, e2e.CSP_VIOLATIONS
    finally:
        await context.close()

    async with committed_database.transaction() as db:
        await bind_tenant(db, tenant.id)
        row = await db.get(Locker, locker.id)
        assert row is not None and row.status == "free" and row.visit_id is None
        visit = (await db.execute(select(Visit).where(Visit.tenant_id == tenant.id))).scalar_one()
        assert visit.status == "closed" and visit.exit_at is not None
        assert visit.bill_fen == admission + 7800
        tag = (await db.execute(select(KeyTag).where(KeyTag.uid == TAG))).scalar_one()
        assert tag.status == "available"
