"""The key-tag desk takes a guest's card for a hold the way the guest pay step does: the card
field shows when the tab is a card hold, Stripe.js (the emulator's) turns the card into a
token in the page, and the visit opens with the hold as its tab's limit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.engine import TenantId
from modules.keytags.models import Visit
from modules.payments import service as payments
from tests.e2e import conftest as e2e
from tests.factories.keytags import make_locker, make_section, make_ticket_type
from tests.factories.tenants import make_staff, make_tenant
from tests.stripe_fixtures import VISA

pytestmark = [pytest.mark.browser, pytest.mark.realdb]
TAG = "04C4D0E801"


async def _fill_card(page, number: str) -> None:  # type: ignore[no-untyped-def]
    """The mock's card element is five plain inputs, named by their placeholders."""
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "400700"),
    ):
        await page.locator(f"#card-element input[placeholder={placeholder}]").type(value)


async def test_the_desk_holds_800_on_the_guests_card_through_the_page(
    live_server, browser, committed_database, artifacts_dir, machine_clock
):
    e2e.CSP_VIOLATIONS.clear()
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",), name="重庆北碚缙云温泉度假酒店")
        tenant = owner.tenant
        cashier = await make_staff(db, tenant=tenant, role="cashier")
        await make_ticket_type(db, tenant=tenant, code="ADULT", name="成人票")
        section = await make_section(db, tenant=tenant, code="F", name="女宾更衣室")
        await make_locker(db, tenant=tenant, section=section, number="F001")
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = await context.new_page()
        await page.goto(f"{live_server}/console/login")
        await page.fill("input[name=tenant]", tenant.slug)
        await page.fill("input[name=email]", cashier.user.email)
        await page.fill("input[name=password]", cashier.password)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{live_server}/console")

        await page.goto(f"{live_server}/console/keytags")
        await page.wait_for_selector("#admit-form")
        assert await page.evaluate("typeof Stripe") == "function"
        assert await page.locator("#card-hold").is_hidden()  # a cash deposit: no card asked
        assert await page.locator("text=Card terminal token").count() == 0
        await page.fill("input[name=guest_name]", "李娜")
        await page.fill("#persons-0-tag_uid", TAG)
        await page.select_option("#tab_mode", "card_preauth")
        await page.wait_for_selector("#card-hold", state="visible")
        await page.fill("#preauth", "800")
        await _fill_card(page, VISA)
        await page.screenshot(path=str(artifacts_dir / "keytags-desk-card.png"), full_page=True)
        await page.click("#admit-button")
        await page.wait_for_selector("#done")
        assert "¥800.00" in await page.locator("#tab").inner_text()

        async with committed_database.transaction(tenant.id) as db:
            visit = await db.scalar(select(Visit).where(Visit.tenant_id == tenant.id))
            assert visit is not None
            assert (visit.tab_mode, visit.limit_fen) == ("card_preauth", 80000)
            assert visit.preauth_payment_id is not None
            held = await payments.payments_for(db, TenantId(tenant.id), "spa_visit", visit.id)
        assert [(p.amount_fen, p.status) for p in held] == [(80000, "processing")]
        assert e2e.CSP_VIOLATIONS == []
    finally:
        await context.close()
