"""Acting for the other side of a checked relation: only a relation naming us binds its owner,
our own binding comes back after the block, and a block that fails in the database keeps its
own error."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.db.engine import TenantId, bind_tenant
from app.errors import NotFound
from tenants.counterparty import acting_for, counterparty_of

_CURRENT = text("SELECT current_setting('app.tenant_id', true)")


@dataclass(frozen=True)
class Relation:
    tenant_id: uuid.UUID
    partner_tenant_id: uuid.UUID | None
    upline_tenant_id: uuid.UUID | None = None


SUPPLIER, AGENCY, UPLINE, STRANGER = (TenantId(uuid.uuid4()) for _ in range(4))


def test_the_partner_and_the_upline_reach_the_owner_and_nobody_else() -> None:
    relation = Relation(SUPPLIER, AGENCY, UPLINE)
    assert counterparty_of(relation, AGENCY) == SUPPLIER
    assert counterparty_of(relation, UPLINE) == SUPPLIER
    with pytest.raises(NotFound):
        counterparty_of(relation, STRANGER)
    with pytest.raises(NotFound):
        counterparty_of(Relation(SUPPLIER, None), STRANGER)


async def test_the_owner_is_bound_inside_and_we_are_bound_again_after(db) -> None:
    await bind_tenant(db, AGENCY)
    async with acting_for(db, Relation(SUPPLIER, AGENCY), own=AGENCY) as other:
        assert other == SUPPLIER
        assert await db.scalar(_CURRENT) == str(SUPPLIER)
    assert await db.scalar(_CURRENT) == str(AGENCY)


async def test_an_error_in_the_block_comes_back_and_our_binding_too(db) -> None:
    await bind_tenant(db, AGENCY)
    with pytest.raises(NotFound):
        async with acting_for(db, Relation(SUPPLIER, AGENCY), own=AGENCY):
            raise NotFound()
    assert await db.scalar(_CURRENT) == str(AGENCY)


async def test_a_refused_statement_keeps_its_own_error(db) -> None:
    await bind_tenant(db, AGENCY)
    with pytest.raises(DBAPIError) as refused:
        async with db.begin_nested():
            async with acting_for(db, Relation(SUPPLIER, AGENCY), own=AGENCY):
                await db.execute(text("SELECT 1 / 0"))
    assert "division by zero" in str(refused.value)
