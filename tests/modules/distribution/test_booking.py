"""Booking for a distributor: an agency books its supplier's room through its agreement;
the order lands as the supplier's reservation marked with the channel, the prepaid balance
drops by the settlement price, a replayed key gives the first order back, another product
or another distributor's order is NotFound, a cancellation keeps the policy's fee, a date
change moves the ledger by the difference, a sub-distributor's sale pays its upline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid, NotFound
from modules.distribution.models import (
    Agreement,
    Callback,
    DistributionOrder,
    LedgerAccount,
    LedgerPosting,
)
from modules.distribution.repository.agreements import agreement_for_partner
from modules.distribution.schemas.booking import ChangeRequest, OrderRequest
from modules.distribution.service import booking, ledger, orders
from modules.distribution.service.booking import IdempotencyMismatch
from modules.reservations import service as reservations
from tenants.counterparty import acting_for
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.reservations import make_rate_plan, make_stock
from tests.factories.tenants import make_tenant


@dataclass
class World:
    hotel: object
    agency: object
    stock: object
    agreement: Agreement
    product: object

    @property
    def hotel_id(self) -> TenantId:
        return TenantId(self.hotel.id)  # type: ignore[attr-defined]

    @property
    def agency_id(self) -> TenantId:
        return TenantId(self.agency.id)  # type: ignore[attr-defined]


async def _world(db, *, topup: int = 200_000, **agreement_fields) -> World:  # type: ignore[no-untyped-def]
    hotel = (await make_tenant(db, name="山城大酒店")).tenant
    agency = (await make_tenant(db, name="巴渝国旅", kinds=("agency",))).tenant
    stock = await make_stock(db, tenant=hotel)
    distributor = await make_distributor(db, tenant=hotel, partner=agency)
    agreement = await make_agreement(db, tenant=hotel, distributor=distributor, **agreement_fields)
    product = await make_product(db, tenant=hotel, agreement=agreement, stock=stock)
    if topup:
        await ledger.post_topup(
            db, TenantId(hotel.id), agreement, amount_fen=topup, reference="BANK-1"
        )
    return World(hotel, agency, stock, agreement, product)


@pytest.fixture
async def world(db):
    return await _world(db)


def _request(w: World, key: str = "k-1", nights: int = 1, **fields) -> OrderRequest:  # type: ignore[no-untyped-def]
    arrival = w.stock.start  # type: ignore[attr-defined]
    data = {
        "product_id": w.product.id,  # type: ignore[attr-defined]
        "arrival": arrival,
        "departure": arrival + timedelta(days=nights),
        "guest_name": "李娜",
        "guest_phone": "13800138000",
        "idempotency_key": key,
        **fields,
    }
    return OrderRequest(**data)


async def _as_agency(db, w: World, call):  # type: ignore[no-untyped-def]
    """Run `call(supplier_tid, agreement)` the way the agency's page does."""
    await bind_tenant(db, w.agency_id)
    agreement = await agreement_for_partner(db, w.agency_id, w.agreement.id)
    async with acting_for(db, agreement, own=w.agency_id) as supplier:
        return await call(supplier, agreement)


async def _place(db, w: World, request: OrderRequest):  # type: ignore[no-untyped-def]
    return await _as_agency(db, w, lambda s, a: booking.place_order(db, s, a, request))


async def _balance(db, w: World) -> int:  # type: ignore[no-untyped-def]
    await bind_tenant(db, w.hotel_id)
    return (await ledger.balance_of(db, w.hotel_id, w.agreement)).balance_fen


