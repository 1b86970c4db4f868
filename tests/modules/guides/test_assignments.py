"""Guides on groups: overlapping dates refused (naming the other group), adjacent dates
allowed, a released assignment frees the dates, an expired licence or a guide who left
is refused."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.guides import service
from modules.guides.service import AssignmentOverlap, GuideUnavailable
from tests.factories.guides import guide_data, make_guide, today
from tests.factories.tenants import make_tenant


def day(offset: int) -> date:
    return today() + timedelta(days=offset)


@pytest.fixture
async def agency(db):
    return (await make_tenant(db, kinds=("agency",))).tenant


async def assign(db, tenant, guide_id, start, end, *, group_no="CQ-20261201-01", group_id=None):
    return await service.assign_to_group(
        db,
        TenantId(tenant.id),
        guide_id,
        group_id=group_id or uuid.uuid4(),
        group_no=group_no,
        from_date=start,
        to_date=end,
    )


class TestOverlap:
    async def test_overlapping_group_is_refused_naming_the_other_group(self, db, agency):
        guide = (await make_guide(db, tenant=agency)).summary
        await assign(db, agency, guide.id, day(10), day(12), group_no="CQ-A-01")
        with pytest.raises(AssignmentOverlap) as refused:
            await assign(db, agency, guide.id, day(12), day(14), group_no="CQ-B-02")
        assert "CQ-A-01" in refused.value.message
        assert refused.value.status_code == 409

    async def test_a_trip_inside_another_is_refused(self, db, agency):
        guide = (await make_guide(db, tenant=agency)).summary
        await assign(db, agency, guide.id, day(10), day(15))
        with pytest.raises(AssignmentOverlap):
            await assign(db, agency, guide.id, day(11), day(11))

    async def test_adjacent_dates_are_allowed(self, db, agency):
        guide = (await make_guide(db, tenant=agency)).summary
        await assign(db, agency, guide.id, day(10), day(12))
        second = await assign(db, agency, guide.id, day(13), day(15))
        assert second.status == "active"
        assert len(await service.assignments_for_guide(db, TenantId(agency.id), guide.id)) == 2

    async def test_released_assignment_frees_the_dates(self, db, agency):
        tid = TenantId(agency.id)
        guide = (await make_guide(db, tenant=agency)).summary
        group = uuid.uuid4()
        await assign(db, agency, guide.id, day(10), day(12), group_id=group)
        released = await service.release_assignment(db, tid, guide.id, group)
        assert released is not None and released.status == "released"
        assert await service.release_assignment(db, tid, guide.id, group) is None
        assert (await assign(db, agency, guide.id, day(11), day(12))).status == "active"
        assert await service.assignments_for_group(db, tid, group) == []

    async def test_another_guide_is_free_on_the_same_dates(self, db, agency):
        first = (await make_guide(db, tenant=agency)).summary
        second = (await make_guide(db, tenant=agency)).summary
        group = uuid.uuid4()
        await assign(db, agency, first.id, day(10), day(12), group_id=group)
        await assign(db, agency, second.id, day(10), day(12), group_id=group)
        views = await service.assignments_for_group(db, TenantId(agency.id), group)
        assert {v.guide_id for v in views} == {first.id, second.id}
        assert all(v.licence_no and v.guide_name for v in views)

    async def test_same_group_again_moves_its_dates(self, db, agency):
        tid = TenantId(agency.id)
        guide = (await make_guide(db, tenant=agency)).summary
        group = uuid.uuid4()
        await assign(db, agency, guide.id, day(10), day(12), group_id=group)
        moved = await assign(db, agency, guide.id, day(11), day(14), group_id=group)
        assert (moved.from_date, moved.to_date) == (day(11), day(14))
        assert len(await service.assignments_for_group(db, tid, group)) == 1

    async def test_end_before_start_is_invalid(self, db, agency):
        guide = (await make_guide(db, tenant=agency)).summary
        with pytest.raises(Invalid):
            await assign(db, agency, guide.id, day(12), day(10))


class TestLicenceAndStatus:
    async def test_licence_expiring_during_the_trip_is_refused(self, db, agency):
        guide = await make_guide(db, tenant=agency, licence_valid_until=day(11).isoformat())
        with pytest.raises(GuideUnavailable) as refused:
            await assign(db, agency, guide.summary.id, day(10), day(12))
        assert guide.summary.licence_no in refused.value.message
        assert (await assign(db, agency, guide.summary.id, day(10), day(11))).status == "active"

    async def test_expired_licence_is_refused(self, db, agency):
        guide = await make_guide(db, tenant=agency, licence_valid_until=day(-1).isoformat())
        with pytest.raises(GuideUnavailable):
            await assign(db, agency, guide.summary.id, day(1), day(2))

    async def test_guide_who_left_is_refused(self, db, agency):
        guide = await make_guide(db, tenant=agency, status="left")
        with pytest.raises(GuideUnavailable):
            await assign(db, agency, guide.summary.id, day(1), day(2))

    async def test_another_agencys_guide_is_not_found(self, db, agency):
        other = (await make_tenant(db, kinds=("agency",))).tenant
        guide = (await make_guide(db, tenant=other)).summary
        with pytest.raises(NotFound):
            await assign(db, agency, guide.id, day(1), day(2))


async def test_the_factory_data_is_what_a_clerk_types(db, agency):
    data = guide_data()
    assert data.licence_no.startswith("D-5")
