"""Reconciliation per month: a distribution order whose date passed with no check-in is
sold-but-not-redeemed; a distribution booking checked in with its order cancelled, or with
no order at all, is redeemed-but-not-sold; a checked-in order, or one a boarding or
admission event marked redeemed, is in neither list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid
from modules.distribution.service import reconciliation
from tests.factories.distribution import make_agreement, make_distributor, make_order, make_product
from tests.factories.reservations import make_reservation, make_stock
from tests.factories.tenants import make_tenant


async def _booked(db, tenant, stock, arrival, status, channel="春秋旅行社"):
    """A reservation moved into last month (test rows: the booking path refuses past
    dates), as a distribution booking in `status`."""
    r = await make_reservation(db, tenant=tenant, stock=stock)
    await db.execute(
        text(
            "UPDATE reservations SET arrival = :a, departure = :d, status = :s, "
            "source = 'distribution', channel = :c WHERE id = :id"
        ),
        {"a": arrival, "d": arrival + timedelta(days=1), "s": status, "c": channel, "id": r.id},
    )
    return r


class TestReconcileMonth:
    async def test_the_two_lists(self, db):
        hotel = await make_tenant(db, name="山城大酒店")
        tenant = hotel.tenant
        await bind_tenant(db, tenant.id)
        today = clock.today("Asia/Shanghai")
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
        day = first + timedelta(days=4)
        stock = await make_stock(db, tenant=tenant, units=8)
        distributor = await make_distributor(db, tenant=tenant, name="春秋旅行社")
        agreement = await make_agreement(
            db, tenant=tenant, distributor=distributor, valid_from=first
        )
        product = await make_product(db, tenant=tenant, agreement=agreement, stock=stock)

        async def order(guest, reservation, **kw):
            return await make_order(
                db, tenant=tenant, product=product, guest_name=guest, arrival=day,
                departure=day + timedelta(days=1),
                reservation_id=reservation.id if reservation else None, **kw,
            )  # fmt: skip

        stayed = await order("李娜", await _booked(db, tenant, stock, day, "checked_out"))
        no_show = await order("王强", await _booked(db, tenant, stock, day, "confirmed"))
        cancelled_room = await _booked(db, tenant, stock, day, "checked_in")
        cancelled = await order("赵敏", cancelled_room, status="cancelled")
        walked_in = await _booked(db, tenant, stock, day, "checked_in")
        boarded = await order("陈静", None, redeemed_at=clock.now())

        found = await reconciliation.reconcile_month(db, TenantId(tenant.id), f"{first:%Y-%m}")

        assert [line.order_number for line in found.sold_not_redeemed] == [no_show.number]
        assert sorted(line.reservation_code for line in found.redeemed_not_sold) == sorted(
            [cancelled_room.code, walked_in.code]
        )
        by_code = {line.reservation_code: line for line in found.redeemed_not_sold}
        assert by_code[cancelled_room.code].order_status == "cancelled"
        assert by_code[walked_in.code].order_status == ""
        assert by_code[walked_in.code].distributor_name == "春秋旅行社"
        listed = {line.order_number for line in found.sold_not_redeemed}
        assert stayed.number not in listed and boarded.number not in listed
        assert cancelled.number not in listed
        assert (found.orders, found.redeemed) == (3, 3)

    async def test_a_month_is_written_yyyy_mm(self, db):
        hotel = await make_tenant(db)
        with pytest.raises(Invalid):
            await reconciliation.reconcile_month(db, TenantId(hotel.tenant.id), "2026-13")
        with pytest.raises(Invalid):
            await reconciliation.reconcile_month(db, TenantId(hotel.tenant.id), "２０２６-11")
