"""Booking the other kinds of product through a distributor: a cruise cabin with every
passenger real-name (GB 11643), landing on the voyage's manifest; a spa day ticket sold the
way online tickets are (an admission reservation for one date with its own code)."""

from __future__ import annotations

from datetime import date

import pytest

from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid
from modules.boarding import service as boarding
from modules.distribution.repository.agreements import agreement_for_partner
from modules.distribution.schemas.booking import OrderRequest, PassengerIn
from modules.distribution.service import booking, ledger, orders
from modules.keytags import service as keytags
from modules.reservations import service as reservations
from tenants.counterparty import acting_for
from tests.factories.boarding_booking import make_voyage_on_sale, resident_id
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.keytags import make_ticket_type
from tests.factories.tenants import make_tenant


async def _signed(db, supplier, agency, **product):  # type: ignore[no-untyped-def]
    await bind_tenant(db, supplier.id)
    distributor = await make_distributor(db, tenant=supplier, partner=agency)
    agreement = await make_agreement(db, tenant=supplier, distributor=distributor)
    made = await make_product(db, tenant=supplier, agreement=agreement, **product)
    await ledger.post_topup(
        db, TenantId(supplier.id), agreement, amount_fen=2_000_000, reference="BANK-9"
    )
    return agreement, made


async def _as(db, agency, agreement, call):  # type: ignore[no-untyped-def]
    await bind_tenant(db, agency.id)
    mine = await agreement_for_partner(db, TenantId(agency.id), agreement.id)
    async with acting_for(db, mine, own=TenantId(agency.id)) as supplier:
        return await call(supplier, mine)


@pytest.fixture
async def agency(db):
    return (await make_tenant(db, name="巴渝国旅", kinds=("agency",))).tenant


class TestCruiseCabin:
    @pytest.fixture
    async def cruise(self, db, agency):
        line = (await make_tenant(db, name="长江游轮", kinds=("cruise",))).tenant
        sale = await make_voyage_on_sale(db, tenant=line, price_fen=100000)
        agreement, product = await _signed(
            db,
            line,
            agency,
            unit_type_id=sale.grade.id,
            rate_plan_id=None,
            voyage_id=sale.voyage.id,
            net_price_fen=250000,
        )
        return line, sale, agreement, product

    def _request(self, sale, product, passengers, key="c-1"):  # type: ignore[no-untyped-def]
        return OrderRequest(
            product_id=product.id,
            arrival=sale.depart_on,
            passengers=tuple(passengers),
            idempotency_key=key,
        )

    async def test_a_cabin_with_real_name_passengers_lands_on_the_manifest(
        self, db, agency, cruise
    ):
        line, sale, agreement, product = cruise
        people = (
            PassengerIn("张伟", id_number=resident_id(date(1980, 3, 7)), phone="13800138000"),
            PassengerIn("李娜", id_number=resident_id(date(1982, 5, 9), seq="124")),
        )
        order = await _as(
            db,
            agency,
            agreement,
            lambda s, a: booking.place_order(db, s, a, self._request(sale, product, people)),
        )
        assert order.kind == "cabin" and order.cabin_number
        assert order.passengers == ("张伟", "李娜")
        assert (order.arrival, order.departure) == (sale.depart_on, sale.arrive_on)
        assert order.sale_fen == 300000 and order.settlement_fen == 250000
        await bind_tenant(db, line.id)
        sailing = await boarding.passengers_of_reservation(
            db, TenantId(line.id), order.reservation_id
        )
        assert len(sailing) == 2
        r = await reservations.get_reservation(db, TenantId(line.id), order.reservation_id)
        assert (r.source, r.channel) == ("distribution", "巴渝国旅")

    async def test_a_passenger_with_a_wrong_resident_id_is_refused(self, db, agency, cruise):
        _, sale, agreement, product = cruise
        bad = (PassengerIn("张伟", id_number="500103198003071230", phone="13800138000"),)
        with pytest.raises(Invalid) as refused:
            async with db.begin_nested():
                await _as(
                    db,
                    agency,
                    agreement,
                    lambda s, a: booking.place_order(db, s, a, self._request(sale, product, bad)),
                )
        assert any("id_number" in e["field"] for e in refused.value.errors or [])

    async def test_cancelling_the_cabin_cancels_its_passengers(self, db, agency, cruise):
        line, sale, agreement, product = cruise
        people = (
            PassengerIn("张伟", id_number=resident_id(date(1980, 3, 7)), phone="13800138000"),
        )
        order = await _as(
            db,
            agency,
            agreement,
            lambda s, a: booking.place_order(db, s, a, self._request(sale, product, people)),
        )
        done = await _as(
            db, agency, agreement, lambda s, a: orders.cancel_order(db, s, a, order.id)
        )
        assert done.status == "cancelled"
        await bind_tenant(db, line.id)
        left = await boarding.passengers_of_reservation(db, TenantId(line.id), order.reservation_id)
        assert all(p.status == "cancelled" for p in left)


class TestSpaDayTicket:
    async def test_day_tickets_are_an_admission_reservation_for_the_date(self, db, agency):
        owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
        resort = owner.tenant
        tid = TenantId(resort.id)
        await bind_tenant(db, resort.id)
        await reservations.create_rate_plan(
            db,
            tid,
            reservations.RatePlanInput(
                "rack", "门市价", free_cancel_hours=0, cancel_fee_kind="none"
            ),
        )
        ticket = await make_ticket_type(db, tenant=resort, sold_online=True)
        await keytags.sync_online_ticket(db, tid, ticket)
        day = await keytags.resort_today(db, tid)
        offers = await keytags.ticket_offers(db, tid, day)
        price = offers[0].price_fen
        agreement, product = await _signed(
            db,
            resort,
            agency,
            unit_type_id=ticket.unit_type_id,
            rate_plan_id=None,
            price_mode="commission",
            net_price_fen=None,
            commission_bp=1000,
        )
        request = OrderRequest(
            product_id=product.id,
            arrival=day,
            quantity=3,
            guest_name="王芳",
            guest_phone="13900139000",
            idempotency_key="spa-1",
        )
        order = await _as(
            db, agency, agreement, lambda s, a: booking.place_order(db, s, a, request)
        )
        assert order.kind == "admission" and order.quantity == 3
        assert order.sale_fen == 3 * price
        assert order.settlement_fen == 3 * price - (3 * price * 1000 + 5000) // 10000
        await bind_tenant(db, resort.id)
        r = await reservations.get_reservation(db, tid, order.reservation_id)
        assert (r.kind, r.quantity, r.status, r.channel) == (
            "admission",
            3,
            "confirmed",
            "巴渝国旅",
        )
        left = {o.ticket_type_id: o.available for o in await keytags.ticket_offers(db, tid, day)}
        assert left[ticket.id] == offers[0].available - 3
