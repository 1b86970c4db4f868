"""Two guests booking the same cabin grade of a voyage at the same moment, in real
concurrent transactions: each gets a cabin of their own, never two bookings in one cabin;
for the last cabin, one gets it and the other a clean refusal."""

from __future__ import annotations

from datetime import date

import pytest

from app.db.engine import TenantId
from app.errors import Conflict
from modules.boarding import service
from tests.factories.boarding_booking import couple, make_voyage_on_sale, person
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb


def _second_party():  # type: ignore[no-untyped-def]
    return [
        person("王强", date(1975, 1, 2), seq="135", phone="13900139000"),
        person("刘芳", date(1977, 8, 9), seq="146"),
    ]


async def _setup(committed_database, cabins: int):  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("cruise",))
        sale = await make_voyage_on_sale(db, tenant=owner.tenant, cabins=cabins)
    return TenantId(owner.tenant.id), sale


async def _race(committed_database, tid, sale):  # type: ignore[no-untyped-def]
    race = Race(committed_database)

    async def first() -> str:
        async with committed_database.transaction(tid) as db:
            b = await service.book_cabin(
                db,
                tid,
                voyage_id=sale.voyage.id,
                unit_type_id=sale.grade.id,
                passengers=couple(),
                source="api",
            )
            await race.hold(db)  # keep the cabin uncommitted until the second one waits
            return b.cabin_number

    async def second() -> str:
        await race.held.wait()
        try:
            async with committed_database.transaction(tid) as db:
                b = await service.book_cabin(
                    db,
                    tid,
                    voyage_id=sale.voyage.id,
                    unit_type_id=sale.grade.id,
                    passengers=_second_party(),
                    source="api",
                )
                return b.cabin_number
        except Conflict:
            return "refused"

    return await race.run(first(), second())


async def test_two_bookings_at_once_get_two_different_cabins(committed_database):
    tid, sale = await _setup(committed_database, cabins=3)
    a, b = await _race(committed_database, tid, sale)
    assert a != b and "refused" not in (a, b)
    async with committed_database.transaction(tid) as db:
        cabins = {
            p.cabin_number
            for r in await _reservations(db, tid, sale)
            for p in await service.passengers_of_reservation(db, tid, r)
        }
    assert cabins == {a, b}


async def test_the_last_cabin_goes_to_one_booking_only(committed_database):
    tid, sale = await _setup(committed_database, cabins=1)
    a, b = await _race(committed_database, tid, sale)
    assert b == "refused" and a
    async with committed_database.transaction(tid) as db:
        assert len(await _reservations(db, tid, sale)) == 1


async def _reservations(db, tid, sale):  # type: ignore[no-untyped-def]
    from modules.reservations import service as reservations

    rows = await reservations.search_reservations(db, tid, term="")
    return [r.id for r in rows if getattr(r, "unit_type_id", None) == sale.grade.id]
