"""Creating and changing groups: contracts, days, vehicles, numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from app.errors import Conflict, Invalid
from modules.contracts import service as contracts
from modules.groups import service
from modules.groups.repository import GroupRepository
from modules.groups.schemas import DayInput, VehicleInput
from tests.factories.groups import departure, group_input, make_group, signed_contract

ACTOR = service.Actor()


def first_error(exc: Invalid) -> dict[str, Any]:
    assert exc.errors
    return exc.errors[0]


def messages(exc: Invalid) -> list[str]:
    return [str(e["message"]) for e in exc.errors or []]


class TestCreate:
    async def test_a_group_covers_signed_contracts_and_counts_their_tourists(self, db, agency, tid):
        start = departure()
        first, e1 = await signed_contract(db, tenant=agency, start=start)
        second, e2 = await signed_contract(db, tenant=agency, start=start)
        group = await make_group(db, tenant=agency, start=start, contract_ids=[first, second])
        assert group.status == "draft"
        assert group.tourist_count == 4
        assert group.group_no == f"TS{start:%Y%m%d}-01"
        rows = await GroupRepository(db, tid).contracts(group.id)
        assert sorted(r.e_number for r in rows) == sorted([e1, e2])
        days = await GroupRepository(db, tid).days(group.id)
        assert [d.day for d in days] == [start + timedelta(days=i) for i in range(3)]
        assert days[1].places == ["武隆天生三桥", "龙水峡地缝"]

    async def test_the_default_number_takes_the_next_free_sequence_of_the_day(self, db, agency):
        start = departure()
        first = await make_group(db, tenant=agency, start=start)
        second = await make_group(db, tenant=agency, start=start)
        assert (first.group_no, second.group_no) == (
            f"TS{start:%Y%m%d}-01",
            f"TS{start:%Y%m%d}-02",
        )

    async def test_a_group_number_is_unique_per_agency(self, db, agency, tid):
        await make_group(db, tenant=agency, group_no="BY20261201-01")
        with pytest.raises(Invalid) as refused:
            async with db.begin_nested():
                await make_group(db, tenant=agency, group_no="BY20261201-01")
        assert first_error(refused.value)["field"] == "group_no"

    async def test_a_contract_already_in_another_active_group_is_refused(self, db, agency):
        start = departure()
        contract, e_number = await signed_contract(db, tenant=agency, start=start)
        first = await make_group(db, tenant=agency, start=start, contract_ids=[contract])
        with pytest.raises(Invalid) as refused:
            async with db.begin_nested():
                await make_group(db, tenant=agency, start=start, contract_ids=[contract])
        assert first_error(refused.value)["params"] == {"e": e_number, "group": first.group_no}

    async def test_a_cancelled_groups_contracts_may_join_another_group(self, db, agency, tid):
        start = departure()
        contract, _e = await signed_contract(db, tenant=agency, start=start)
        first = await make_group(db, tenant=agency, start=start, contract_ids=[contract])
        await service.cancel_group(db, tid, first.id, actor=ACTOR)
        second = await make_group(db, tenant=agency, start=start, contract_ids=[contract])
        assert second.tourist_count == 2

    async def test_a_contract_travelling_outside_the_groups_dates_is_refused(self, db, agency):
        start = departure()
        contract, e_number = await signed_contract(db, tenant=agency, start=start)
        with pytest.raises(Invalid) as refused:
            async with db.begin_nested():
                await make_group(
                    db, tenant=agency, start=start + timedelta(days=1), contract_ids=[contract]
                )
        assert "outside the group's dates" in messages(refused.value)[0]
        assert first_error(refused.value)["params"]["e"] == e_number

    async def test_a_draft_or_cancelled_contract_is_refused(self, db, agency, tid):
        start = departure()
        contract, _e = await signed_contract(db, tenant=agency, start=start)
        cancel = contracts.CancelInput(canceller="tourist", reason="游客因病取消", notice_date=None)
        await contracts.cancel(db, tid, contract, cancel, actor=contracts.SYSTEM)
        with pytest.raises(Invalid) as refused:
            async with db.begin_nested():
                await make_group(db, tenant=agency, start=start, contract_ids=[contract])
        assert "not signed or was cancelled" in messages(refused.value)[0]


class TestDays:
    async def test_days_must_cover_the_tour_exactly(self, db, agency):
        start = departure()
        data = group_input(start=start)
        gap = replace(data, days=[data.days[0], data.days[2]])
        with pytest.raises(Invalid) as refused:
            async with db.begin_nested():
                await make_group(db, tenant=agency, data=gap)
        assert first_error(refused.value)["field"] == "days"
        extra = replace(data, days=[*data.days, DayInput(start + timedelta(days=3), ["朝天门"])])
        with pytest.raises(Invalid):
            async with db.begin_nested():
                await make_group(db, tenant=agency, data=extra)

    async def test_moving_the_dates_keeps_what_was_planned_for_days_still_in(self, db, agency, tid):
        start = departure()
        group = await make_group(db, tenant=agency, start=start)
        longer = group_input(start=start, nights=3)
        moved = replace(longer, days=[])
        await service.update_group(db, tid, group.id, moved, actor=ACTOR)
        days = await GroupRepository(db, tid).days(group.id)
        assert len(days) == 4
        assert days[0].places == ["洪崖洞", "解放碑"]
        assert days[3].places == []


class TestServiceChecks:
    async def test_a_bad_plate_or_a_long_tour_is_refused_without_the_form(self, db, agency):
        bad = group_input(vehicles=[VehicleInput("渝12345", 45, "王师傅")])
        with pytest.raises(Invalid) as refused:
            await make_group(db, tenant=agency, data=bad)
        assert first_error(refused.value)["field"] == "vehicles.0.plate_no"
        with pytest.raises(Invalid):
            await make_group(db, tenant=agency, data=group_input(nights=60, days=[]))


class TestLocking:
    async def test_a_filed_or_cancelled_group_cannot_be_edited(self, db, agency, tid):
        group = await make_group(db, tenant=agency)
        await service.cancel_group(db, tid, group.id, actor=ACTOR)
        with pytest.raises(Conflict):
            await service.update_group(db, tid, group.id, group_input(), actor=ACTOR)
