"""My account: changing one's own password, seeing and ending one's sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import select

from app.db.engine import bind_tenant
from tenants.models import AuditEvent, StaffSession
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

NEW_PASSWORD = "Changed-pass-2026"


@asynccontextmanager
async def second_browser(app, staff) -> AsyncIterator[httpx.AsyncClient]:
    """The same person signed in from another computer."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
        await sign_in(other, staff)
        yield other


async def still_signed_in(client) -> bool:
    return (await client.get("/console/", follow_redirects=False)).status_code == 200


async def change(client, current, new=NEW_PASSWORD, confirm=None):
    return await form_post(
        client,
        "/console/account/password",
        {"current_password": current, "new_password": new, "new_password_confirm": confirm or new},
        follow_redirects=False,
    )


class TestChangePassword:
    async def test_changing_the_password_keeps_this_session_and_ends_the_others(
        self, app, client, db
    ):
        clerk = await make_staff(db, tenant=(await make_tenant(db)).tenant, role="guide")
        await sign_in(client, clerk)
        async with second_browser(app, clerk) as other:
            response = await change(client, clerk.password)
            assert response.status_code == 303
            assert await still_signed_in(client)
            assert not await still_signed_in(other)
        clerk.password = NEW_PASSWORD
        await sign_in(client, clerk)

    async def test_the_current_password_is_required(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await change(client, "not-the-password-1")
        assert response.status_code == 422
        assert "密码不正确" in response.text
        assert (await change(client, owner.password)).status_code == 303

    async def test_a_weak_or_mistyped_new_password_is_refused(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        assert (await change(client, owner.password, new="password")).status_code == 422
        mismatch = await change(client, owner.password, confirm="Different-pass-1")
        assert mismatch.status_code == 422
        assert "两次输入的密码不一致" in mismatch.text

    async def test_guessing_the_current_password_is_throttled(self, client, db, settings):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        for _ in range(settings.login_max_failures):
            assert (await change(client, "guess-password-1")).status_code == 422
        response = await change(client, owner.password)
        assert response.status_code == 429
        assert "retry-after" in response.headers

    async def test_the_change_is_audited(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        await change(client, owner.password)
        await bind_tenant(db, owner.tenant.id)
        stmt = select(AuditEvent.action).where(AuditEvent.tenant_id == owner.tenant.id)
        assert "auth.password_changed" in (await db.execute(stmt)).scalars().all()


class TestSessions:
    async def test_the_page_lists_my_sessions_and_marks_this_one(self, app, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        async with second_browser(app, owner):
            page = await client.get("/console/account")
        assert page.status_code == 200
        assert "当前会话" in page.text
        assert "198.51.100.20" in page.text

    async def test_sign_out_everywhere_else(self, app, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        async with second_browser(app, owner) as other:
            response = await form_post(
                client, "/console/account/sessions/end-others", {}, follow_redirects=False
            )
            assert response.status_code == 303
            assert await still_signed_in(client)
            assert not await still_signed_in(other)

    async def test_ending_one_other_session(self, app, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        async with second_browser(app, owner) as other:
            await bind_tenant(db, owner.tenant.id)
            stmt = select(StaffSession.id).where(StaffSession.ip == "198.51.100.20")
            session_id = (await db.execute(stmt)).scalar_one()
            path = f"/console/account/sessions/{session_id}/end"
            response = await form_post(client, path, {}, follow_redirects=False)
            assert response.status_code == 303
            assert not await still_signed_in(other)

    async def test_someone_elses_session_answers_404(self, app, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant)
        async with second_browser(app, owner) as other:
            await sign_in(client, clerk)
            await bind_tenant(db, owner.tenant.id)
            stmt = select(StaffSession.id).where(StaffSession.user_id == owner.user.id)
            owners_session = (await db.execute(stmt)).scalar_one()
            path = f"/console/account/sessions/{owners_session}/end"
            assert (await form_post(client, path, {})).status_code == 404
            assert await still_signed_in(other)

    async def test_every_role_may_open_its_own_account(self, client, db):
        owner = await make_tenant(db)
        auditor = await make_staff(db, tenant=owner.tenant, role="auditor")
        await sign_in(client, auditor)
        assert (await client.get("/console/account")).status_code == 200
