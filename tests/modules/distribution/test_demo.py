"""The demo's distribution network, seeded for the agency and the hotel: an agreement at net
prices, a top-up, last month's orders (one cancelled) in a closed statement, an order this
month, and the OTA on credit with its key and callback address; seeded twice, made once."""

from __future__ import annotations

from sqlalchemy import func, select

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.distribution import demo
from modules.distribution.models import (
    Agreement,
    AgreementProduct,
    DistributionOrder,
    Distributor,
    LedgerEntry,
    Statement,
)
from modules.distribution.service import ledger
from modules.reservations import demo as reservations_demo
from tests.factories.tenants import make_tenant


async def _network(db):  # type: ignore[no-untyped-def]
    agency = await make_tenant(db, kinds=("agency",), name="重庆巴渝国际旅行社")
    hotel = await make_tenant(db, kinds=("hotel",), name="重庆解放碑大酒店")
    h = TenantId(hotel.tenant.id)
    await bind_tenant(db, h)
    await reservations_demo.seed_demo(db, h, ("hotel",))
    slugs = {demo.AGENCY: TenantId(agency.tenant.id), demo.HOTEL: h}
    return slugs, h


async def _count(db, model, *where) -> int:  # type: ignore[no-untyped-def]
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)))


async def test_the_agency_sells_the_hotel_s_rooms_and_last_month_is_closed(db):
    slugs, hotel = await _network(db)
    made = await demo.seed_network(db, slugs)
    assert len(made.agreements) == 1
    assert made.statements_closed == 1
    assert made.ota_secret.startswith("whsec_")

    await bind_tenant(db, hotel)
    agency_agreement = await db.scalar(
        select(Agreement).where(Agreement.partner_tenant_id == slugs[demo.AGENCY])
    )
    assert agency_agreement is not None
    assert agency_agreement.payment_terms == "prepaid"
    products = (
        await db.scalars(
            select(AgreementProduct).where(AgreementProduct.agreement_id == agency_agreement.id)
        )
    ).all()
    assert products and all(p.price_mode == "net" for p in products)

    first = clock.today().replace(day=1)
    statement = await db.scalar(
        select(Statement).where(Statement.agreement_id == agency_agreement.id)
    )
    assert statement is not None and statement.period_end == first
    assert statement.status == "closed"
    assert statement.sales_fen != 0 and statement.cancellations_fen != 0

    orders = (
        await db.scalars(
            select(DistributionOrder).where(DistributionOrder.agreement_id == agency_agreement.id)
        )
    ).all()
    assert {o.status for o in orders} == {"confirmed", "cancelled"}
    entries = (
        await db.scalars(select(LedgerEntry).where(LedgerEntry.agreement_id == agency_agreement.id))
    ).all()
    assert any(e.accounting_date < first for e in entries)
    assert any(e.accounting_date >= first for e in entries)  # this month's order

    balance = await ledger.balance_of(db, hotel, agency_agreement)
    sold = sum(o.settlement_fen for o in orders if o.status == "confirmed")
    cancelled = sum(o.settlement_fen for o in orders if o.status == "cancelled")
    top_up = demo.TOP_UP_FEN[demo.HOTEL]
    # The cancelled order gave back its price less any fee kept.
    assert top_up - sold - cancelled <= balance.available_fen <= top_up - sold
    assert await ledger.check_balances(db, hotel) == []

    ota = await db.scalar(select(Distributor).where(Distributor.name == demo.OTA_NAME))
    assert ota is not None and ota.api_key_id is not None
    assert ota.callback_url == demo.RECEIVER_URL


async def test_seeding_again_makes_nothing_new(db):
    slugs, hotel = await _network(db)
    await demo.seed_network(db, slugs)
    await bind_tenant(db, hotel)
    before = [
        await _count(db, m, m.tenant_id == hotel)
        for m in (Distributor, Agreement, DistributionOrder, LedgerEntry, Statement)
    ]
    again = await demo.seed_network(db, slugs)
    await bind_tenant(db, hotel)
    after = [
        await _count(db, m, m.tenant_id == hotel)
        for m in (Distributor, Agreement, DistributionOrder, LedgerEntry, Statement)
    ]
    assert after == before
    assert again.agreements == []
