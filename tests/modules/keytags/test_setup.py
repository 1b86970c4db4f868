"""The resort's set-up: changing rooms and lockers, tag stock, outlets and price lists with
their API keys, the key-tag rules."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId, bind_tenant
from modules.keytags import service
from tests.factories.keytags import make_locker, make_section, make_visit
from tests.factories.tenants import make_tenant


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    return owner


@pytest.fixture
def tid(resort):
    return TenantId(resort.tenant.id)


class TestOccupancy:
    async def test_counts_each_section_by_status(self, db, resort, tid):
        t = resort.tenant
        men = await make_section(db, tenant=t, code="M", name="男宾", kind="male", sort_order=1)
        await make_section(db, tenant=t, code="F", name="女宾", kind="female", sort_order=2)
        visit = await make_visit(db, tenant=t)
        await make_locker(db, tenant=t, section=men, number="001")
        await make_locker(db, tenant=t, section=men, number="002", status="out_of_order")
        await make_locker(
            db, tenant=t, section=men, number="003", status="occupied", visit_id=visit.id
        )
        rows = await service.locker_occupancy(db, tid)
        assert [(r.name, r.total, r.free, r.occupied, r.out_of_order) for r in rows] == [
            ("男宾", 3, 1, 1, 1),
            ("女宾", 0, 0, 0, 0),
        ]
