"""API keys: issued in the console (shown once), used as bearer tokens, revocable."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar import get
from sqlalchemy import select

from app.db.engine import TenantId, bind_tenant
from app.security.access import ApiKey as ApiKeyGuard
from app.security.access import Scope
from app.security.tokens import digest
from tenants import service
from tenants.context import Ctx
from tenants.models import ApiKey, AuditEvent
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

TOKEN_RE = re.compile(r"zk_[0-9a-f]{32}_[0-9a-f]{32}_[A-Za-z0-9_-]+")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def new_key(db, staff, scopes=("boarding:scan",), name="登船闸机 1号"):
    tenant_id = TenantId(staff.tenant.id)
    await bind_tenant(db, tenant_id)
    return await service.create_api_key(db, tenant_id, name=name, scopes=tuple(scopes))


async def stored_key(db, tenant_id, key_id) -> ApiKey:
    await bind_tenant(db, tenant_id)
    stmt = select(ApiKey).where(ApiKey.id == key_id).execution_options(populate_existing=True)
    return (await db.execute(stmt)).scalar_one()


async def audit_actions(db, tenant_id) -> list[str]:
    await bind_tenant(db, tenant_id)
    rows = await db.execute(select(AuditEvent.action).where(AuditEvent.tenant_id == tenant_id))
    return list(rows.scalars())


@pytest.fixture
def scoped_route(app):
    """A scope-protected API route, as modules will declare them."""

    @get("/api/v1/test-boarding", opt={"guard": ApiKeyGuard(Scope.BOARDING_SCAN)})
    async def boarding_probe(ctx: Ctx) -> dict[str, str]:
        return {"tenant": ctx.tenant.slug if ctx.tenant else ""}

    app.register(boarding_probe)
    return "/api/v1/test-boarding"


class TestCreateInConsole:
    async def test_manager_creates_a_key_and_sees_the_token_once(self, client, db):
        owner = await make_tenant(db)
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        await sign_in(client, manager)
        response = await form_post(
            client,
            "/console/apikeys",
            {"name": "携程直连", "scopes": ["reservations:read", "reservations:write"]},
        )
        assert response.status_code == 201
        assert response.headers["cache-control"] == "no-store"
        token = TOKEN_RE.search(response.text).group(0)
        listing = await client.get("/console/apikeys")
        assert "携程直连" in listing.text
        assert token not in listing.text
        assert f"zk_…{token[-4:]}" in listing.text

    async def test_only_a_digest_of_the_secret_is_stored(self, db):
        owner = await make_tenant(db)
        created = await new_key(db, owner)
        key = await stored_key(db, owner.tenant.id, created.id)
        secret = created.token.split("_", 3)[3]
        assert key.secret_hash == digest(secret)
        assert secret not in key.secret_hash
        assert key.hint == created.token[-4:]
        assert created.token.startswith(f"zk_{owner.tenant.id.hex}_{created.id.hex}_")

    async def test_a_key_needs_a_name_and_a_known_scope(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await form_post(client, "/console/apikeys", {"name": "", "scopes": "root"})
        assert response.status_code == 422
        assert "请为密钥命名" in response.text
        assert "请从列表中选择权限范围" in response.text

    async def test_the_page_offers_only_scopes_some_route_requires(self, app, client, db):
        """A key is never granted a permission with nothing behind it: until a route
        requires `boarding:scan`, the page neither offers nor accepts it."""
        owner = await make_tenant(db)
        await sign_in(client, owner)
        page = await client.get("/console/apikeys")
        assert 'value="reservations:read"' in page.text
        for scope in app.state.scopes_in_use:
            assert f'value="{scope}"' in page.text
        unused = [s for s in Scope if s not in app.state.scopes_in_use]
        for scope in unused:
            assert f'value="{scope}"' not in page.text
        if unused:
            response = await form_post(
                client, "/console/apikeys", {"name": "闸机", "scopes": unused[0].value}
            )
            assert response.status_code == 422

    async def test_front_desk_staff_cannot_manage_keys(self, client, db):
        owner = await make_tenant(db)
        desk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, desk)
        assert (await client.get("/console/apikeys")).status_code == 403
        response = await form_post(
            client, "/console/apikeys", {"name": "x", "scopes": "pos:charge"}
        )
        assert response.status_code == 403

    async def test_creation_is_audited(self, db):
        owner = await make_tenant(db)
        await new_key(db, owner)
        assert "apikey.created" in await audit_actions(db, owner.tenant.id)


class TestBearerAuthentication:
    async def test_a_device_can_check_its_key(self, client, db):
        owner = await make_tenant(db, name="峡韵游轮")
        created = await new_key(db, owner, scopes=("boarding:scan", "terminals:read"))
        response = await client.get("/api/v1/me", headers=bearer(created.token))
        assert response.status_code == 200
        body = response.json()
        assert body["tenant"] == {"slug": owner.tenant.slug, "name": "峡韵游轮"}
        assert body["key"]["name"] == "登船闸机 1号"
        assert body["key"]["scopes"] == ["boarding:scan", "terminals:read"]

    @pytest.mark.parametrize(
        "header",
        [None, "Bearer ", "Bearer zk_nonsense", "Basic dXNlcjpwYXNz", "Bearer zk_00_00_x"],
    )
    async def test_missing_or_malformed_keys_get_401_json(self, client, header):
        headers = {"Authorization": header} if header else {}
        response = await client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert response.json()["message"]

    async def test_a_wrong_secret_gets_401(self, client, db):
        owner = await make_tenant(db)
        created = await new_key(db, owner)
        forged = created.token[:-6] + "AAAAAA"
        response = await client.get("/api/v1/me", headers=bearer(forged))
        assert response.status_code == 401
        assert set(response.json()) == {"code", "message"}

    async def test_a_key_presented_under_another_tenant_gets_401(self, client, db):
        owner = await make_tenant(db)
        other = await make_tenant(db)
        created = await new_key(db, owner)
        moved = created.token.replace(owner.tenant.id.hex, other.tenant.id.hex)
        assert (await client.get("/api/v1/me", headers=bearer(moved))).status_code == 401

    async def test_a_revoked_key_gets_401(self, client, db):
        owner = await make_tenant(db)
        created = await new_key(db, owner)
        assert (await client.get("/api/v1/me", headers=bearer(created.token))).status_code == 200
        await service.revoke_api_key(db, TenantId(owner.tenant.id), created.id)
        response = await client.get("/api/v1/me", headers=bearer(created.token))
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    async def test_a_key_without_the_scope_gets_403(self, client, db, scoped_route):
        owner = await make_tenant(db)
        gate = await new_key(db, owner, scopes=("gate:exit",))
        scanner = await new_key(db, owner, scopes=("boarding:scan",))
        refused = await client.get(scoped_route, headers=bearer(gate.token))
        assert refused.status_code == 403
        assert refused.json()["code"] == "forbidden"
        allowed = await client.get(scoped_route, headers=bearer(scanner.token))
        assert allowed.status_code == 200
        assert allowed.json() == {"tenant": owner.tenant.slug}

    async def test_last_use_is_recorded(self, client, db):
        owner = await make_tenant(db)
        created = await new_key(db, owner)
        assert (await stored_key(db, owner.tenant.id, created.id)).last_used_at is None
        await client.get("/api/v1/me", headers=bearer(created.token))
        assert (await stored_key(db, owner.tenant.id, created.id)).last_used_at is not None

    async def test_the_console_shows_when_a_key_was_last_used(self, client, db):
        owner = await make_tenant(db)
        created = await new_key(db, owner)
        await sign_in(client, owner)
        assert "从未使用" in (await client.get("/console/apikeys")).text
        await client.get("/api/v1/me", headers=bearer(created.token))
        assert "从未使用" not in (await client.get("/console/apikeys")).text


class TestRevoke:
    async def test_revoking_asks_for_confirmation_then_refuses_the_key(self, client, db):
        owner = await make_tenant(db)
        created = await new_key(db, owner, name="丢失的扫码枪")
        await sign_in(client, owner)
        confirm = await client.get(f"/console/apikeys/{created.id}/revoke")
        assert confirm.status_code == 200
        assert "丢失的扫码枪" in confirm.text
        response = await form_post(
            client, f"/console/apikeys/{created.id}/revoke", {}, follow_redirects=False
        )
        assert response.status_code == 303
        assert (await client.get("/api/v1/me", headers=bearer(created.token))).status_code == 401
        assert "已吊销" in (await client.get("/console/apikeys?revoked=1")).text
        assert "apikey.revoked" in await audit_actions(db, owner.tenant.id)

    async def test_revoking_twice_is_harmless_and_audited_once(self, db):
        owner = await make_tenant(db)
        created = await new_key(db, owner)
        tenant_id = TenantId(owner.tenant.id)
        assert await service.revoke_api_key(db, tenant_id, created.id) is True
        assert await service.revoke_api_key(db, tenant_id, created.id) is False
        assert (await audit_actions(db, owner.tenant.id)).count("apikey.revoked") == 1

    async def test_another_tenants_key_is_not_found(self, client, db):
        victim = await make_tenant(db)
        created = await new_key(db, victim)
        intruder = await make_tenant(db)
        await sign_in(client, intruder)
        assert (await client.get(f"/console/apikeys/{created.id}/revoke")).status_code == 404
        response = await form_post(client, f"/console/apikeys/{created.id}/revoke", {})
        assert response.status_code == 404
        assert (await client.get("/api/v1/me", headers=bearer(created.token))).status_code == 200

    async def test_an_unknown_key_is_not_found(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        assert (await client.get(f"/console/apikeys/{uuid.uuid4()}/revoke")).status_code == 404


class TestApiDocumentation:
    async def test_me_is_documented_with_bearer_authentication(self, client):
        schema = (await client.get("/schema/openapi.json")).json()
        me = schema["paths"]["/api/v1/me"]["get"]
        assert me["security"] == [{"apiKey": []}]
        assert "200" in me["responses"]
