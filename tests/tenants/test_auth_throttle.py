"""Sign-in throttling: per e-mail and per client address, recorded and audited."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, text

from app.db.engine import bind_tenant
from tenants.models import AuditEvent, LoginAttempt
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

WRONG = "wrong-password-1"


async def attempt(client, staff, password=None, email=None):
    return await form_post(
        client,
        "/console/login",
        {
            "tenant": staff.tenant.slug,
            "email": email or staff.user.email,
            "password": password or staff.password,
        },
        follow_redirects=False,
    )


async def fail_times(client, staff, n, **kw):
    for _ in range(n):
        response = await attempt(client, staff, password=WRONG, **kw)
        assert response.status_code == 422


class TestThrottleByAccount:
    async def test_after_too_many_failures_even_the_right_password_gets_429(
        self, client, db, settings
    ):
        owner = await make_tenant(db)
        await fail_times(client, owner, settings.login_max_failures)
        response = await attempt(client, owner)
        assert response.status_code == 429
        assert 0 < int(response.headers["retry-after"]) <= settings.login_window_minutes * 60
        assert "zhilv_session" not in response.cookies
        assert "登录失败次数过多" in response.text

    async def test_throttled_attempt_does_not_even_check_the_password(
        self, client, db, settings, monkeypatch
    ):
        owner = await make_tenant(db)
        await fail_times(client, owner, settings.login_max_failures)

        def must_not_be_called(*args):
            raise AssertionError("password checked while throttled")

        monkeypatch.setattr("tenants.service.auth.verify_password", must_not_be_called)
        assert (await attempt(client, owner)).status_code == 429

    async def test_fewer_failures_than_the_limit_still_let_the_owner_in(self, client, db, settings):
        owner = await make_tenant(db)
        await fail_times(client, owner, settings.login_max_failures - 1)
        assert (await attempt(client, owner)).status_code == 303

    async def test_a_successful_sign_in_starts_the_count_afresh(self, client, db, settings):
        owner = await make_tenant(db)
        await fail_times(client, owner, settings.login_max_failures - 1)
        assert (await attempt(client, owner)).status_code == 303
        await fail_times(client, owner, settings.login_max_failures - 1)
        assert (await attempt(client, owner)).status_code == 303

    async def test_throttle_ends_when_the_failures_leave_the_window(self, client, db, settings):
        owner = await make_tenant(db)
        await fail_times(client, owner, settings.login_max_failures)
        await db.execute(
            text(
                "UPDATE login_attempts SET attempted_at = attempted_at - make_interval(mins => :m)"
                " WHERE email = :e"
            ),
            {"m": settings.login_window_minutes + 1, "e": owner.user.email.lower()},
        )
        assert (await attempt(client, owner)).status_code == 303

    async def test_e_mail_is_throttled_whatever_its_case_and_spacing(self, client, db, settings):
        owner = await make_tenant(db)
        shouted = f"  {owner.user.email.upper()} "
        await fail_times(client, owner, settings.login_max_failures, email=shouted)
        assert (await attempt(client, owner)).status_code == 429

    async def test_another_account_from_the_same_address_is_not_blocked(self, client, db, settings):
        owner = await make_tenant(db)
        colleague = await make_staff(db, tenant=owner.tenant)
        await fail_times(client, owner, settings.login_max_failures)
        assert (await attempt(client, colleague)).status_code == 303


class TestThrottleByAddress:
    async def test_many_failures_from_one_address_block_every_account_from_it(
        self, client, db, settings, monkeypatch
    ):
        monkeypatch.setattr(settings, "login_max_failures", 2)
        owner = await make_tenant(db)
        for i in range(8):  # the per-address allowance is four times the per-account one
            response = await attempt(client, owner, password=WRONG, email=f"guess{i}@x.test")
            assert response.status_code == 422
        response = await attempt(client, owner)
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) > 0

    async def test_other_addresses_are_not_blocked(self, app, client, db, settings, monkeypatch):
        monkeypatch.setattr(settings, "login_max_failures", 2)
        owner = await make_tenant(db)
        for i in range(8):
            await attempt(client, owner, password=WRONG, email=f"guess{i}@x.test")
        transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local"
        ) as other:
            await sign_in(other, owner)


class TestAttemptsAreRecorded:
    async def test_every_attempt_is_recorded_with_its_address(self, client, db):
        owner = await make_tenant(db)
        await attempt(client, owner, password=WRONG)
        await attempt(client, owner)
        rows = (
            await db.execute(
                select(LoginAttempt.succeeded, LoginAttempt.ip)
                .where(LoginAttempt.email == owner.user.email.lower())
                .order_by(LoginAttempt.attempted_at)
            )
        ).all()
        assert [(r.succeeded, str(r.ip)) for r in rows] == [
            (False, "203.0.113.10"),
            (True, "203.0.113.10"),
        ]

    @pytest.mark.parametrize(
        ("who", "reason"), [("member", "bad_password"), ("stranger", "not_member")]
    )
    async def test_failures_go_to_the_named_enterprise_audit_log(self, client, db, who, reason):
        owner = await make_tenant(db)
        email = owner.user.email if who == "member" else "nobody@x.test"
        await attempt(client, owner, password=WRONG, email=email)
        await bind_tenant(db, owner.tenant.id)
        event = (
            await db.execute(
                select(AuditEvent).where(
                    AuditEvent.tenant_id == owner.tenant.id,
                    AuditEvent.action == "auth.sign_in_failed",
                )
            )
        ).scalar_one()
        assert event.data == {"email": email.lower(), "reason": reason}
        assert str(event.ip) == "203.0.113.10"

    async def test_throttled_attempts_are_audited_as_such(self, client, db, settings):
        owner = await make_tenant(db)
        await fail_times(client, owner, settings.login_max_failures)
        await attempt(client, owner)
        await bind_tenant(db, owner.tenant.id)
        reasons = (
            (
                await db.execute(
                    select(AuditEvent.data["reason"].astext).where(
                        AuditEvent.tenant_id == owner.tenant.id,
                        AuditEvent.action == "auth.sign_in_failed",
                    )
                )
            )
            .scalars()
            .all()
        )
        assert sorted(reasons) == ["bad_password"] * settings.login_max_failures + ["throttled"]
