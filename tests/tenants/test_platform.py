"""The platform operator console: operators sign in apart from any enterprise, list the
enterprises, and suspend or reactivate one — which stops or restores its staff sessions
and API keys at once, with every record kept."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from app.db.engine import TenantId, bind_tenant
from tenants import service
from tenants.context import OPERATOR_COOKIE
from tenants.models import AuditEvent, Tenant
from tests.factories.tenants import make_staff, make_tenant, unique
from tests.helpers import form_post, sign_in

OPERATOR_PASSWORD = "Operator-pass-2026"


@pytest.fixture
async def operator_client(app):
    """A second browser, for the operator, beside the staff member's `client`."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


async def make_operator(db):
    user, _ = await service.create_operator(
        db, email=f"{unique('op')}@zhilv.test", password=OPERATOR_PASSWORD, name="运维小王"
    )
    return user


async def operator_sign_in(client, user, password=OPERATOR_PASSWORD):
    return await form_post(
        client,
        "/platform/login",
        {"email": user.email, "password": password},
        follow_redirects=False,
    )


async def tenant_actions(db, tenant_id) -> list[str]:
    await bind_tenant(db, tenant_id)
    rows = await db.execute(select(AuditEvent.action).where(AuditEvent.tenant_id == tenant_id))
    return list(rows.scalars())


