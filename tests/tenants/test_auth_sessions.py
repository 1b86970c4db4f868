"""Staff sessions: rotation on sign-in, cookie flags, sign-out, expiry, CSRF on forms."""

from __future__ import annotations

from sqlalchemy import func, select, text

from app.db.engine import bind_tenant
from tenants.context import SESSION_COOKIE
from tenants.models import Membership, StaffSession
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import CSRF_COOKIE, form_post, sign_in


def session_cookie(client) -> str:
    return client.cookies[SESSION_COOKIE]


def use_session(client, value: str) -> None:
    """Make the browser present this session cookie (an old one, a stolen one)."""
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, value, domain="testserver.local", path="/")


async def console_status(client) -> int:
    return (await client.get("/console/", follow_redirects=False)).status_code


class TestRotation:
    async def test_signing_in_again_ends_the_session_the_browser_presented(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        old = session_cookie(client)
        await sign_in(client, owner)
        new = session_cookie(client)
        assert new != old
        use_session(client, old)
        assert await console_status(client) == 303
        use_session(client, new)
        assert await console_status(client) == 200

    async def test_a_session_of_another_enterprise_is_ended_too(self, client, db):
        hotel = await make_tenant(db)
        cruise = await make_tenant(db, kinds=("cruise",))
        await sign_in(client, hotel)
        hotel_session = session_cookie(client)
        await sign_in(client, cruise)
        use_session(client, hotel_session)
        assert await console_status(client) == 303

    async def test_a_failed_sign_in_leaves_the_current_session_alone(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await form_post(
            client,
            "/console/login",
            {"tenant": owner.tenant.slug, "email": owner.user.email, "password": "wrong-pass-1"},
        )
        assert response.status_code == 422
        assert await console_status(client) == 200

    async def test_a_planted_unknown_cookie_does_not_break_sign_in(self, client, db):
        owner = await make_tenant(db)
        use_session(client, f"{owner.tenant.id}.not-a-real-secret")
        await sign_in(client, owner)
        assert await console_status(client) == 200


class TestCookie:
    async def test_session_cookie_is_http_only_same_site_lax(self, client, db):
        owner = await make_tenant(db)
        response = await form_post(
            client,
            "/console/login",
            {"tenant": owner.tenant.slug, "email": owner.user.email, "password": owner.password},
        )
        cookie = next(
            h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
        )
        flags = cookie.lower()
        assert "httponly" in flags
        assert "samesite=lax" in flags
        assert "path=/" in flags
        assert "secure" not in flags  # tests run over plain http

    async def test_session_cookie_is_secure_when_settings_say_so(
        self, client, db, settings, monkeypatch
    ):
        monkeypatch.setattr(settings, "cookie_secure", True)
        owner = await make_tenant(db)
        response = await form_post(
            client,
            "/console/login",
            {"tenant": owner.tenant.slug, "email": owner.user.email, "password": owner.password},
        )
        cookie = next(
            h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
        )
        assert "secure" in cookie.lower()

    async def test_only_a_digest_of_the_secret_is_stored(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        secret = session_cookie(client).split(".", 1)[1]
        await bind_tenant(db, owner.tenant.id)
        hashes = (
            (
                await db.execute(
                    select(StaffSession.token_hash).where(StaffSession.tenant_id == owner.tenant.id)
                )
            )
            .scalars()
            .all()
        )
        assert hashes and secret not in hashes


class TestSignOut:
    async def test_sign_out_ends_the_session_for_good(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        cookie = session_cookie(client)
        response = await form_post(client, "/console/logout", {}, follow_redirects=False)
        assert response.status_code == 303
        use_session(client, cookie)
        assert await console_status(client) == 303

    async def test_an_expired_session_stops_working(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        await bind_tenant(db, owner.tenant.id)
        await db.execute(text("UPDATE staff_sessions SET expires_at = now() - interval '1 minute'"))
        assert await console_status(client) == 303

    async def test_a_removed_member_is_out_at_once(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant)
        await sign_in(client, clerk)
        await bind_tenant(db, owner.tenant.id)
        await db.execute(
            text("UPDATE memberships SET status = 'removed' WHERE id = :id"),
            {"id": clerk.membership.id},
        )
        assert await console_status(client) == 303

    async def test_an_invited_member_cannot_sign_in_before_accepting(self, client, db):
        owner = await make_tenant(db)
        invited = await make_staff(db, tenant=owner.tenant, status="invited")
        response = await form_post(
            client,
            "/console/login",
            {
                "tenant": owner.tenant.slug,
                "email": invited.user.email,
                "password": invited.password,
            },
        )
        assert response.status_code == 422

    async def test_staff_of_a_suspended_enterprise_are_told_so_only_with_the_right_password(
        self, client, db
    ):
        owner = await make_tenant(db)
        await db.execute(
            text("UPDATE tenants SET status = 'suspended' WHERE id = :id"), {"id": owner.tenant.id}
        )
        wrong = await form_post(
            client,
            "/console/login",
            {"tenant": owner.tenant.slug, "email": owner.user.email, "password": "wrong-pass-1"},
        )
        right = await form_post(
            client,
            "/console/login",
            {"tenant": owner.tenant.slug, "email": owner.user.email, "password": owner.password},
        )
        assert wrong.status_code == right.status_code == 422
        assert "暂停" not in wrong.text
        assert "暂停" in right.text


class TestCsrf:
    async def test_sign_in_without_the_csrf_token_is_refused(self, client, db):
        owner = await make_tenant(db)
        await client.get("/console/login")
        response = await client.post(
            "/console/login",
            data={
                "tenant": owner.tenant.slug,
                "email": owner.user.email,
                "password": owner.password,
            },
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert SESSION_COOKIE not in response.cookies

    async def test_a_staff_change_without_the_csrf_token_is_refused(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await client.post(
            "/console/staff/invite",
            data={"email": "new@x.test", "display_name": "新人", "role": "cashier"},
            follow_redirects=False,
        )
        assert response.status_code == 403
        await bind_tenant(db, owner.tenant.id)
        count = await db.scalar(select(func.count()).where(Membership.tenant_id == owner.tenant.id))
        assert count == 1

    async def test_a_wrong_csrf_token_is_refused(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        assert CSRF_COOKIE in client.cookies
        response = await client.post(
            "/console/logout", data={"_csrf_token": "forged"}, follow_redirects=False
        )
        assert response.status_code == 403
        assert await console_status(client) == 200
