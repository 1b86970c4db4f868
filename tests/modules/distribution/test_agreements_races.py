"""Two managers at once: signing an agency twice gives one distributor (the second is told),
and two agreements signed at once get consecutive numbers, never a database error."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from app.actor import SYSTEM
from app.db.engine import TenantId
from app.errors import Invalid
from modules.distribution.schemas.agreements import AgreementTerms
from modules.distribution.service import agreements as service
from modules.distribution.service import distributors
from tests.factories.tenants import make_tenant
from tests.races import Race

TERMS = AgreementTerms(date(2026, 1, 1), None, "prepaid", 0, "monthly", False, 0, "")


async def _tenants(database):  # type: ignore[no-untyped-def]
    async with database.transaction() as db:
        hotel = (await make_tenant(db, kinds=("hotel",))).tenant
        agency = (await make_tenant(db, kinds=("agency",))).tenant
    return TenantId(hotel.id), agency.id


@pytest.mark.realdb
async def test_one_agency_signed_up_at_two_desks_at_once_is_one_distributor(committed_database):
    tid, agency_id = await _tenants(committed_database)
    race = Race(committed_database)

    async def first() -> uuid.UUID:
        async with committed_database.transaction(tid) as db:
            made = await distributors.add_agency(db, tid, agency_id, distributors.Contact())
            await race.hold(db)  # until the second manager waits on the signing lock
            return made.id

    async def second() -> Exception | uuid.UUID:
        await race.held.wait()
        try:
            async with committed_database.transaction(tid) as db:
                return (
                    await distributors.add_agency(db, tid, agency_id, distributors.Contact())
                ).id
        except Invalid as refused:
            return refused

    made, refused = await race.run(first(), second())
    assert isinstance(made, uuid.UUID)
    assert isinstance(refused, Invalid) and refused.errors[0]["field"] == "partner"


@pytest.mark.realdb
async def test_agreements_signed_at_once_get_consecutive_numbers(committed_database):
    tid, agency_id = await _tenants(committed_database)
    async with committed_database.transaction(tid) as db:
        d = await distributors.add_agency(db, tid, agency_id, distributors.Contact())
    race = Race(committed_database)

    async def first() -> str:
        async with committed_database.transaction(tid) as db:
            made = await service.create_agreement(db, tid, d.id, TERMS, actor=SYSTEM)
            await race.hold(db)
            return made.number

    async def second() -> str:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return (await service.create_agreement(db, tid, d.id, TERMS, actor=SYSTEM)).number

    numbers = await race.run(first(), second())
    assert sorted(numbers) == ["FX-2026-0001", "FX-2026-0002"]
