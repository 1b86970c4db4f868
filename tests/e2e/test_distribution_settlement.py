"""Issue 13's Done-when, the statement half, in a real browser: last month an agency bought
a room from a hotel at its settlement price; the hotel's finance presses 立即结算 and follows
the run, the period's statement is issued, the hotel confirms it, the agency finds the same
statement under 我的对账单 and confirms it: the period is closed, and both sides download the
very same PDF (the hotel's name, the agency's, the guest and the amount in it)."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from app import clock
from app.db.engine import TenantId
from app.jobs.runtime import JobRuntime, use_runtime
from modules.distribution import tasks
from modules.distribution.service import ledger
from tests.e2e import conftest as e2e
from tests.factories.distribution import (
    make_agreement,
    make_distributor,
    make_order,
    make_product,
)
from tests.factories.tenants import make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.realdb]


async def _last_month_sale(database):  # type: ignore[no-untyped-def]
    """The hotel, the agency, their agreement from last month, a top-up and one sale (¥588,
    李娜) dated in last month."""
    today = clock.today("Asia/Shanghai")
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    async with database.transaction() as db:
        hotel = await make_tenant(db, name="山城江景大酒店")
        agency = await make_tenant(db, kinds=("agency",), name="朝天门国际旅行社")
        tid = TenantId(hotel.tenant.id)
        distributor = await make_distributor(db, tenant=hotel.tenant, partner=agency.tenant)
        agreement = await make_agreement(
            db, tenant=hotel.tenant, distributor=distributor, valid_from=first
        )
        product = await make_product(db, tenant=hotel.tenant, agreement=agreement)
        order = await make_order(db, tenant=hotel.tenant, product=product, guest_name="李娜")
        day = first + timedelta(days=2)
        await ledger.post(
            db, tid, kind="topup", agreement_id=agreement.id, accounting_date=day,
            lines=[("funds", None, 100000), ("distributor_prepaid", agreement.id, -100000)],
            reference="BANK-E2E",
        )  # fmt: skip
        await ledger.post(
            db, tid, kind="sale", agreement_id=agreement.id, accounting_date=day,
            order_id=order.id,
            lines=[("distributor_prepaid", agreement.id, 58800),
                   ("supplier_receivable", agreement.id, -58800)],
        )  # fmt: skip
    return hotel, agency, agreement


async def _sign_in(page, base: str, staff) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base}/console/login")
    await page.fill("input[name=tenant]", staff.tenant.slug)
    await page.fill("input[name=email]", staff.user.email)
    await page.fill("input[name=password]", staff.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/console")


def _text(pdf: bytes, path) -> str:  # type: ignore[no-untyped-def]
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


async def test_the_period_is_closed_and_both_sides_see_the_same_statement_pdf(
    live_server, browser, committed_database, artifacts_dir, tmp_path, machine_clock
):
    e2e.CSP_VIOLATIONS.clear()
    hotel, agency, _agreement = await _last_month_sale(committed_database)
    base = live_server

    supplier = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    distributor = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        page = await supplier.new_page()
        await _sign_in(page, base, hotel)
        await page.goto(f"{base}/console/distribution/statements")
        await page.click("#settle-now")
        await page.wait_for_selector("#settle-progress")
        assert "job=" in page.url
        # The worker's run of the queued job (this test has no worker process).
        with use_runtime(JobRuntime(database=committed_database, settings=None)):  # type: ignore[arg-type]
            assert await tasks.settle(tenant_id=str(hotel.tenant.id)) >= 1
        await page.goto(f"{base}/console/distribution/statements")
        await page.click("text=JS-")
        await page.wait_for_selector("#closing-balance")
        assert "李娜" in await page.content()
        await page.click("#confirm-statement")
        await page.wait_for_selector("text=您已确认本对账单")
        hotel_statement = page.url

        agency_page = await distributor.new_page()
        await _sign_in(agency_page, base, agency)
        await agency_page.goto(f"{base}/console/distribution/my-statements")
        await agency_page.click("text=JS-")
        await agency_page.wait_for_selector("#closing-balance")
        await agency_page.click("#confirm-statement")
        await agency_page.wait_for_selector("#statement-status")
        assert "已关闭" in await agency_page.inner_text("#statement-status")
        agency_url = await agency_page.get_attribute("#statement-pdf", "href")
        agency_pdf = await (await distributor.request.get(f"{base}{agency_url}")).body()
        await agency_page.screenshot(path=str(artifacts_dir / "distribution-statement-agency.png"))

        await page.goto(hotel_statement)  # closed now: the hotel prints it again
        assert "已关闭" in await page.inner_text("#statement-status")
        pdf_url = await page.get_attribute("#statement-pdf", "href")
        hotel_pdf = await (await supplier.request.get(f"{base}{pdf_url}")).body()
        await page.screenshot(path=str(artifacts_dir / "distribution-statement-hotel.png"))
    finally:
        await supplier.close()
        await distributor.close()

    assert hotel_pdf.startswith(b"%PDF")
    assert agency_pdf == hotel_pdf  # the very same document
    text = _text(agency_pdf, tmp_path / "agency.pdf")
    assert text == _text(hotel_pdf, tmp_path / "hotel.pdf")
    for expected in ("结算对账单", "山城江景大酒店", "朝天门国际旅行社", "李娜", "¥588.00"):
        assert expected in text
    assert not e2e.CSP_VIOLATIONS, e2e._violations()
