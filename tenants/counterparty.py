"""Acting for the other side of a checked relation between two tenants.

Where tenants deal with each other (a distributor and its supplier), the relation is an
explicit row naming both: the supplier owns it (`tenant_id`) and the distributor's tenant, and
the tenant of the first-level distributor that appointed it, may read it
(`partner_tenant_id`, `upline_tenant_id`, policy `partner_read`, `app.db.rls`). A distributor
reaches the supplier's products, availability and orders only like this:

    agreement = await repo.agreement_for_partner(agreement_id)   # read under OUR binding:
                                                                 # found only if it names us
    async with acting_for(db, agreement, own=ctx.tenant_id) as supplier_id:
        ...   # bound to the supplier for this block: read what the agreement covers
    # bound to our own tenant again

The relation is the proof: it was loaded under the caller's own binding, so row-level security
already checked that it names the caller, and `acting_for` checks that again before it binds
the other tenant. Nothing ever reads two tenants in one query: inside the block only the
supplier's rows are visible, outside only the caller's (and the relations naming it).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId, bind_tenant
from app.errors import NotFound


class Relation(Protocol):
    """A row naming two tenants: its owner and the partner (or the partner's upline)."""

    @property
    def tenant_id(self) -> uuid.UUID: ...

    @property
    def partner_tenant_id(self) -> uuid.UUID | None: ...

    @property
    def upline_tenant_id(self) -> uuid.UUID | None: ...


def counterparty_of(relation: Relation, own: TenantId) -> TenantId:
    """The owner of a relation that names `own` as its partner or upline; NotFound when it
    does not name `own` (another tenant's relation is never acknowledged)."""
    if own is None or own not in (relation.partner_tenant_id, relation.upline_tenant_id):
        raise NotFound()
    return TenantId(relation.tenant_id)


@asynccontextmanager
async def acting_for(
    db: AsyncSession, relation: Relation, *, own: TenantId
) -> AsyncIterator[TenantId]:
    """Bind the owner of `relation` for the block, then bind `own` again (also when the block
    raises). ORM objects loaded inside belong to the other tenant: use them inside only.

    When the block fails with the transaction itself (a statement the database refused), the
    rebinding cannot run and need not: the binding is local to that transaction, which rolls
    back; the block's own error goes on, not the rebinding's."""
    other = counterparty_of(relation, own)
    await bind_tenant(db, other)
    try:
        yield other
    except BaseException:
        try:
            await bind_tenant(db, own)
        except SQLAlchemyError:
            pass  # the failed transaction rolls back, and the other tenant's binding with it
        raise
    await bind_tenant(db, own)
