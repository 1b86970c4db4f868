"""Two runs of one package's saga at once (its job, and the stuck sweep or a clerk's 继续预订):
real transactions, committed, meeting through the database. The first holds the package's
lock after booking part 1 until the second is queued behind it; the second then re-reads
where the package stands and goes on. Every part is booked exactly once, the package is
confirmed and the tourist is charged once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.engine import bind_tenant
from modules.distribution.models import DistributionOrder
from modules.distribution.service import packages
from modules.payments import service as payments
from tests.modules.distribution.test_packages import _sale, make_world
from tests.races import Race

pytestmark = [pytest.mark.realdb, pytest.mark.usefixtures("stripe_gateway")]


async def test_two_runs_of_one_saga_book_each_part_once(committed_database, stripe_emulator):
    async with committed_database.transaction() as db:
        world = await make_world(db)
        await bind_tenant(db, world.agency)
        view = await packages.sell_package(
            db, world.agency, _sale(world, stripe_emulator), actor_id=None
        )
    race = Race(committed_database)

    async def first() -> str:
        async with committed_database.transaction(world.agency) as db:
            assert await packages.advance(db, world.agency, view.id) == "booked"
            await race.hold(db)
        return await packages.run_package(committed_database, world.agency, view.id)

    async def second() -> str:
        await race.held.wait()
        return await packages.run_package(committed_database, world.agency, view.id)

    ends = await race.run(first(), second())
    assert "confirmed" in ends and set(ends) <= {"confirmed", "done"}

    for supplier in world.suppliers:
        async with committed_database.transaction(supplier.tid) as db:
            stmt = select(DistributionOrder.status).where(DistributionOrder.package_id == view.id)
            assert list((await db.execute(stmt)).scalars()) == ["confirmed"]
    async with committed_database.transaction(world.agency) as db:
        [paid] = await payments.payments_for(db, world.agency, packages.SUBJECT, view.id)
        assert paid.status == "succeeded" and paid.amount_fen == 1_280_000
