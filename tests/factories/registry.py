"""One row per tenant table, on demand: the isolation tests seed every tenant table with it.

`TABLE_FACTORIES` maps a table name to `async factory(db, tenant) -> id` that creates one
row of that table for the tenant (binding the tenant itself) and returns its id.

A module adds its tables without touching this file: its `tests/factories/<module>.py`
exports its own `TABLE_FACTORIES = {"reservations": make_reservation_row, ...}`, and
`table_factories()` merges every such dict. A tenant table with no factory makes the
isolation tests fail with the table's name, so a new table cannot escape them.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import tests.factories
from app import clock
from app.db.engine import TenantId, bind_tenant
from app.notifications.models import OutboundMessage
from app.security.tokens import digest, new_secret, scoped_token
from tenants.context import API_KEY_PREFIX
from tenants.models import AccountToken, ApiKey, AuditEvent, StaffSession, Tenant
from tests.factories.tenants import make_staff

TableFactory = Callable[[AsyncSession, Tenant], Awaitable[uuid.UUID]]


async def make_api_key(
    db: AsyncSession,
    tenant: Tenant,
    *,
    scopes: frozenset[str] | set[str] = frozenset(),
    name: str = "测试设备",
) -> tuple[ApiKey, str]:
    """An API key of the tenant and its bearer token (shown once in the product)."""
    await bind_tenant(db, tenant.id)
    secret = new_secret()
    key = ApiKey(
        tenant_id=TenantId(tenant.id),
        name=name,
        scopes=sorted(scopes),
        secret_hash=digest(secret),
        hint=secret[:8],
    )
    db.add(key)
    await db.flush()
    return key, scoped_token(API_KEY_PREFIX, tenant.id, key.id, secret=secret)


async def _membership(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    staff = await make_staff(db, tenant=tenant, role="front_desk")
    return staff.membership.id


async def _api_key(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    key, _ = await make_api_key(db, tenant, scopes={"read"})
    return key.id


async def _staff_session(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    staff = await make_staff(db, tenant=tenant)
    row = StaffSession(
        tenant_id=TenantId(tenant.id),
        user_id=staff.user.id,
        token_hash=digest(new_secret()),
        expires_at=clock.now() + timedelta(hours=1),
    )
    db.add(row)
    await db.flush()
    return row.id


async def _account_token(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    staff = await make_staff(db, tenant=tenant)
    row = AccountToken(
        tenant_id=TenantId(tenant.id),
        user_id=staff.user.id,
        purpose="password_reset",
        token_hash=digest(new_secret()),
        expires_at=clock.now() + timedelta(minutes=30),
    )
    db.add(row)
    await db.flush()
    return row.id


async def _audit_event(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    await bind_tenant(db, tenant.id)
    row = AuditEvent(tenant_id=TenantId(tenant.id), action="test.seeded", data={})
    db.add(row)
    await db.flush()
    return row.id


async def _outbound_message(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    await bind_tenant(db, tenant.id)
    row = OutboundMessage(
        tenant_id=TenantId(tenant.id),
        channel="email",
        recipient="guest@example.test",
        subject="测试",
        body="测试消息",
        purpose="test",
    )
    db.add(row)
    await db.flush()
    return row.id


TABLE_FACTORIES: dict[str, TableFactory] = {
    "memberships": _membership,
    "api_keys": _api_key,
    "staff_sessions": _staff_session,
    "account_tokens": _account_token,
    "audit_events": _audit_event,
    "outbound_messages": _outbound_message,
}


def table_factories() -> dict[str, TableFactory]:
    """This file's factories merged with every `TABLE_FACTORIES` under tests/factories/."""
    merged = dict(TABLE_FACTORIES)
    for info in pkgutil.iter_modules(tests.factories.__path__):
        if info.name == "registry":
            continue
        module = importlib.import_module(f"tests.factories.{info.name}")
        merged.update(getattr(module, "TABLE_FACTORIES", {}))
    return merged


class MissingFactory(LookupError):
    pass


async def make_row(db: AsyncSession, table: str, tenant: Tenant) -> uuid.UUID:
    """One row of `table` for `tenant`; a table nobody registered fails loudly by name."""
    factory = table_factories().get(table)
    if factory is None:
        raise MissingFactory(
            f"no test factory for tenant table {table!r}: add one to TABLE_FACTORIES in "
            f"tests/factories/<module>.py (see tests/factories/registry.py)"
        )
    row_id = await factory(db, tenant)
    await bind_tenant(db, tenant.id)
    return row_id
