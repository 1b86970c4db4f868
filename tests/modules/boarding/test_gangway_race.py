"""Two gates scanning the same pass at the same moment, in real concurrent transactions: the
passenger boards once, the other gate is told "already aboard" (never an error), and both
scans are on record."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.actor import SYSTEM
from app.db.engine import TenantId
from modules.boarding.domain import RefusalReason, ScanOutcome
from modules.boarding.models import Passenger, Scan
from modules.boarding.service import issue_passes
from modules.boarding.service.gangway import ScanResult, record_scan
from tests.factories.boarding import make_boarding_voyage, make_passenger
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb
_seqs = itertools.count(1)


async def _boarding_pass(database):  # type: ignore[no-untyped-def]
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("cruise",))
        tid = TenantId(owner.tenant.id)
        voyage = await make_boarding_voyage(db, tenant=owner.tenant, days_ahead=0)
        passenger = await make_passenger(db, tenant=owner.tenant, voyage=voyage)
        (issued,) = await issue_passes(db, tid, [passenger.id], reason="race")
    return tid, voyage, passenger, issued.code


async def _scan(db, tid, voyage, code, gate):  # type: ignore[no-untyped-def]
    return await record_scan(
        db,
        tid,
        code=code,
        voyage_id=voyage.id,
        port_call_id=None,
        direction="embark",
        device_id=gate,
        device_seq=next(_seqs),
        scanned_at=None,
        actor=SYSTEM,
    )


async def _on_record(database, tid, passenger):  # type: ignore[no-untyped-def]
    async with database.transaction(tid) as db:
        row = await db.get(Passenger, passenger.id)
        scans = (await db.execute(select(Scan).where(Scan.passenger_id == passenger.id))).all()
        return row, [s for (s,) in scans]


async def test_two_gates_scanning_one_pass_at_once_board_it_once(committed_database):
    tid, voyage, passenger, code = await _boarding_pass(committed_database)

    async def gate(name: str) -> ScanResult:
        async with committed_database.transaction(tid) as db:
            return await _scan(db, tid, voyage, code, name)

    with time_machine.travel(voyage.boarding_opens_at + timedelta(minutes=10), tick=True):
        results = await asyncio.gather(gate("gate-port"), gate("gate-starboard"))

    assert sorted(r.outcome for r in results) == [ScanOutcome.ACCEPTED, ScanOutcome.REFUSED]
    refused = next(r for r in results if not r.accepted)
    assert refused.reason is RefusalReason.ALREADY_ABOARD
    row, scans = await _on_record(committed_database, tid, passenger)
    assert row.aboard and row.movements == 1
    assert sorted(s.outcome for s in scans) == ["accepted", "refused"]


async def test_the_gate_that_commits_second_is_refused_by_the_unique_movement(
    committed_database,
):
    """The second gate read the passenger ashore (the first had not committed) and takes
    the same movement number: the unique key makes it wait, then refuses it cleanly."""
    tid, voyage, passenger, code = await _boarding_pass(committed_database)
    race = Race(committed_database)

    async def first() -> ScanResult:
        async with committed_database.transaction(tid) as db:
            result = await _scan(db, tid, voyage, code, "gate-1")
            await race.hold(db)  # until the second gate waits on the movement number
            return result

    async def second() -> ScanResult:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await _scan(db, tid, voyage, code, "gate-2")

    with time_machine.travel(voyage.boarding_opens_at + timedelta(minutes=10), tick=True):
        won, lost = await race.run(first(), second())

    assert won.accepted and won.movement_no == 1
    assert lost.outcome is ScanOutcome.REFUSED and lost.reason is RefusalReason.ALREADY_ABOARD
    assert lost.passenger_name == passenger.name and lost.aboard == 1
    row, scans = await _on_record(committed_database, tid, passenger)
    assert row.movements == 1
    assert {(s.device_id, s.outcome) for s in scans} == {
        ("gate-1", "accepted"),
        ("gate-2", "refused"),
    }
