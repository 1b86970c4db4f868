"""A gate's upload retried while the first attempt is still running (its answer slow, or
lost): the two requests meet on the device's lock, the second waits for the first to commit
and answers `duplicate` for every scan; nobody is boarded twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.actor import SYSTEM
from app.db.engine import TenantId
from modules.boarding.models import Passenger, Scan
from modules.boarding.service import BatchResult, QueuedScan, apply_scan_batch
from tests.factories.boarding import first_call
from tests.factories.tenants import make_tenant
from tests.modules.boarding.test_offline import boarding_now, manifest, queued
from tests.races import Race

pytestmark = pytest.mark.realdb


async def test_an_upload_retried_while_the_first_runs_applies_once(committed_database):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("cruise",))
        tid = TenantId(owner.tenant.id)
        voyage = await boarding_now(db, owner.tenant)
        codes = await manifest(db, owner, voyage, 5)
        call = await first_call(db, voyage)
        scans: list[QueuedScan] = [queued(c, call, n) for n, c in enumerate(codes.values(), 1)]
    race = Race(committed_database)

    async def first() -> BatchResult:
        async with committed_database.transaction(tid) as db:
            result = await apply_scan_batch(
                db, tid, device_id="gate-slow", voyage_id=voyage.id, scans=scans, actor=SYSTEM
            )
            await race.hold(db)
        return result

    async def retry() -> BatchResult:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await apply_scan_batch(
                db, tid, device_id="gate-slow", voyage_id=voyage.id, scans=scans, actor=SYSTEM
            )

    one, two = await race.run(first(), retry())
    assert (one.accepted, two.accepted, two.duplicates) == (5, 0, 5)
    async with committed_database.transaction(tid) as db:
        written = await db.scalar(select(func.count()).where(Scan.voyage_id == voyage.id))
        aboard = await db.scalar(
            select(func.count()).where(Passenger.voyage_id == voyage.id, Passenger.aboard)
        )
    assert (written, aboard) == (5, 5)
