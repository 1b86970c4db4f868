"""The whole stay in a real browser: a guest books and pays on the booking page from a
phone, the front desk checks them in (suggested room), posts a charge, checks them out
settling the balance and prints the invoice; housekeeping marks the room clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from app.db.engine import TenantId
from modules.frontdesk import domain
from modules.reservations import service as reservations
from tests.factories.frontdesk import hotel_today
from tests.factories.reservations import RESIDENT_ID, make_rate_plan, make_stock
from tests.factories.tenants import make_staff, make_tenant
from tests.stripe_fixtures import VISA

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True)
    return done.stdout.decode("utf-8")


async def _fill_card(page, number: str) -> None:  # type: ignore[no-untyped-def]
    """The emulator's Stripe.js mock draws the card element as plain inputs."""
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "400010"),
    ):
        await page.locator(f"#card-element input[placeholder={placeholder}]").type(value)


async def _hotel(committed_database):  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="重庆解放碑江景酒店")
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk", display_name="张敏")
        rack = await make_rate_plan(
            db, tenant=owner.tenant, code="rack", name="门市价", deposit_kind="first_night"
        )
        stock = await make_stock(
            db,
            tenant=owner.tenant,
            start=hotel_today(),
            plan=rack,
            units=3,
            name="豪华江景大床房",
            base_price_fen=58800,
        )
    return owner, clerk, stock


async def _guest_books_and_pays(browser, live_server, slug, artifacts_dir) -> str:  # type: ignore[no-untyped-def]
    """On a phone: dates, the room, the guest, the card; back on the confirmation page."""
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = await context.new_page()
    await page.goto(f"{live_server}/book/{slug}/")
    assert await page.locator("h1").inner_text() == "预订客房"
    tomorrow = hotel_today() + timedelta(days=1)
    await page.fill("input[name=departure]", (tomorrow + timedelta(days=1)).isoformat())
    await page.click("text=查看可订房型")
    offer = page.locator("article.bk-offer", has_text="豪华江景大床房")
    assert "¥1,176.00" in await offer.inner_text()  # two nights at ¥588
    await page.screenshot(path=str(artifacts_dir / "booking-offers-phone.png"), full_page=True)
    await offer.locator("text=预订此房型").click()
    await page.fill("input[name=name]", "刘洋")
    await page.fill("input[name=phone]", "13883300003")
    await page.fill("input[name=id_number]", RESIDENT_ID[:-1] + "0")  # a wrong check digit
    await page.check("input[value=river_view]")
    await page.click("button[type=submit]")
    assert "校验位" in await page.locator(".has-error").inner_text()
    await page.fill("input[name=id_number]", RESIDENT_ID)
    await page.screenshot(path=str(artifacts_dir / "booking-details-phone.png"), full_page=True)
    await page.click("text=下一步：支付 ¥588.00")
    await page.wait_for_url(re.compile(r".*/pay/.*"))
    await _fill_card(page, VISA)
    await page.click("#pay-button")
    await page.wait_for_url(re.compile(r".*/reservations/[0-9a-f-]+\?code=.*"))
    assert await page.locator("h1").first.inner_text() == "预订成功"
    code = (await page.locator("#confirmation-code").inner_text()).strip()
    await page.screenshot(path=str(artifacts_dir / "booking-confirmed-phone.png"), full_page=True)
    href = await page.locator("a", has_text="预订确认单").get_attribute("href")
    pdf = await page.request.get(f"{live_server}{href}")
    assert code in pdf_text(await pdf.body())
    await context.close()
    return code


async def _sign_in(page, live_server, clerk) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", clerk.tenant.slug)
    await page.fill("input[name=email]", clerk.user.email)
    await page.fill("input[name=password]", clerk.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")


async def test_guest_books_and_pays_then_the_front_desk_checks_them_in_and_out(
    stripe_emulator, live_server, browser, committed_database, artifacts_dir
):
    owner, clerk, _stock = await _hotel(committed_database)
    code = await _guest_books_and_pays(browser, live_server, owner.tenant.slug, artifacts_dir)

    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    await _sign_in(page, live_server, clerk)
    await page.click("nav >> text=前台")
    arrival = page.locator(f"#arrivals tr[data-code='{code}']")
    assert "已付定金" in await arrival.inner_text()
    await arrival.locator("text=办理入住").click()
    suggested = page.locator(".fd-room", has=page.locator("input:checked"))
    room = (await suggested.locator(".number").inner_text()).strip()
    await page.screenshot(path=str(artifacts_dir / "frontdesk-check-in.png"), full_page=True)
    await page.click("form >> button:has-text('办理入住')")
    await page.wait_for_url(re.compile(r".*/console/frontdesk/stays/.*"))
    assert "入住成功" in await page.locator("#flash").inner_text()

    # Two nights at ¥588, the first night paid online: ¥588.00 still owed.
    assert await page.locator("#balance").inner_text() == "¥588.00"
    await page.fill("#folio input[name=description]", "迷你吧 啤酒两瓶")
    await page.locator("#folio input[name=amount]").first.fill("30")
    await page.click("#folio button:text-is('入账')")
    await page.wait_for_function(
        "() => document.querySelector('#balance').textContent.trim() === '¥618.00'"
    )
    await page.screenshot(path=str(artifacts_dir / "frontdesk-stay.png"), full_page=True)

    # Leaving on the day of arrival: the second night is taken off, ¥30.00 is left to pay.
    await page.select_option("#check-out select[name=method]", "wechat")
    await page.click("text=结账退房")
    await page.wait_for_url(re.compile(r".*notice=checked_out"))
    assert "已结账退房" in await page.locator("#flash").inner_text()
    assert await page.locator("#balance").inner_text() == "¥0.00"
    href = await page.locator("a", has_text="结账单").get_attribute("href")
    invoice = await page.request.get(f"{live_server}{href}")
    text = pdf_text(await invoice.body())
    for expected in (
        "重庆解放碑江景酒店",
        "结账单",
        "刘洋",
        room,
        "迷你吧 啤酒两瓶",
        "提前退房",
        "前台收款（微信支付）",
        "¥30.00",
    ):
        assert expected in text

    await page.click("nav >> text=客房清洁")
    tile = page.locator(f".hk-tile[data-number='{room}']")
    assert await tile.get_attribute("data-status") == "dirty"
    await tile.locator("text=清洁完成").click()
    await page.wait_for_selector(f".hk-tile[data-number='{room}'][data-status='clean']")
    await page.screenshot(path=str(artifacts_dir / "housekeeping-board.png"), full_page=True)
    await context.close()

    async with committed_database.transaction(owner.tenant.id) as db:
        r = await reservations.find_by_code(db, TenantId(owner.tenant.id), code)
    assert (r.status, r.paid_fen) == ("checked_out", 58800 + 3000)
    assert domain.business_date("Asia/Shanghai") == r.arrival