class TestOperatorSignIn:
    async def test_an_operator_signs_in_and_sees_the_enterprises(self, operator_client, db):
        owner = await make_tenant(db, name="解放碑山城江景酒店")
        await make_staff(db, tenant=owner.tenant, role="front_desk")
        operator = await make_operator(db)
        response = await operator_sign_in(operator_client, operator)
        assert response.status_code == 303
        assert response.headers["location"] == "/platform"
        page = await operator_client.get("/platform")
        assert page.status_code == 200
        assert "解放碑山城江景酒店" in page.text
        assert owner.tenant.slug in page.text
        row = page.text.split(owner.tenant.slug)[1].split("</tr>")[0]
        assert '<td class="num">2</td>' in row  # owner + front desk

    async def test_staff_who_are_not_operators_are_refused(self, operator_client, db):
        owner = await make_tenant(db)
        response = await form_post(
            operator_client,
            "/platform/login",
            {"email": owner.user.email, "password": owner.password},
        )
        assert response.status_code == 422
        assert OPERATOR_COOKIE not in operator_client.cookies

    async def test_a_staff_session_does_not_open_the_platform(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await client.get("/platform", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/platform/login")

    async def test_without_a_session_the_platform_redirects_to_sign_in(self, operator_client):
        response = await operator_client.get("/platform", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/platform/login")

    async def test_an_operator_flag_removed_ends_access(self, operator_client, db):
        operator = await make_operator(db)
        await operator_sign_in(operator_client, operator)
        operator.is_operator = False
        await db.flush()
        response = await operator_client.get("/platform", follow_redirects=False)
        assert response.status_code == 303

    async def test_repeated_wrong_passwords_are_throttled(self, operator_client, db, settings):
        operator = await make_operator(db)
        for _ in range(settings.login_max_failures):
            bad = await operator_sign_in(operator_client, operator, password="Wrong-pass-000")
            assert bad.status_code == 422
        right = await operator_sign_in(operator_client, operator)
        assert right.status_code == 429
        assert OPERATOR_COOKIE not in operator_client.cookies

    async def test_signing_out_ends_the_session(self, operator_client, db):
        operator = await make_operator(db)
        await operator_sign_in(operator_client, operator)
        cookie = operator_client.cookies[OPERATOR_COOKIE]
        await form_post(operator_client, "/platform/logout", {}, follow_redirects=False)
        operator_client.cookies.set(OPERATOR_COOKIE, cookie, path="/platform")
        response = await operator_client.get("/platform", follow_redirects=False)
        assert response.status_code == 303


class TestSuspension:
    async def test_suspending_stops_staff_and_keys_and_reactivating_restores_them(
        self, client, operator_client, db
    ):
        owner = await make_tenant(db, name="峡韵游轮")
        tenant_id = TenantId(owner.tenant.id)
        await bind_tenant(db, tenant_id)
        key = await service.create_api_key(db, tenant_id, name="闸机", scopes=("boarding:scan",))
        await db.flush()
        bearer = {"Authorization": f"Bearer {key.token}"}
        await sign_in(client, owner)
        assert (await client.get("/console/")).status_code == 200
        assert (await client.get("/api/v1/me", headers=bearer)).status_code == 200

        await operator_sign_in(operator_client, await make_operator(db))
        suspended = await form_post(
            operator_client,
            f"/platform/tenants/{tenant_id}/suspend",
            {"reason": "欠费三个月"},
            follow_redirects=False,
        )
        assert suspended.status_code == 303

        staff_page = await client.get("/console/", follow_redirects=False)
        assert staff_page.status_code == 303
        assert staff_page.headers["location"].startswith("/console/login")
        refused = await client.get("/api/v1/me", headers=bearer)
        assert refused.status_code == 401
        assert refused.json()["code"] == "not_authenticated"
        again = await form_post(
            client,
            "/console/login",
            {"tenant": owner.tenant.slug, "email": owner.user.email, "password": owner.password},
        )
        assert again.status_code == 422

        reactivated = await form_post(
            operator_client, f"/platform/tenants/{tenant_id}/reactivate", {}, follow_redirects=False
        )
        assert reactivated.status_code == 303
        assert (await client.get("/api/v1/me", headers=bearer)).status_code == 200
        await sign_in(client, owner)
        assert "峡韵游轮" in (await client.get("/console/")).text

    async def test_suspension_is_written_to_the_enterprises_own_log(self, operator_client, db):
        owner = await make_tenant(db)
        operator = await make_operator(db)
        await operator_sign_in(operator_client, operator)
        path = f"/platform/tenants/{owner.tenant.id}"
        await form_post(operator_client, f"{path}/suspend", {"reason": "营业执照过期"})
        await form_post(operator_client, f"{path}/reactivate", {})
        actions = await tenant_actions(db, owner.tenant.id)
        assert "tenant.suspended" in actions
        assert "tenant.reactivated" in actions
        suspended = (
            await db.execute(select(AuditEvent).where(AuditEvent.action == "tenant.suspended"))
        ).scalar_one()
        assert suspended.data["reason"] == "营业执照过期"
        assert suspended.actor_user_id == operator.id
        assert suspended.tenant_id == owner.tenant.id

    async def test_data_is_kept_while_suspended(self, operator_client, db):
        owner = await make_tenant(db)
        await make_staff(db, tenant=owner.tenant, role="manager")
        await operator_sign_in(operator_client, await make_operator(db))
        await form_post(
            operator_client, f"/platform/tenants/{owner.tenant.id}/suspend", {"reason": "测试"}
        )
        page = await operator_client.get(f"/platform/tenants/{owner.tenant.id}")
        assert "已停用" in page.text
        assert "测试" in page.text
        assert (await service.tenant_for_operator(db, owner.tenant.id)).staff == 2
        assert len(await tenant_actions(db, owner.tenant.id)) >= 2

    async def test_a_reason_is_required(self, operator_client, db):
        owner = await make_tenant(db)
        await operator_sign_in(operator_client, await make_operator(db))
        response = await form_post(
            operator_client, f"/platform/tenants/{owner.tenant.id}/suspend", {"reason": "  "}
        )
        assert response.status_code == 422
        assert "请说明停用此企业的原因" in response.text
        tenant = (
            await db.execute(
                select(Tenant)
                .where(Tenant.id == owner.tenant.id)
                .execution_options(populate_existing=True)
            )
        ).scalar_one()
        assert tenant.status == "active"

    async def test_staff_cannot_suspend(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await form_post(
            client,
            f"/platform/tenants/{owner.tenant.id}/suspend",
            {"reason": "自己停用自己"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("/platform/login")
        assert (await client.get("/console/")).status_code == 200

    async def test_an_unknown_enterprise_is_not_found(self, operator_client, db):
        await operator_sign_in(operator_client, await make_operator(db))
        missing = "/platform/tenants/00000000-0000-7000-8000-000000000000"
        assert (await operator_client.get(missing)).status_code == 404
        response = await form_post(operator_client, f"{missing}/suspend", {"reason": "x"})
        assert response.status_code == 404

    async def test_the_list_can_show_only_suspended_enterprises(self, operator_client, db):
        active = await make_tenant(db, name="营业中酒店")
        paused = await make_tenant(db, name="已停用酒店")
        await operator_sign_in(operator_client, await make_operator(db))
        await form_post(
            operator_client, f"/platform/tenants/{paused.tenant.id}/suspend", {"reason": "x"}
        )
        page = await operator_client.get("/platform", params={"status": "suspended"})
        assert "已停用酒店" in page.text
        assert active.tenant.name not in page.text
