"""Guides on groups, through the guides module: the guide-overlap test of issue 6."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db.engine import TenantId
from app.errors import Conflict
from modules.groups import service
from modules.guides import service as guides
from tests.factories.groups import departure, group_input, make_group
from tests.factories.guides import make_guide

ACTOR = service.Actor()


class TestGuideOverlap:
    async def test_second_group_on_overlapping_dates_is_refused_with_a_clear_message(
        self, db, agency
    ):
        tid = TenantId(agency.id)
        guide = (await make_guide(db, tenant=agency, name="李晓燕")).summary
        start = departure()
        first = await make_group(db, tenant=agency, start=start, nights=2)
        second = await make_group(db, tenant=agency, start=start + timedelta(days=2), nights=2)
        await service.assign_guide(db, tid, first.id, guide.id, actor=ACTOR)
        with pytest.raises(Conflict) as refused:
            await service.assign_guide(db, tid, second.id, guide.id, actor=ACTOR)
        assert "李晓燕" in refused.value.message
        assert first.group_no in refused.value.message
        assert [a.group_id for a in await guides.assignments_for_group(db, tid, second.id)] == []

    async def test_a_group_starting_the_day_after_the_other_returns_may_have_the_guide(
        self, db, agency
    ):
        tid = TenantId(agency.id)
        guide = (await make_guide(db, tenant=agency)).summary
        start = departure()
        first = await make_group(db, tenant=agency, start=start, nights=2)
        after = await make_group(db, tenant=agency, start=start + timedelta(days=3), nights=1)
        await service.assign_guide(db, tid, first.id, guide.id, actor=ACTOR)
        await service.assign_guide(db, tid, after.id, guide.id, actor=ACTOR)
        assigned = await guides.assignments_for_group(db, tid, after.id)
        assert [(a.guide_id, a.group_no) for a in assigned] == [(guide.id, after.group_no)]

    async def test_moving_a_group_onto_the_guides_other_group_is_refused(self, db, agency):
        tid = TenantId(agency.id)
        guide = (await make_guide(db, tenant=agency)).summary
        start = departure()
        first = await make_group(db, tenant=agency, start=start, nights=2)
        later = await make_group(db, tenant=agency, start=start + timedelta(days=5), nights=2)
        await service.assign_guide(db, tid, first.id, guide.id, actor=ACTOR)
        await service.assign_guide(db, tid, later.id, guide.id, actor=ACTOR)
        moved = group_input(start=start + timedelta(days=1), nights=2, route_name=later.route_name)
        with pytest.raises(Conflict):
            async with db.begin_nested():
                await service.update_group(db, tid, later.id, moved, actor=ACTOR)

    async def test_released_guide_is_free_for_the_dates_again(self, db, agency):
        tid = TenantId(agency.id)
        guide = (await make_guide(db, tenant=agency)).summary
        start = departure()
        first = await make_group(db, tenant=agency, start=start, nights=2)
        second = await make_group(db, tenant=agency, start=start, nights=2)
        await service.assign_guide(db, tid, first.id, guide.id, actor=ACTOR)
        await service.release_guide(db, tid, first.id, guide.id, actor=ACTOR)
        await service.assign_guide(db, tid, second.id, guide.id, actor=ACTOR)
        assert len(await guides.assignments_for_group(db, tid, second.id)) == 1
