"""Agents countersigning at the same moment, in real concurrent transactions: the
agency's e-numbers come out 1..n with no gap and no duplicate, and a signing that rolls
back gives its number back."""

from __future__ import annotations

import asyncio

import pytest

from app.db.engine import TenantId
from modules.contracts import domain, service
from tests.factories.contracts import make_agency, tourist_signed

pytestmark = pytest.mark.realdb

SIGNINGS = 8


async def _ready(committed_database, n):  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        owner = await make_agency(db)
        ids = [(await tourist_signed(db, tenant=owner.tenant))[0] for _ in range(n)]
    return TenantId(owner.tenant.id), ids


async def test_concurrent_countersignatures_number_one_to_n(committed_database):
    tid, ids = await _ready(committed_database, SIGNINGS)

    async def countersign(contract_id):  # type: ignore[no-untyped-def]
        async with committed_database.transaction(tid) as db:
            return await service.countersign(db, tid, contract_id, actor=service.SYSTEM)

    numbers = await asyncio.gather(*(countersign(i) for i in ids))
    sequences = sorted(domain.parse_e_number(n).sequence for n in numbers)  # type: ignore[union-attr]
    assert sequences == list(range(1, SIGNINGS + 1))
    assert len(set(numbers)) == SIGNINGS


async def test_a_rolled_back_signing_leaves_no_gap(committed_database):
    tid, (first, second) = await _ready(committed_database, 2)

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon):
        async with committed_database.transaction(tid) as db:
            await service.countersign(db, tid, first, actor=service.SYSTEM)
            raise Abandon
    async with committed_database.transaction(tid) as db:
        number = await service.countersign(db, tid, second, actor=service.SYSTEM)
    assert domain.parse_e_number(number).sequence == 1  # type: ignore[union-attr]
