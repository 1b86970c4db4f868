"""Two clerks giving the same room at the same moment, in real concurrent transactions:
one guest gets it, the other clerk a clean refusal, never two guests in one room."""

from __future__ import annotations

import asyncio

import pytest

from app.db.engine import TenantId
from app.errors import Conflict, Invalid
from modules.frontdesk import service
from modules.reservations import service as reservations
from tests.factories.frontdesk import TZ, arriving_today, hotel_today
from tests.factories.reservations import make_stock
from tests.factories.tenants import make_tenant
from tests.races import hold_until_waited_on

pytestmark = pytest.mark.realdb


async def test_one_room_given_twice_at_once_goes_to_one_guest(committed_database):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=3)
        first = await arriving_today(db, tenant=owner.tenant, stock=stock)
        second = await arriving_today(db, tenant=owner.tenant, stock=stock)
        room = (await reservations.list_units(db, tid, unit_type_id=stock.unit_type.id))[0]

    async def give(reservation_id):  # type: ignore[no-untyped-def]
        try:
            async with committed_database.transaction(tid) as db:
                await service.check_in(
                    db, tid, reservation_id, unit_id=room.id, actor=service.SYSTEM, tz=TZ
                )
            return "given"
        except (Conflict, Invalid):
            return "refused"

    outcomes = await asyncio.gather(give(first.id), give(second.id))
    assert sorted(outcomes) == ["given", "refused"]
    async with committed_database.transaction(tid) as db:
        stay = await service.current_stay_for_unit(db, tid, room.id)
        assert stay is not None
        loser = second.id if stay.reservation_id == first.id else first.id
        assert await service.stay_for_reservation(db, tid, loser) is None
        assert (await reservations.get_reservation(db, tid, loser)).status == "confirmed"


async def test_the_clerk_who_commits_second_is_refused_by_the_database(committed_database):
    """The second clerk's check-in saw the room free (the first had not committed yet);
    the partial unique index makes it wait, then refuses it with a 409, not a 500."""
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=3)
        first = await arriving_today(db, tenant=owner.tenant, stock=stock)
        second = await arriving_today(db, tenant=owner.tenant, stock=stock)
        room = (await reservations.list_units(db, tid, unit_type_id=stock.unit_type.id))[0]

    async with committed_database.transaction(tid) as db_a:
        await service.check_in(db_a, tid, first.id, unit_id=room.id, actor=service.SYSTEM, tz=TZ)

        async def second_clerk() -> None:
            async with committed_database.transaction(tid) as db_b:
                await service.check_in(
                    db_b, tid, second.id, unit_id=room.id, actor=service.SYSTEM, tz=TZ
                )

        waiting = asyncio.create_task(second_clerk())
        # until the second clerk is blocked on the index
        await hold_until_waited_on(committed_database, db_a, unless=waiting.done)
        assert not waiting.done()
    with pytest.raises(Conflict) as refused:
        await waiting
    assert room.number in refused.value.message
