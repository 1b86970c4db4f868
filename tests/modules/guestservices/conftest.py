"""Shared arrangements for guest-services tests: a hotel with a guest checked in."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from tests.factories.frontdesk import Checked, make_stay
from tests.factories.tenants import Staff, make_tenant


@pytest.fixture
async def owner(db) -> Staff:  # type: ignore[no-untyped-def]
    return await make_tenant(db, name="重庆解放碑江景酒店")


@pytest.fixture
def tid(owner: Staff) -> TenantId:
    return TenantId(owner.tenant.id)


@pytest.fixture
async def guest(db, owner) -> Checked:  # type: ignore[no-untyped-def]
    """A guest checked in today (the stay a terminal in that room resolves to)."""
    return await make_stay(db, tenant=owner.tenant)
