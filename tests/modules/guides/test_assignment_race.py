"""Two groups claiming the same guide for overlapping dates at the same moment, in real
concurrent transactions: exactly one gets the guide, the other a clean refusal naming
the winner's group; never a guide in two places at once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from app.db.engine import TenantId
from app.errors import Conflict
from modules.guides import service
from tests.factories.guides import make_guide, today
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb


async def test_one_guide_claimed_by_two_overlapping_groups_at_once_goes_to_one(
    committed_database,
):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("agency",))
        tid = TenantId(owner.tenant.id)
        guide = (await make_guide(db, tenant=owner.tenant)).summary
    start = today() + timedelta(days=20)
    groups = {uuid.uuid4(): "CQ-RACE-A", uuid.uuid4(): "CQ-RACE-B"}
    race = Race(committed_database)

    async def claim(group_id: uuid.UUID, offset: int) -> str:
        try:
            async with committed_database.transaction(tid) as db:
                await service.assign_to_group(
                    db,
                    tid,
                    guide.id,
                    group_id=group_id,
                    group_no=groups[group_id],
                    from_date=start + timedelta(days=offset),
                    to_date=start + timedelta(days=offset + 3),
                )
                await race.hold(db)  # hold the transaction open until the other waits on it
            return "assigned"
        except Conflict as exc:
            return f"refused: {exc.message}"

    first, second = groups
    outcomes = await race.run(claim(first, 0), claim(second, 2))
    assert sorted(o.split(":")[0] for o in outcomes) == ["assigned", "refused"]
    async with committed_database.transaction(tid) as db:
        held = [a for g in groups for a in await service.assignments_for_group(db, tid, g)]
    assert len(held) == 1
    refusal = next(o for o in outcomes if o.startswith("refused"))
    assert held[0].group_no in refusal


async def test_many_overlapping_claims_at_once_leave_one_assignment(committed_database):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("agency",))
        tid = TenantId(owner.tenant.id)
        guide = (await make_guide(db, tenant=owner.tenant)).summary
    start = today() + timedelta(days=40)
    group_ids = [uuid.uuid4() for _ in range(6)]

    async def claim(i: int, group_id: uuid.UUID) -> bool:
        try:
            async with committed_database.transaction(tid) as db:
                await service.assign_to_group(
                    db,
                    tid,
                    guide.id,
                    group_id=group_id,
                    group_no=f"CQ-MANY-{i}",
                    from_date=start + timedelta(days=i % 2),
                    to_date=start + timedelta(days=5),
                )
            return True
        except Conflict:
            return False

    outcomes = await asyncio.gather(*(claim(i, g) for i, g in enumerate(group_ids)))
    assert outcomes.count(True) == 1
    async with committed_database.transaction(tid) as db:
        views = await service.assignments_for_guide(db, tid, guide.id)
    assert len([v for v in views if v.status == "active"]) == 1