class TestPlacing:
    async def test_order_lands_as_reservation_marked_with_the_channel(self, db, world):
        order = await _place(db, world, _request(world, nights=2))
        await bind_tenant(db, world.hotel_id)
        r = await reservations.get_reservation(db, world.hotel_id, order.reservation_id)
        assert r.source == "distribution"
        assert r.channel == "巴渝国旅"
        assert r.status == "confirmed"
        assert order.number.startswith("FX") and order.reservation_code == r.code
        assert order.sale_fen == r.total_fen == 2 * 68800
        assert order.settlement_fen == 2 * 58800

    async def test_the_balance_drops_by_the_settlement_price(self, db, world):
        before = await _balance(db, world)
        order = await _place(db, world, _request(world))
        assert await _balance(db, world) == before - order.settlement_fen == 200_000 - 58800
        assert await ledger.check_balances(db, world.hotel_id) == []

    async def test_the_distributor_is_told_when_it_has_a_callback_url(self, db):
        w = await _world(db)
        await bind_tenant(db, w.hotel_id)
        from modules.distribution.models import Distributor

        d = await db.get(Distributor, w.agreement.distributor_id)
        d.callback_url = "https://agency.example/hooks"
        await db.flush()
        order = await _place(db, w, _request(w))
        await bind_tenant(db, w.hotel_id)
        sent = (await db.execute(select(Callback).where(Callback.order_id == order.id))).scalars()
        assert [c.event_type for c in sent] == ["order.confirmed"]

    async def test_prepaid_balance_too_small_refuses_the_order(self, db):
        w = await _world(db, topup=50_000)
        with pytest.raises(ledger.InsufficientBalance):
            async with db.begin_nested():
                await _place(db, w, _request(w))
        await bind_tenant(db, w.hotel_id)
        assert await db.scalar(select(func.count()).select_from(DistributionOrder)) == 0

    async def test_credit_line_is_charged_as_owed(self, db):
        w = await _world(db, topup=0, payment_terms="credit", credit_limit_fen=100_000)
        order = await _place(db, w, _request(w))
        await bind_tenant(db, w.hotel_id)
        b = await ledger.balance_of(db, w.hotel_id, w.agreement)
        assert b.balance_fen == order.settlement_fen and b.available_fen == 100_000 - 58800


class TestIdempotency:
    async def test_same_key_same_request_gives_back_the_first_order(self, db, world):
        first = await _place(db, world, _request(world))
        again = await _place(db, world, _request(world))
        assert again.id == first.id and again.number == first.number
        await bind_tenant(db, world.hotel_id)
        assert await db.scalar(select(func.count()).select_from(DistributionOrder)) == 1
        assert await _balance(db, world) == 200_000 - 58800

    async def test_same_key_different_request_is_409(self, db, world):
        await _place(db, world, _request(world))
        with pytest.raises(IdempotencyMismatch):
            await _place(db, world, _request(world, nights=2))


class TestWhatTheAgreementCovers:
    async def test_a_product_not_authorised_is_not_found(self, db, world):
        await bind_tenant(db, world.hotel_id)
        other = await make_stock(db, tenant=world.hotel)
        request = _request(world)
        from dataclasses import replace

        with pytest.raises(NotFound):
            await _place(db, world, replace(request, product_id=other.unit_type.id))

    async def test_another_suppliers_product_is_not_found(self, db, world):
        elsewhere = await _world(db)
        with pytest.raises(NotFound):
            await _place(
                db,
                world,
                _request(world, product_id=elsewhere.product.id),  # type: ignore[attr-defined]
            )

    async def test_a_distributor_cannot_read_another_distributors_order(self, db, world):
        order = await _place(db, world, _request(world))
        await bind_tenant(db, world.hotel_id)
        rival = (await make_tenant(db, name="另一家旅行社", kinds=("agency",))).tenant
        d2 = await make_distributor(db, tenant=world.hotel, partner=rival)
        a2 = await make_agreement(db, tenant=world.hotel, distributor=d2)
        await bind_tenant(db, TenantId(rival.id))
        mine = await agreement_for_partner(db, TenantId(rival.id), a2.id)
        async with acting_for(db, mine, own=TenantId(rival.id)) as supplier:
            with pytest.raises(NotFound):
                await orders.order_status(db, supplier, mine, order.id)
            with pytest.raises(NotFound):
                await orders.order_status(db, supplier, mine, order.number)
        with pytest.raises(NotFound):
            await agreement_for_partner(db, TenantId(rival.id), world.agreement.id)


