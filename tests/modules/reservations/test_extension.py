"""Stay extension (续住): the added nights are sold like a booking, never overbooked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app.db.engine import TenantId
from app.errors import Invalid
from modules.reservations import service
from tests.factories.reservations import make_rate_plan, make_reservation, make_stock
from tests.factories.tenants import make_tenant
from tests.races import Race

_SOLD = text("SELECT day, sold FROM inventory_days WHERE unit_type_id = :ut ORDER BY day")


async def _sold(db, stock) -> dict:
    return dict((await db.execute(_SOLD, {"ut": stock.unit_type.id})).all())


async def _in_house(db, stock, **kw):
    """A booking of `stock` whose guest is in house (in the type's first free room)."""
    r = await make_reservation(db, tenant=kw.pop("tenant"), stock=stock, **kw)
    units = await service.list_units(db, stock.tenant_id, unit_type_id=stock.unit_type.id)
    taken = {x.unit_id for x in (await service.list_day(db, stock.tenant_id, stock.start)).in_house}
    unit = next(u for u in units if u.id not in taken)
    await service.mark_checked_in(db, stock.tenant_id, r.id, unit.id)
    return r


class TestExtendStay:
    async def test_added_nights_are_sold_priced_and_the_booking_moves(self, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, units=2, base_price_fen=45800)
        r = await _in_house(db, stock, tenant=owner.tenant, nights=2)
        new_departure = r.departure + timedelta(days=2)

        ext = await service.extend_stay(
            db, stock.tenant_id, r.id, new_departure, actor=service.Actor()
        )

        assert [n.day for n in ext.added] == [r.departure, r.departure + timedelta(days=1)]
        assert [n.price_fen for n in ext.added] == [45800, 45800]
        assert ext.added_fen == 91600
        assert ext.reservation.departure == new_departure
        assert ext.reservation.total_fen == r.total_fen + 91600 == 183200
        assert len(ext.reservation.night_prices) == 4
        sold = await _sold(db, stock)
        assert [sold[stock.start + timedelta(days=i)] for i in range(5)] == [1, 1, 1, 1, 0]

    async def test_added_nights_take_the_plan_discount_and_old_nights_keep_their_price(self, db):
        owner = await make_tenant(db)
        plan = await make_rate_plan(db, tenant=owner.tenant, code="member", discount_bp=1000)
        stock = await make_stock(db, tenant=owner.tenant, plan=plan, base_price_fen=50000)
        r = await _in_house(db, stock, tenant=owner.tenant, nights=1)
        await service.set_calendar(
            db,
            stock.tenant_id,
            unit_type_id=stock.unit_type.id,
            start=stock.start,
            end=stock.start + timedelta(days=5),
            price_fen=60000,
        )
        ext = await service.extend_stay(db, stock.tenant_id, r.id, r.departure + timedelta(1))
        assert [n.price_fen for n in ext.reservation.night_prices] == [45000, 54000]
        assert ext.reservation.total_fen == 99000

    async def test_a_date_not_after_the_departure_is_refused_with_the_field(self, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant)
        r = await _in_house(db, stock, tenant=owner.tenant, nights=2)
        for day in (r.departure, r.departure - timedelta(days=1)):
            with pytest.raises(Invalid) as refused:
                await service.extend_stay(db, stock.tenant_id, r.id, day)
            assert refused.value.status_code == 422
            assert (refused.value.errors or [{}])[0]["field"] == "departure"

    async def test_sold_out_nights_are_refused_and_nothing_changes(self, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, units=1)
        r = await _in_house(db, stock, tenant=owner.tenant, nights=1)
        await make_reservation(db, tenant=owner.tenant, stock=stock, offset=1, nights=1)
        before = await _sold(db, stock)
        with pytest.raises(service.SoldOut) as refused:
            await service.extend_stay(db, stock.tenant_id, r.id, r.departure + timedelta(2))
        assert refused.value.status_code == 409
        assert await _sold(db, stock) == before
        after = await service.get_reservation(db, stock.tenant_id, r.id)
        assert (after.departure, after.total_fen) == (r.departure, r.total_fen)

    async def test_only_a_guest_in_house_can_extend(self, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant)
        r = await make_reservation(db, tenant=owner.tenant, stock=stock)
        with pytest.raises(service.WrongStatus):
            await service.extend_stay(db, stock.tenant_id, r.id, r.departure + timedelta(1))

    async def test_nights_not_on_sale_are_refused(self, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, days=3)
        r = await _in_house(db, stock, tenant=owner.tenant, nights=2)
        with pytest.raises(service.NotBookable):
            await service.extend_stay(db, stock.tenant_id, r.id, r.departure + timedelta(5))


@pytest.mark.realdb
class TestRaceForTheLastNight:
    async def test_two_clerks_extending_into_the_last_unit_night_one_wins(self, committed_database):
        """Two guests in house, one free unit on the night after their departure: both
        clerks extend at the same moment in real transactions; exactly one is sold it,
        the other gets the sold-out 409, and `sold` never passes `total`."""
        async with committed_database.transaction() as db:
            owner = await make_tenant(db)
            stock = await make_stock(db, tenant=owner.tenant, units=3)
            first = await _in_house(db, stock, tenant=owner.tenant, nights=1)
            second = await _in_house(db, stock, tenant=owner.tenant, nights=1)
            # Two of the three units are sold for the next night to arriving guests.
            await make_reservation(db, tenant=owner.tenant, stock=stock, offset=1, nights=1)
            await make_reservation(db, tenant=owner.tenant, stock=stock, offset=1, nights=1)
        tid = TenantId(stock.tenant_id)
        night = stock.start + timedelta(days=1)
        race = Race(committed_database)

        async def extend(reservation_id):
            try:
                async with committed_database.transaction(tid) as db:
                    await service.extend_stay(db, tid, reservation_id, night + timedelta(1))
                    await race.hold(db)  # hold the locks until the other one waits on them
                return "extended"
            except service.SoldOut:
                return "sold out"

        outcomes = await race.run(extend(first.id), extend(second.id))
        assert sorted(outcomes) == ["extended", "sold out"]
        async with committed_database.transaction(tid) as db:
            sold = await _sold(db, stock)
            departures = [
                (await service.get_reservation(db, tid, x.id)).departure for x in (first, second)
            ]
        assert sold[night] == 3
        assert sorted(departures) == [night, night + timedelta(days=1)]
