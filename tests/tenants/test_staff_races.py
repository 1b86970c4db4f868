"""The last-owner rule holds under concurrent changes (real commits, own database)."""

from __future__ import annotations

import asyncio

import pytest

from app.db.engine import TenantId
from tenants import service
from tests.factories.tenants import make_staff, make_tenant
from tests.races import hold_until_waited_on

pytestmark = pytest.mark.realdb


async def test_two_owners_demoting_each_other_at_once_leave_one_owner(committed_database):
    async with committed_database.transaction() as db:
        first = await make_tenant(db)
        second = await make_staff(db, tenant=first.tenant, role="owner")
    tenant_id = TenantId(first.tenant.id)

    def actor(staff):
        return service.Actor(user_id=staff.user.id, name="owner")

    async with committed_database.transaction(tenant_id) as one:
        await service.change_role(
            one, tenant_id, second.membership.id, "manager", actor=actor(first)
        )

        async def the_other() -> None:
            async with committed_database.transaction(tenant_id) as two:
                await service.change_role(
                    two, tenant_id, first.membership.id, "manager", actor=actor(second)
                )

        racing = asyncio.create_task(the_other())
        # until the other change waits for this one's locks
        await hold_until_waited_on(committed_database, one, unless=racing.done)
        assert not racing.done()
    with pytest.raises(service.LastOwner):
        await racing

    async with committed_database.transaction(tenant_id) as db:
        staff = await service.list_staff(db, tenant_id)
    roles = {row.user.id: row.membership.role for row in staff}
    assert roles == {first.user.id: "owner", second.user.id: "manager"}