class TestCancelling:
    async def test_the_policy_fee_is_kept_and_the_rest_refunded(self, db):
        w = await _world(db)
        await bind_tenant(db, w.hotel_id)
        strict = await make_rate_plan(
            db, tenant=w.hotel, free_cancel_hours=8760, cancel_fee_kind="first_night"
        )
        product = await make_product(
            db, tenant=w.hotel, agreement=w.agreement, stock=w.stock, rate_plan_id=strict.id
        )
        order = await _place(db, w, _request(w, nights=2, product_id=product.id))
        done = await _as_agency(db, w, lambda s, a: orders.cancel_order(db, s, a, order.number))
        assert done.status == "cancelled"
        # the plan keeps the first night (¥688 of ¥1,376): the agency pays half its price
        assert done.cancellation_fee_fen == 58800
        assert await _balance(db, w) == 200_000 - 58800
        assert await ledger.check_balances(db, w.hotel_id) == []
        r = await reservations.get_reservation(db, w.hotel_id, order.reservation_id)
        assert r.status == "cancelled"

    async def test_free_cancellation_refunds_everything_and_twice_is_harmless(self, db, world):
        order = await _place(db, world, _request(world))
        await _as_agency(db, world, lambda s, a: orders.cancel_order(db, s, a, order.id))
        again = await _as_agency(db, world, lambda s, a: orders.cancel_order(db, s, a, order.id))
        assert again.status == "cancelled" and again.cancellation_fee_fen == 0
        assert await _balance(db, world) == 200_000

    async def test_the_hotel_cancelling_at_its_desk_cancels_the_order_and_refunds(self, db, world):
        order = await _place(db, world, _request(world))
        await bind_tenant(db, world.hotel_id)
        await reservations.cancel(
            db, world.hotel_id, order.reservation_id, reason="房间维修", waive_fee=True
        )
        found = await db.get(DistributionOrder, order.id)
        assert found is not None and found.status == "cancelled"
        assert await _balance(db, world) == 200_000
        assert await ledger.check_balances(db, world.hotel_id) == []


class TestChanging:
    async def test_a_longer_stay_is_charged_the_difference(self, db, world):
        order = await _place(db, world, _request(world))
        change = ChangeRequest(departure=order.arrival + timedelta(days=3))
        moved = await _as_agency(
            db, world, lambda s, a: orders.change_order(db, s, a, order.id, change)
        )
        assert moved.settlement_fen == 3 * 58800 and moved.sale_fen == 3 * 68800
        assert await _balance(db, world) == 200_000 - 3 * 58800
        change = ChangeRequest(departure=order.arrival + timedelta(days=1))
        await _as_agency(db, world, lambda s, a: orders.change_order(db, s, a, order.id, change))
        assert await _balance(db, world) == 200_000 - 58800
        assert await ledger.check_balances(db, world.hotel_id) == []

    async def test_two_rooms_instead_of_one_are_charged_the_second(self, db, world):
        order = await _place(db, world, _request(world))
        change = ChangeRequest(quantity=2)
        moved = await _as_agency(
            db, world, lambda s, a: orders.change_order(db, s, a, order.number, change)
        )
        assert moved.quantity == 2 and moved.settlement_fen == 2 * 58800
        assert await _balance(db, world) == 200_000 - 2 * 58800
        r = await reservations.get_reservation(db, world.hotel_id, order.reservation_id)
        assert r.quantity == 2 and r.total_fen == 2 * 68800

    async def test_past_the_deadline_a_booking_cannot_shrink(self, db):
        w = await _world(db)
        await bind_tenant(db, w.hotel_id)
        strict = await make_rate_plan(
            db, tenant=w.hotel, free_cancel_hours=8760, cancel_fee_kind="first_night"
        )
        product = await make_product(
            db, tenant=w.hotel, agreement=w.agreement, stock=w.stock, rate_plan_id=strict.id
        )
        order = await _place(db, w, _request(w, nights=2, product_id=product.id))
        shorter = ChangeRequest(departure=order.arrival + timedelta(days=1))
        with pytest.raises(orders.ChangeTooLate):
            async with db.begin_nested():
                await _as_agency(
                    db, w, lambda s, a: orders.change_order(db, s, a, order.id, shorter)
                )
        longer = ChangeRequest(departure=order.arrival + timedelta(days=3))
        grown = await _as_agency(
            db, w, lambda s, a: orders.change_order(db, s, a, order.id, longer)
        )
        assert grown.settlement_fen == 3 * 58800


