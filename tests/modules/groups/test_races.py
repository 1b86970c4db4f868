"""Invariants under concurrent clicks, proven with racing REAL transactions.

A contract travels with one active group, whatever agents click at the same moment.

Each agent's save (under its own group number) runs in its own committed transaction on its own connection, as
requests do. Both pass the application's check (neither sees the other's uncommitted
group); the partial unique index on (tenant_id, contract_id) among active rows lets one
win and answers the others with a clean 409, never a 500.

A group is filed once: two agents pressing "file" at the same moment make one group
filing and one set of guide assignments; the other gets "already filed" (409)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest
from sqlalchemy import text

from app import clock
from app.db.engine import Database, TenantId
from app.errors import Conflict
from modules.groups import service
from tests.factories.contracts import make_agency
from tests.factories.groups import departure, group_input, signed_contract
from tests.factories.guides import make_guide
from tests.races import Race

pytestmark = pytest.mark.realdb

RACERS = 6


async def _arrange(database: Database):
    async with database.transaction() as db:
        agency = (await make_agency(db)).tenant
        contract_id, _e = await signed_contract(db, tenant=agency, start=departure())
        return agency.id, contract_id


async def _save(database: Database, tenant_id, contract_id, race: Race, n: int) -> str:
    try:
        async with database.transaction(tenant_id) as db:
            data = group_input(start=departure(), contract_ids=[contract_id], group_no=f"RACE-{n}")
            await service.create_group(db, TenantId(tenant_id), data, actor=service.Actor())
            await race.hold(db)  # hold the row until another one waits on it
        return "saved"
    except Conflict as exc:
        return f"409 {exc.code}"


async def _caught(racer: Awaitable[str]) -> str | BaseException:
    try:
        return await racer
    except Exception as exc:
        return exc


class TestRaceForOneContract:
    async def test_only_one_of_many_concurrent_groups_gets_the_contract(self, committed_database):
        tenant_id, contract_id = await _arrange(committed_database)
        race = Race(committed_database)
        outcomes = await race.run(
            *(
                _caught(_save(committed_database, tenant_id, contract_id, race, n))
                for n in range(RACERS)
            )
        )
        crashed = [o for o in outcomes if isinstance(o, BaseException)]
        assert not crashed, f"errors other than a clean 409: {crashed[:3]}"
        assert sorted(str(o) for o in outcomes) == ["409 conflict"] * (RACERS - 1) + ["saved"]
        async with committed_database.transaction(tenant_id) as db:
            active = await db.scalar(
                text("SELECT count(*) FROM group_contracts WHERE contract_id = :c AND active"),
                {"c": contract_id},
            )
        assert active == 1


async def _ready(database: Database):
    async with database.transaction() as db:
        agency = (await make_agency(db)).tenant
        tid = TenantId(agency.id)
        contract_id, _e = await signed_contract(db, tenant=agency, start=departure())
        guide = (await make_guide(db, tenant=agency)).summary
        data = group_input(start=departure(), contract_ids=[contract_id])
        group = await service.create_group(db, tid, data, actor=service.Actor())
        await service.assign_guide(db, tid, group.id, guide.id, actor=service.Actor())
        return tid, group.id


async def _file(database: Database, tid: TenantId, group_id, gate: asyncio.Event) -> str:
    await gate.wait()
    try:
        async with database.transaction(tid) as db:
            await service.file_group(db, tid, group_id, actor=service.Actor(), today=clock.today())
        return "filed"
    except Conflict as exc:
        return f"409 {type(exc).__name__}"


class TestRaceToFile:
    async def test_two_agents_filing_at_once_make_one_filing(self, committed_database):
        tid, group_id = await _ready(committed_database)
        gate = asyncio.Event()
        gate.set()  # all four start together; the group's row lock orders them
        racers = [
            asyncio.create_task(_file(committed_database, tid, group_id, gate)) for _ in range(4)
        ]
        outcomes = await asyncio.gather(*racers, return_exceptions=True)
        assert sorted(str(o) for o in outcomes) == ["409 AlreadyFiled"] * 3 + ["filed"]
        async with committed_database.transaction(tid) as db:
            page = await service.group_page(db, tid, group_id, today=departure(0))
        assert [f.kind for f in page.filings] == ["group", "guide_assignment"]
