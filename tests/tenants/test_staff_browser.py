"""Staff management in a real browser: the inline role change and removal go through htmx
(the row is replaced, the page stays), with the confirmation dialog before removal."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from tenants import service
from tests.e2e.conftest import browser, live_server, page  # noqa: F401 - fixtures
from tests.factories.tenants import make_staff, make_tenant

pytestmark = pytest.mark.browser


async def roles_of(committed_database, tenant_id) -> dict[str, tuple[str, str]]:
    async with committed_database.transaction(tenant_id) as db:
        rows = await service.list_staff(db, TenantId(tenant_id), include_removed=True)
    return {r.user.email: (r.membership.role, r.membership.status) for r in rows}


async def test_owner_changes_a_role_and_removes_someone_without_leaving_the_page(
    live_server,  # noqa: F811
    page,  # noqa: F811
    committed_database,
    artifacts_dir,
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, name="磁器口民宿")
        clerk = await make_staff(db, tenant=owner.tenant, display_name="张前台")
    await page.goto(f"{live_server}/console/login")
    await page.fill("input[name=tenant]", owner.tenant.slug)
    await page.fill("input[name=email]", owner.user.email)
    await page.fill("input[name=password]", owner.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/console")

    await page.goto(f"{live_server}/console/staff")
    row = page.locator(f"#member-{clerk.membership.id}")
    async with page.expect_response(lambda r: r.url.endswith("/role")) as answer:
        await row.locator("select[name=role]").select_option("cashier")
    response = await answer.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"
    assert page.url == f"{live_server}/console/staff"
    roles = await roles_of(committed_database, owner.tenant.id)
    assert roles[clerk.user.email] == ("cashier", "active")

    page.once("dialog", lambda dialog: dialog.accept())
    await row.locator("button.danger").click()
    await page.locator(f"#member-{clerk.membership.id} .pill.err").wait_for()
    assert page.url == f"{live_server}/console/staff"
    roles = await roles_of(committed_database, owner.tenant.id)
    assert roles[clerk.user.email] == ("cashier", "removed")
    await page.screenshot(path=str(artifacts_dir / "console-staff.png"), full_page=True)
