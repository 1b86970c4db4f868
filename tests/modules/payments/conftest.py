"""Shared arrangements for payments tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.db.base import uuid7
from app.db.engine import TenantId
from tests.factories.tenants import Staff, make_tenant


@dataclass
class Subject:
    owner: Staff
    tenant_id: TenantId
    subject_type: str
    subject_id: object


@pytest.fixture
async def subject(db) -> Subject:  # type: ignore[no-untyped-def]
    """A tenant (bound) and a fresh thing to pay for that is not a reservation."""
    owner = await make_tenant(db)
    return Subject(owner, TenantId(owner.tenant.id), "test_subject", uuid7())
