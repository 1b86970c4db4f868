"""Shared arrangements for group tests: a travel agency and its people."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from tests.factories.contracts import make_agency
from tests.factories.tenants import Staff, make_staff


@pytest.fixture
async def owner(db) -> Staff:
    """A travel agency with a credit code, so that its contracts can be signed."""
    return await make_agency(db, name="巴渝旅行社测试")


@pytest.fixture
def agency(owner: Staff):
    return owner.tenant


@pytest.fixture
def tid(owner: Staff) -> TenantId:
    return TenantId(owner.tenant.id)


@pytest.fixture
async def agent(db, owner: Staff) -> Staff:
    return await make_staff(db, tenant=owner.tenant, role="agent", display_name="陈静")
