"""Two agents of one agency book at the same moment against the last ¥588 of its prepaid
balance: real transactions, committed, meeting through the database (the first holds its
locks until the second is queued behind them). One order is confirmed; the other is refused
as insufficient balance with nothing of it written, and the balance never goes below zero."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db.engine import Database, TenantId
from app.errors import Conflict
from modules.distribution.models import Agreement, DistributionOrder
from modules.distribution.repository.agreements import agreement_for_partner
from modules.distribution.schemas.booking import OrderRequest
from modules.distribution.service import booking, ledger
from modules.reservations import service as reservations
from tenants.counterparty import acting_for
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.reservations import make_stock
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb


async def _world(database: Database):  # type: ignore[no-untyped-def]
    async with database.transaction() as db:
        hotel = (await make_tenant(db, name="山城大酒店")).tenant
        agency = (await make_tenant(db, name="巴渝国旅", kinds=("agency",))).tenant
        stock = await make_stock(db, tenant=hotel)
        distributor = await make_distributor(db, tenant=hotel, partner=agency)
        agreement = await make_agreement(db, tenant=hotel, distributor=distributor)
        product = await make_product(db, tenant=hotel, agreement=agreement, stock=stock)
        other = await make_stock(db, tenant=hotel, name="江景双床房", start=stock.start)
        second = await make_product(db, tenant=hotel, agreement=agreement, stock=other)
        await ledger.post_topup(
            db, TenantId(hotel.id), agreement, amount_fen=58800, reference="BANK-LAST"
        )
        ids = (product.id, second.id)
        return TenantId(hotel.id), TenantId(agency.id), stock, agreement.id, ids


@pytest.mark.parametrize("rooms", ["the same room type", "two room types"])
async def test_racing_for_the_last_yuan_one_order_wins(committed_database, rooms):
    hotel, agency, stock, agreement_id, products = await _world(committed_database)
    race = Race(committed_database)

    async def book(key: str, *, first: bool) -> str:
        product_id = products[0] if first or rooms == "the same room type" else products[1]
        if not first:
            await race.held.wait()
        request = OrderRequest(
            product_id=product_id,
            arrival=stock.start,
            departure=stock.start + timedelta(days=1),
            guest_name="李娜",
            guest_phone="13800138000",
            idempotency_key=key,
        )
        try:
            async with committed_database.transaction(agency) as db:
                mine = await agreement_for_partner(db, agency, agreement_id)
                async with acting_for(db, mine, own=agency) as supplier:
                    await booking.place_order(db, supplier, mine, request)
                    if first:
                        await race.hold(db)
            return "booked"
        except Conflict as refused:
            return refused.code

    outcomes = await race.run(book("agent-1", first=True), book("agent-2", first=False))
    assert sorted(outcomes) == ["booked", "insufficient_balance"]
    async with committed_database.transaction(hotel) as db:
        assert await db.scalar(select(func.count()).select_from(DistributionOrder)) == 1
        found = await db.get(Agreement, agreement_id)
        assert found is not None
        balance = await ledger.balance_of(db, hotel, found)
        assert balance.balance_fen == 0
        assert await ledger.check_balances(db, hotel) == []
        # the loser's room went back on sale with it: one night is sold in all
        cal = await reservations.calendar(db, hotel, start=stock.start, days=1)
        assert sum(row.cells[0].sold for row in cal.rows if row.cells[0] is not None) == 1
