"""The audit log page: who did what, filterable, paginated, read only — and the table
itself refuses to be rewritten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import clock
from app.db.engine import TenantId, bind_tenant
from tenants import service
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import sign_in


def shown(page, action: str) -> bool:
    """Whether the log table lists an entry with this action (not just the filter's list)."""
    return f'<code class="small">{action}</code>' in page.text


async def log(db, staff, action, n=1, **kw):
    tenant_id = TenantId(staff.tenant.id)
    await bind_tenant(db, tenant_id)
    for i in range(n):
        await service.record_audit(db, tenant_id, action, data={"n": i}, **kw)
    await db.flush()


class TestAuditPage:
    async def test_sign_in_and_key_creation_appear(self, client, db):
        owner = await make_tenant(db)
        await bind_tenant(db, owner.tenant.id)
        await service.create_api_key(
            db,
            TenantId(owner.tenant.id),
            name="出口闸机",
            scopes=("gate:exit",),
            actor_user_id=owner.user.id,
        )
        await db.flush()
        await sign_in(client, owner)
        page = await client.get("/console/audit")
        assert page.status_code == 200
        assert shown(page, "auth.signed_in")
        assert "登录控制台" in page.text
        assert shown(page, "apikey.created")
        assert "出口闸机" in page.text
        assert "203.0.113.10" in page.text

    async def test_filter_by_action_prefix(self, client, db):
        owner = await make_tenant(db)
        await log(db, owner, "apikey.revoked")
        await sign_in(client, owner)
        page = await client.get("/console/audit", params={"action": "apikey."})
        assert shown(page, "apikey.revoked")
        assert not shown(page, "auth.signed_in")
        assert not shown(page, "tenant.created")

    async def test_filter_by_actor(self, client, db):
        owner = await make_tenant(db)
        manager = await make_staff(db, tenant=owner.tenant, role="manager", display_name="李娟")
        await log(db, manager, "staff.role_changed", actor_user_id=manager.user.id)
        await sign_in(client, owner)
        page = await client.get("/console/audit", params={"actor": "李娟"})
        assert shown(page, "staff.role_changed")
        assert not shown(page, "auth.signed_in")
        by_mail = await client.get("/console/audit", params={"actor": manager.user.email.upper()})
        assert shown(by_mail, "staff.role_changed")

    async def test_filter_by_date_range_in_the_enterprises_time_zone(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        today = clock.today()
        week = {"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat()}
        assert shown(await client.get("/console/audit", params=week), "auth.signed_in")
        later = {"from": (today + timedelta(days=2)).isoformat()}
        page = await client.get("/console/audit", params=later)
        assert not shown(page, "auth.signed_in")
        assert "没有符合条件的记录" in page.text

    async def test_a_malformed_date_is_reported_not_fatal(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        page = await client.get("/console/audit", params={"from": "2026-13-45"})
        assert page.status_code == 200
        assert "YYYY-MM-DD" in page.text
        assert shown(page, "auth.signed_in")

    async def test_pages_hold_fifty_entries(self, client, db):
        owner = await make_tenant(db)
        await log(db, owner, "test.bulk", n=60)
        await sign_in(client, owner)
        first = await client.get("/console/audit", params={"action": "test."})
        assert first.text.count('<code class="small">test.bulk</code>') == 50
        assert "page=2" in first.text
        second = await client.get("/console/audit", params={"action": "test.", "page": "2"})
        assert second.text.count('<code class="small">test.bulk</code>') == 10
        assert "page=3" not in second.text

    async def test_another_tenants_entries_never_show(self, client, db):
        other = await make_tenant(db)
        await log(db, other, "secret.thing")
        owner = await make_tenant(db)
        await sign_in(client, owner)
        assert not shown(await client.get("/console/audit"), "secret.thing")

    @pytest.mark.parametrize("role", ["manager", "auditor"])
    async def test_managers_and_auditors_may_read(self, client, db, role):
        owner = await make_tenant(db)
        reader = await make_staff(db, tenant=owner.tenant, role=role)
        await sign_in(client, reader)
        assert (await client.get("/console/audit")).status_code == 200

    @pytest.mark.parametrize("role", ["front_desk", "cashier", "guide"])
    async def test_other_roles_may_not(self, client, db, role):
        owner = await make_tenant(db)
        staff = await make_staff(db, tenant=owner.tenant, role=role)
        await sign_in(client, staff)
        assert (await client.get("/console/audit")).status_code == 403

    async def test_the_page_offers_no_way_to_change_entries(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        page = await client.get("/console/audit")
        assert 'method="post"' not in page.text.split('<main class="content">')[1]
        assert (await client.post("/console/audit")).status_code in (403, 405)


class TestAppendOnly:
    async def test_the_table_has_the_append_only_trigger(self, db):
        found = await db.scalar(
            text(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
                "AND tgname = 'audit_events_append_only' AND tgenabled <> 'D'"
            )
        )
        assert found == 1

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE audit_events SET action = 'tampered' WHERE tenant_id = :t",
            "DELETE FROM audit_events WHERE tenant_id = :t",
        ],
    )
    async def test_update_and_delete_are_refused(self, db, statement):
        owner = await make_tenant(db)
        await bind_tenant(db, owner.tenant.id)
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.begin_nested():
                await db.execute(text(statement), {"t": owner.tenant.id})
        remaining = await db.scalar(
            text("SELECT count(*) FROM audit_events WHERE action = 'tenant.created'")
        )
        assert remaining == 1
