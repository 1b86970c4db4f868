"""A travel contract from draft to the public check, in a real browser: the agent sends
the draft to the tourist, the tourist reads and signs it on a phone with the one-time
code from the text message, the agent countersigns (e-number, PDF, bureau filing), and
anyone holding the number and the printed code checks it on /verify/contract and
downloads the very PDF that was signed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app.db.engine import TenantId
from modules.contracts import domain
from modules.filings import service as filings
from modules.filings.service.client import BureauClient
from tests.e2e.test_booking_flow import PHONE, pdf_text
from tests.factories.contracts import last_code, make_agency, make_draft
from tests.factories.filings import SECRET, make_registration
from tests.factories.tenants import make_staff

pytestmark = pytest.mark.browser


async def _agency(committed_database):
    """An agency registered with the bureau, an agent, and a complete draft."""
    async with committed_database.transaction() as db:
        owner = await make_agency(db, name="重庆巴渝国际旅行社")
        await make_registration(
            db,
            tenant=owner.tenant,
            district_code="500105",
            enterprise_code=owner.tenant.enterprise_code,
        )
        agent = await make_staff(db, tenant=owner.tenant, role="agent", display_name="王芳")
        contract_id = await make_draft(db, tenant=owner.tenant)
    return owner, agent, contract_id


async def _sign_in(page, live_server, staff) -> None:
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", staff.tenant.slug)
    await page.fill("input[name=email]", staff.user.email)
    await page.fill("input[name=password]", staff.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")


async def _tourist_signs(browser, live_server, link, committed_database, owner, artifacts_dir):
    """On a phone: read the whole text, get the code, type it, sign."""
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    phone = await context.new_page()
    await phone.goto(live_server + link)
    assert await phone.locator("h1").first.inner_text() == "您的旅游合同"
    text = await phone.locator("#contract-text").inner_text()
    assert "张伟" in text and "武隆" in text
    await phone.screenshot(path=str(artifacts_dir / "contract-signing-phone.png"), full_page=True)
    await phone.click("#send-code")
    await phone.wait_for_selector("#code-sent")
    assert "138****0001" in await phone.locator("#code-sent").inner_text()
    async with committed_database.transaction(owner.tenant.id) as db:
        code = await last_code(db, owner.tenant)
    await phone.fill("input[name=code]", code)
    await phone.check("input[name=agree]")
    await phone.click("#confirm-sign")
    await phone.wait_for_selector("#waiting")
    assert "等待旅行社盖章确认" in await phone.locator("#waiting").inner_text()
    return context, phone


async def _file_with_the_bureau(committed_database, owner, bureau_sim, settings) -> None:
    """What the drain job does once the countersignature commits."""
    bureau_sim.register(owner.tenant.enterprise_code, SECRET)
    client = BureauClient(bureau_sim.url, timeout=5)
    async with committed_database.transaction(owner.tenant.id) as db:
        batch = await filings.send_due(db, TenantId(owner.tenant.id), client, settings, limit=10)
    assert batch.outcomes == ("accepted",)


async def test_draft_to_tourist_signature_to_countersignature_to_public_check(
    live_server, browser, committed_database, bureau_sim, settings, artifacts_dir
):
    owner, agent, contract_id = await _agency(committed_database)

    console_context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN"
    )
    console = await console_context.new_page()
    await _sign_in(console, live_server, agent)
    await console.goto(f"{live_server}/console/contracts/{contract_id}")
    await console.click("form[action$='/send'] button")
    await console.wait_for_selector("#signing-link")
    sent = urlsplit((await console.locator("#signing-link .ct-link").inner_text()).strip())
    assert sent.path == "/sign/contract"

    phone_context, phone = await _tourist_signs(
        browser, live_server, f"{sent.path}?{sent.query}", committed_database, owner, artifacts_dir
    )

    await console.reload()
    await console.click("form[action$='/countersign'] button")
    await console.wait_for_url(re.compile(r".*notice=signed"))
    await console.screenshot(path=str(artifacts_dir / "contract-countersigned.png"), full_page=True)
    await console_context.close()
    await _file_with_the_bureau(committed_database, owner, bureau_sim, settings)

    # The tourist's page now shows the number, the printed code and the way to the check.
    await phone.reload()
    e_number = (await phone.locator("#e-number").inner_text()).strip()
    assert domain.parse_e_number(e_number) is not None
    assert e_number.startswith(owner.tenant.enterprise_code[8:17])
    code = (await phone.locator("#verify-code").inner_text()).strip()
    await phone.screenshot(path=str(artifacts_dir / "contract-signed-phone.png"), full_page=True)
    await phone_context.close()

    # Anyone with the paper contract: a typo in the number is caught, then the real check.
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = await context.new_page()
    await page.goto(f"{live_server}/verify/contract?n={e_number}")
    assert await page.input_value("input[name=n]") == e_number
    typo = e_number[:-1] + next(c for c in domain.ALPHABET if c != e_number[-1])
    await page.fill("input[name=n]", typo)
    await page.fill("input[name=code]", code)
    await page.click("#verify-form button[type=submit]")
    assert "编号校验位不符，请检查输入" in await page.locator(".has-error").inner_text()
    await page.fill("input[name=n]", e_number)
    await page.fill("input[name=code]", code)
    await page.click("#verify-form button[type=submit]")
    await page.wait_for_selector("#result #checked-number")
    assert await page.locator("#checked-number").inner_text() == e_number
    result = await page.locator("#result").inner_text()
    assert "已签署生效" in result and "重庆巴渝国际旅行社" in result
    assert await page.locator("#masked-names").inner_text() == "张*、李*"
    assert "张伟" not in await page.content()
    assert (await page.locator("#receipt").inner_text()).strip()
    await page.screenshot(path=str(artifacts_dir / "contract-public-check.png"), full_page=True)

    href = await page.locator("#pdf-link").get_attribute("href")
    pdf = await page.request.get(f"{live_server}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(await pdf.body())
    assert e_number in text and "张伟" in text
    await context.close()
