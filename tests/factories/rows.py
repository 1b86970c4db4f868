"""Writing one row of a tenant table directly, as the module factories do."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import bind_tenant
from tenants.models import Tenant

Row = TypeVar("Row")


async def add_row(db: AsyncSession, tenant: Tenant, row: Row) -> Row:
    """`row` for `tenant` (bound first, so row-level security admits it), flushed for its id."""
    await bind_tenant(db, tenant.id)
    row.tenant_id = tenant.id  # type: ignore[attr-defined]
    db.add(row)
    await db.flush()
    return row
