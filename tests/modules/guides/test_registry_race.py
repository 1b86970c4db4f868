"""Two agencies archiving the same licence number at the same moment, in real concurrent
transactions: one public record, the other agency a clear refusal."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from modules.guides import service
from modules.guides.service import LicenceTaken
from tests.factories.guides import guide_data, today, unique_licence
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb


async def test_one_licence_archived_by_two_agencies_at_once_goes_to_one(committed_database):
    async with committed_database.transaction() as db:
        first = TenantId((await make_tenant(db, kinds=("agency",))).tenant.id)
    async with committed_database.transaction() as db:
        second = TenantId((await make_tenant(db, kinds=("agency",))).tenant.id)
    licence = unique_licence()
    race = Race(committed_database)

    async def archive(tid: TenantId) -> str:
        try:
            async with committed_database.transaction(tid) as db:
                await service.create_guide(
                    db, tid, guide_data(licence_no=licence), today=today(), actor=service.SYSTEM
                )
                await race.hold(db)  # hold the claim until the other agency waits on it
            return "archived"
        except LicenceTaken:
            return "refused"

    outcomes = await race.run(archive(first), archive(second))
    assert sorted(outcomes) == ["archived", "refused"]
    winner = first if outcomes[0] == "archived" else second
    loser = second if winner == first else first
    async with committed_database.transaction() as db:
        assert await service.registry_publisher(db, licence) == winner
    async with committed_database.transaction(loser) as db:
        assert await service.list_guides(db, loser, active_only=False) == []
