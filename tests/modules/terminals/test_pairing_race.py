"""Pairing under concurrency, in real transactions: a code is used once even when two
tablets type it at the same moment, and a burst of guesses cannot slip past the limit."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from app.db.engine import TenantId
from app.errors import Invalid, TooManyRequests
from modules.terminals import service
from modules.terminals.models import PairingAttempt
from tests.factories.tenants import make_tenant
from tests.factories.terminals import a_unit

pytestmark = pytest.mark.realdb


async def _code(committed_database):  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        unit_id = await a_unit(db, tenant=owner.tenant)
        code = await service.register_device(db, tid, name="平板", unit_id=unit_id)
    return tid, code


async def test_one_code_typed_on_two_tablets_at_once_pairs_one(committed_database):
    tid, code = await _code(committed_database)

    async def type_code(ip: str) -> str:
        try:
            async with committed_database.transaction(tid) as db:
                await service.pair(db, tid, code.code, ip=ip)
            return "paired"
        except Invalid:
            return "refused"

    outcomes = await asyncio.gather(type_code("198.51.100.1"), type_code("198.51.100.2"))
    assert sorted(outcomes) == ["paired", "refused"]


async def test_a_burst_of_guesses_is_held_to_the_limit(committed_database):
    tid, code = await _code(committed_database)
    wrong = "000000" if code.code != "000000" else "111111"

    async def guess() -> str:
        async with committed_database.transaction(tid) as db:
            try:
                await service.pair(db, tid, wrong, ip="198.51.100.9")
            except Invalid:
                return "wrong"  # committed: the route renders the error, the miss counts
            except TooManyRequests:
                return "throttled"
        return "paired"

    outcomes = await asyncio.gather(*(guess() for _ in range(12)))
    assert outcomes.count("wrong") == service.MAX_FAILURES_PER_ADDRESS
    assert outcomes.count("throttled") == 12 - service.MAX_FAILURES_PER_ADDRESS
    async with committed_database.transaction(tid) as db:
        recorded = await db.scalar(select(func.count()).where(PairingAttempt.tenant_id == tid))
    assert recorded == service.MAX_FAILURES_PER_ADDRESS
