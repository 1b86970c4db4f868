"""A sale racing the settlement of its period, meeting through the database (the distributor's
account row): whichever commits first, the sale is counted exactly once — on the statement
when it committed first, else in the next period — and the ledger never refuses it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from app.db.engine import TenantId
from modules.distribution.models import Agreement, LedgerEntry
from modules.distribution.service import ledger, settlement
from tests.factories.distribution import make_agreement, make_order
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb

# 23:59:30 on 30 November in Chongqing: the web node still says November while the
# settlement run (told it is 1 December) closes November.
LATE = datetime(2026, 11, 30, 15, 59, 30, tzinfo=UTC)
DEC_1 = date(2026, 12, 1)


async def _supplier(database):
    async with database.transaction() as db:
        tenant = (await make_tenant(db, name="山城大酒店")).tenant
        tid = TenantId(tenant.id)
        agreement = await make_agreement(db, tenant=tenant, valid_from=date(2026, 11, 1))
        await ledger.post_topup(db, tid, agreement, amount_fen=100_000, reference="HX-1")
        order = await make_order(db, tenant=tenant, agreement_id=agreement.id)
    return tid, agreement.id, order.id


async def _sell(db, tid, agreement_id, order_id) -> uuid.UUID:
    agreement = await db.get(Agreement, agreement_id)
    return await ledger.post_sale(db, tid, agreement, order_id=order_id, settlement_fen=58_800)


async def _outcome(database, tid, agreement_id, sale_id):
    async with database.transaction(tid) as db:
        entry = await db.scalar(select(LedgerEntry).where(LedgerEntry.id == sale_id))
        rows = await settlement.list_statements(db, tid, agreement_id=agreement_id)
        return entry.accounting_date, rows[0][0]


@time_machine.travel(LATE, tick=False)
async def test_a_sale_queued_behind_the_settlement_lands_in_the_next_period(committed_database):
    tid, agreement_id, order_id = await _supplier(committed_database)
    race = Race(committed_database)

    async def settle() -> int:
        async with committed_database.transaction(tid) as db:
            run = await settlement.settle_period(db, tid, today=DEC_1)
            await race.hold(db)  # until the sale waits on the distributor's account
            return run.issued

    async def sell() -> uuid.UUID:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await _sell(db, tid, agreement_id, order_id)

    issued, sale_id = await race.run(settle(), sell())
    day, november = await _outcome(committed_database, tid, agreement_id, sale_id)
    assert issued >= 1  # (the order factory signs an agreement of its own too)
    assert day == DEC_1
    assert (november.sales_fen, november.closing_fen) == (0, -100_000)


@time_machine.travel(LATE, tick=False)
async def test_a_sale_committing_first_is_on_the_statement(committed_database):
    tid, agreement_id, order_id = await _supplier(committed_database)
    race = Race(committed_database)

    async def sell() -> uuid.UUID:
        async with committed_database.transaction(tid) as db:
            sale = await _sell(db, tid, agreement_id, order_id)
            await race.hold(db)  # until the settlement waits on the distributor's account
            return sale

    async def settle() -> int:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return (await settlement.settle_period(db, tid, today=DEC_1)).issued

    sale_id, issued = await race.run(sell(), settle())
    day, november = await _outcome(committed_database, tid, agreement_id, sale_id)
    assert issued >= 1  # (the order factory signs an agreement of its own too)
    assert day == date(2026, 11, 30)
    assert (november.sales_fen, november.order_count, november.closing_fen) == (
        58_800,
        1,
        -41_200,
    )
