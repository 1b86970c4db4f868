"""Factories for tenants and staff. Unique slugs and e-mails per call."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import uuid7
from app.db.engine import TenantId, bind_tenant
from app.security.passwords import hash_password
from tenants.models import Membership, Tenant, User
from tenants.service.provisioning import NewTenant, create_tenant
from tests.factories.payments import make_payment_account

PASSWORD = "Test-password-123"
_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_seq)}-{uuid7().hex[-6:]}"


@dataclass
class Staff:
    tenant: Tenant
    user: User
    membership: Membership
    password: str = PASSWORD


async def make_tenant(
    db: AsyncSession, *, kinds: tuple[str, ...] = ("hotel",), **overrides: Any
) -> Staff:
    """A tenant with its owner (returned as the owner's Staff)."""
    slug = overrides.pop("slug", unique("t"))
    data = NewTenant(
        name=overrides.pop("name", f"测试酒店 {slug}"),
        slug=slug,
        kinds=kinds,
        owner_email=overrides.pop("owner_email", f"{slug}@owner.test"),
        owner_password=overrides.pop("owner_password", PASSWORD),
        **overrides,
    )
    tenant, user = await create_tenant(db, data)
    await make_payment_account(db, tenant=tenant)  # takes online payments (Stripe Connect)
    await bind_tenant(db, tenant.id)
    membership = (
        await db.execute(
            Membership.__table__.select().where(
                Membership.tenant_id == tenant.id, Membership.user_id == user.id
            )
        )
    ).one()
    m = await db.get(Membership, membership.id)
    assert m is not None
    return Staff(tenant=tenant, user=user, membership=m)


async def make_staff(
    db: AsyncSession, *, tenant: Tenant, role: str = "front_desk", **overrides: Any
) -> Staff:
    email = overrides.pop("email", f"{unique('staff')}@staff.test")
    user = User(
        email=email,
        display_name=overrides.pop("display_name", "测试员工"),
        password_hash=hash_password(overrides.pop("password", PASSWORD)),
    )
    db.add(user)
    await db.flush()
    await bind_tenant(db, tenant.id)
    membership = Membership(tenant_id=TenantId(tenant.id), user_id=user.id, role=role, **overrides)
    db.add(membership)
    await db.flush()
    return Staff(tenant=tenant, user=user, membership=membership)