class TestQuoteAndCatalog:
    async def test_quote_tells_price_and_balance_after(self, db, world):
        q = await _as_agency(
            db,
            world,
            lambda s, a: booking.quote(
                db,
                s,
                a,
                product_id=world.product.id,  # type: ignore[attr-defined]
                arrival=world.stock.start,  # type: ignore[attr-defined]
                departure=world.stock.start + timedelta(days=2),  # type: ignore[attr-defined]
            ),
        )
        assert q.bookable and q.sale_fen == 2 * 68800 and q.settlement_fen == 2 * 58800
        assert q.available_after_fen == 200_000 - 2 * 58800

    async def test_catalog_lists_only_authorised_products(self, db, world):
        await bind_tenant(db, world.hotel_id)
        await make_stock(db, tenant=world.hotel)  # the hotel's other room type
        items = await _as_agency(
            db,
            world,
            lambda s, a: booking.catalog(
                db,
                s,
                a,
                arrival=world.stock.start,
                departure=world.stock.start + timedelta(days=1),  # type: ignore[attr-defined]
            ),
        )
        assert [i.product_id for i in items] == [world.product.id]  # type: ignore[attr-defined]
        assert items[0].available == 3 and items[0].settlement_fen == 58800

    async def test_a_past_date_is_refused(self, db, world):
        request = _request(world, arrival=world.stock.start - timedelta(days=60))  # type: ignore[attr-defined]
        with pytest.raises(Invalid):
            await _place(db, world, request)


class TestSubDistributor:
    async def test_a_level_two_sale_pays_its_upline_the_difference(self, db, world):
        await bind_tenant(db, world.hotel_id)
        sub_tenant = (await make_tenant(db, name="下级旅行社", kinds=("agency",))).tenant
        sub = await make_distributor(
            db,
            tenant=world.hotel,
            partner=sub_tenant,
            upline_tenant_id=world.agency_id,
            appointed_by_id=world.agreement.distributor_id,
        )
        sub_agreement = await make_agreement(
            db, tenant=world.hotel, distributor=sub, parent=world.agreement
        )
        sub_product = await make_product(
            db, tenant=world.hotel, agreement=sub_agreement, stock=world.stock, net_price_fen=62800
        )
        await ledger.post_topup(
            db, world.hotel_id, sub_agreement, amount_fen=100_000, reference="BANK-2"
        )
        w2 = World(world.hotel, sub_tenant, world.stock, sub_agreement, sub_product)
        order = await _place(db, w2, _request(w2))
        assert order.settlement_fen == 62800
        await bind_tenant(db, world.hotel_id)
        commission = await db.scalar(
            select(LedgerAccount.balance_fen).where(
                LedgerAccount.agreement_id == sub_agreement.id,
                LedgerAccount.kind == "upline_commission",
            )
        )
        assert commission == -(62800 - 58800)
        total = await db.scalar(select(func.sum(LedgerPosting.amount_fen)))
        assert total == 0
