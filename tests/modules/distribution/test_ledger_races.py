"""Sales racing for the last yuan of a prepaid balance (or the last of a credit line) in real
concurrent transactions, meeting on the distributor's account row (never sleep): exactly one
wins, the balance never goes below zero, and the cache still equals the postings."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.db.engine import TenantId
from app.errors import AppError
from modules.distribution.models import Agreement, LedgerEntry
from modules.distribution.service import ledger
from tests.factories.distribution import make_agreement, make_order
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb


async def _supplier(database, **terms):
    """A hotel, one agreement on `terms`, funded with ¥500 when prepaid, and two orders."""
    async with database.transaction() as db:
        tenant = (await make_tenant(db, name="山城大酒店")).tenant
        tid = TenantId(tenant.id)
        agreement = await make_agreement(db, tenant=tenant, **terms)
        if agreement.payment_terms == "prepaid":
            await ledger.post_topup(db, tid, agreement, amount_fen=50_000, reference="HX-1")
        orders = [(await make_order(db, tenant=tenant, agreement_id=agreement.id)).id for _ in "ab"]
    return tid, agreement.id, orders


async def _sell(db, tid, agreement_id, order_id, fen):
    agreement = await db.get(Agreement, agreement_id)
    try:
        return await ledger.post_sale(db, tid, agreement, order_id=order_id, settlement_fen=fen)
    except AppError as refused:
        return refused.code


async def _race(database, tid, agreement_id, orders, fen):
    race = Race(database)

    async def first() -> uuid.UUID | str:
        async with database.transaction(tid) as db:
            result = await _sell(db, tid, agreement_id, orders[0], fen)
            await race.hold(db)  # until the other sale waits on the distributor's account
            return result

    async def second() -> uuid.UUID | str:
        await race.held.wait()
        async with database.transaction(tid) as db:
            return await _sell(db, tid, agreement_id, orders[1], fen)

    return await race.run(first(), second())


async def _after(database, tid, agreement_id):
    async with database.transaction(tid) as db:
        agreement = await db.get(Agreement, agreement_id)
        balance = await ledger.balance_of(db, tid, agreement)
        sales = await db.scalar(
            select(func.count()).where(
                LedgerEntry.agreement_id == agreement_id, LedgerEntry.kind == "sale"
            )
        )
        return balance, sales, await ledger.check_balances(db, tid)


async def test_two_sales_after_the_last_of_a_prepaid_balance_one_wins(committed_database):
    tid, agreement_id, orders = await _supplier(committed_database)
    won, lost = await _race(committed_database, tid, agreement_id, orders, 30_000)
    assert isinstance(won, uuid.UUID)
    assert lost == "insufficient_balance"
    balance, sales, differences = await _after(committed_database, tid, agreement_id)
    assert (balance.balance_fen, sales, differences) == (20_000, 1, [])


async def test_two_sales_spending_exactly_the_balance_between_them_both_win(committed_database):
    tid, agreement_id, orders = await _supplier(committed_database)
    one, two = await _race(committed_database, tid, agreement_id, orders, 25_000)
    assert isinstance(one, uuid.UUID) and isinstance(two, uuid.UUID)
    balance, sales, differences = await _after(committed_database, tid, agreement_id)
    assert (balance.balance_fen, sales, differences) == (0, 2, [])


async def test_two_sales_after_the_last_of_a_credit_line_one_wins(committed_database):
    tid, agreement_id, orders = await _supplier(
        committed_database, payment_terms="credit", credit_limit_fen=50_000
    )
    won, lost = await _race(committed_database, tid, agreement_id, orders, 30_000)
    assert isinstance(won, uuid.UUID) and lost == "insufficient_balance"
    balance, sales, differences = await _after(committed_database, tid, agreement_id)
    assert (balance.balance_fen, balance.available_fen, sales, differences) == (
        30_000,
        20_000,
        1,
        [],
    )


async def test_a_top_up_taken_back_while_a_sale_spends_it_is_refused(committed_database):
    tid, agreement_id, orders = await _supplier(committed_database)
    async with committed_database.transaction(tid) as db:
        topup = await db.scalar(
            select(LedgerEntry.id).where(
                LedgerEntry.agreement_id == agreement_id, LedgerEntry.kind == "topup"
            )
        )
    race = Race(committed_database)

    async def sale() -> uuid.UUID | str:
        async with committed_database.transaction(tid) as db:
            result = await _sell(db, tid, agreement_id, orders[0], 30_000)
            await race.hold(db)
            return result

    async def take_back() -> uuid.UUID | str:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            try:
                return await ledger.post_reversal(db, tid, topup, memo="录错")
            except AppError as refused:
                return refused.code

    sold, refused = await race.run(sale(), take_back())
    assert isinstance(sold, uuid.UUID) and refused == "insufficient_balance"
    balance, sales, differences = await _after(committed_database, tid, agreement_id)
    assert (balance.balance_fen, sales, differences) == (20_000, 1, [])
