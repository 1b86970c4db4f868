"""Settlement: periods by cycle, statements computed from a known series of postings, a
settled period refusing postings, settling twice issuing nothing new."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import DBAPIError

from app.db.engine import TenantId, bind_tenant
from modules.distribution.service import settlement
from modules.distribution.service.settlement import period_of
from tests.factories.distribution import make_account, make_agreement, make_entry, make_order
from tests.factories.tenants import make_tenant


class TestPeriods:
    def test_a_month_is_its_calendar_month(self):
        assert period_of(date(2026, 11, 17), "monthly") == (date(2026, 11, 1), date(2026, 12, 1))
        assert period_of(date(2026, 12, 31), "monthly") == (date(2026, 12, 1), date(2027, 1, 1))

    def test_a_week_runs_monday_to_sunday(self):
        # 2026-11-17 is a Tuesday; 2026-11-22 a Sunday; 2026-11-23 a Monday.
        assert period_of(date(2026, 11, 17), "weekly") == (date(2026, 11, 16), date(2026, 11, 23))
        assert period_of(date(2026, 11, 22), "weekly") == (date(2026, 11, 16), date(2026, 11, 23))
        assert period_of(date(2026, 11, 23), "weekly") == (date(2026, 11, 23), date(2026, 11, 30))


@pytest.fixture
async def ledger(db):
    """A hotel with one prepaid monthly agreement from 1 October 2026 and its accounts."""
    owner = await make_tenant(db, name="山城大酒店")
    tenant = owner.tenant
    agreement = await make_agreement(
        db, tenant=tenant, valid_from=date(2026, 10, 1), valid_to=date(2027, 9, 30)
    )
    accounts = {
        "prepaid": await make_account(
            db, tenant=tenant, kind="distributor_prepaid", agreement_id=agreement.id
        ),
        "receivable": await make_account(
            db, tenant=tenant, kind="supplier_receivable", agreement_id=agreement.id
        ),
        "funds": await make_account(db, tenant=tenant, kind="funds"),
    }
    return tenant, agreement, accounts


async def _post(db, tenant, agreement, debit, credit, amount, kind, day, order=None):
    return await make_entry(
        db,
        tenant=tenant,
        amount_fen=amount,
        debit=debit,
        credit=credit,
        kind=kind,
        agreement_id=agreement.id,
        accounting_date=day,
        order_id=order.id if order else None,
    )


async def _series(db, tenant, agreement, acc):
    """The known series (prepaid account: debit = spent, credit = paid in):

    2026-10-05 top-up ¥1,000.00            prepaid −100000
    2026-11-03 sale A ¥588.00              prepaid  +58800
    2026-11-10 sale B ¥300.00              prepaid  +30000
    2026-11-15 cancellation of B ¥300.00   prepaid  −30000
    2026-11-15 cancellation fee ¥50.00     prepaid   +5000
    2026-11-20 top-up ¥500.00              prepaid  −50000
    2026-11-25 adjustment ¥10.00           prepaid   −1000
    2026-12-02 sale C ¥200.00              prepaid  +20000 (December: not November's)

    October: opening 0, payments −100000, closing −100000, 0 orders.
    November: opening −100000; sales 88800; cancellations −30000; fees 5000;
    adjustments −1000; payments −50000;
    closing = −100000 + 88800 − 30000 + 5000 − 1000 − 50000 = −87200; 2 orders.
    """
    prepaid, receivable, funds = acc["prepaid"], acc["receivable"], acc["funds"]
    order_a = await make_order(db, tenant=tenant, product=await _product(db, tenant, agreement))
    order_b = await make_order(db, tenant=tenant, product=await _product(db, tenant, agreement))
    await _post(db, tenant, agreement, funds, prepaid, 100000, "topup", date(2026, 10, 5))
    await _post(
        db, tenant, agreement, prepaid, receivable, 58800, "sale", date(2026, 11, 3), order_a
    )
    await _post(
        db, tenant, agreement, prepaid, receivable, 30000, "sale", date(2026, 11, 10), order_b
    )
    await _post(
        db,
        tenant,
        agreement,
        receivable,
        prepaid,
        30000,
        "cancellation",
        date(2026, 11, 15),
        order_b,
    )
    await _post(
        db,
        tenant,
        agreement,
        prepaid,
        receivable,
        5000,
        "cancellation_fee",
        date(2026, 11, 15),
        order_b,
    )
    await _post(db, tenant, agreement, funds, prepaid, 50000, "topup", date(2026, 11, 20))
    await _post(db, tenant, agreement, receivable, prepaid, 1000, "adjustment", date(2026, 11, 25))
    await _post(db, tenant, agreement, prepaid, receivable, 20000, "sale", date(2026, 12, 2))


async def _product(db, tenant, agreement):
    from tests.factories.distribution import make_product

    return await make_product(db, tenant=tenant, agreement=agreement)


class TestSettle:
    async def test_statements_are_the_postings_grouped_by_kind(self, db, ledger):
        tenant, agreement, acc = ledger
        await _series(db, tenant, agreement, acc)
        tid = TenantId(tenant.id)

        run = await settlement.settle_period(db, tid, today=date(2026, 12, 8))

        assert run.issued == 2
        rows = await settlement.list_statements(db, tid, agreement_id=agreement.id)
        november, october = (row[0] for row in rows)
        assert (october.period_start, october.period_end) == (date(2026, 10, 1), date(2026, 11, 1))
        assert (october.opening_fen, october.payments_fen, october.closing_fen) == (
            0,
            -100000,
            -100000,
        )
        assert october.order_count == 0
        assert (november.period_start, november.period_end) == (
            date(2026, 11, 1),
            date(2026, 12, 1),
        )
        assert november.opening_fen == -100000
        assert november.sales_fen == 88800
        assert november.cancellations_fen == -30000
        assert november.fees_fen == 5000
        assert november.adjustments_fen == -1000
        assert november.payments_fen == -50000
        assert november.closing_fen == -87200
        assert november.order_count == 2
        assert november.status == october.status == "issued"
        assert november.number.startswith("JS-2026-11-")
        assert october.number.startswith("JS-2026-10-")

    async def test_settling_again_issues_nothing_new(self, db, ledger):
        tenant, agreement, acc = ledger
        await _series(db, tenant, agreement, acc)
        tid = TenantId(tenant.id)
        await settlement.settle_period(db, tid, today=date(2026, 12, 8))
        again = await settlement.settle_period(db, tid, today=date(2026, 12, 31))
        assert again.issued == 0
        january = await settlement.settle_period(db, tid, today=date(2027, 1, 1))
        assert january.issued == 1
        rows = await settlement.list_statements(db, tid, agreement_id=agreement.id)
        december = rows[0][0]
        assert (december.opening_fen, december.sales_fen, december.closing_fen) == (
            -87200,
            20000,
            -67200,
        )

    async def test_a_settled_period_refuses_postings(self, db, ledger):
        tenant, agreement, acc = ledger
        tid = TenantId(tenant.id)
        await settlement.settle_period(db, tid, today=date(2026, 12, 8))
        with pytest.raises(DBAPIError, match="settled period"):
            async with db.begin_nested():
                await _post(
                    db, tenant, agreement, acc["prepaid"], acc["receivable"], 100, "sale",
                    date(2026, 11, 30),
                )  # fmt: skip
        await bind_tenant(db, tenant.id)
        await _post(
            db, tenant, agreement, acc["prepaid"], acc["receivable"], 100, "sale", date(2026, 12, 1)
        )

    async def test_an_agreement_not_started_gets_no_statement(self, db, ledger):
        tenant, _agreement, _acc = ledger
        later = await make_agreement(db, tenant=tenant, valid_from=date(2026, 12, 5))
        run = await settlement.settle_period(db, TenantId(tenant.id), today=date(2026, 12, 8))
        rows = await settlement.list_statements(db, TenantId(tenant.id), agreement_id=later.id)
        assert rows == []
        assert run.issued == 2

    async def test_weekly_periods_each_get_their_statement(self, db):
        owner = await make_tenant(db)
        agreement = await make_agreement(
            db, tenant=owner.tenant, valid_from=date(2026, 11, 18), cycle="weekly"
        )
        run = await settlement.settle_period(db, TenantId(owner.tenant.id), today=date(2026, 12, 1))
        rows = await settlement.list_statements(
            db, TenantId(owner.tenant.id), agreement_id=agreement.id
        )
        starts = sorted(s.period_start for s, *_ in rows)
        assert starts == [date(2026, 11, 16), date(2026, 11, 23)]
        assert run.issued == 2

    async def test_weekly_and_monthly_agreements_settle_together_each_by_its_period(self, db):
        """One supplier, two agreements from 1 November: monthly (A) and weekly (B). A sale
        of ¥100 on each on 3 November (a Tuesday) and on 12 November. On 17 November B's two
        finished weeks are settled ([2 Nov, 9 Nov): 10000; [9 Nov, 16 Nov): 10000, opening
        10000) and also the week of 26–31 October holding 1 November (nothing in it); A waits
        for the month's end. On 1 December A's November shows both sales (20000)."""
        owner = await make_tenant(db)
        tenant, tid = owner.tenant, TenantId(owner.tenant.id)
        monthly = await make_agreement(db, tenant=tenant, valid_from=date(2026, 11, 1))
        weekly = await make_agreement(
            db, tenant=tenant, valid_from=date(2026, 11, 1), cycle="weekly"
        )
        for agreement in (monthly, weekly):
            prepaid = await make_account(
                db, tenant=tenant, kind="distributor_prepaid", agreement_id=agreement.id
            )
            earned = await make_account(
                db, tenant=tenant, kind="supplier_receivable", agreement_id=agreement.id
            )
            for day in (date(2026, 11, 3), date(2026, 11, 12)):
                await _post(db, tenant, agreement, prepaid, earned, 10000, "sale", day)

        await settlement.settle_period(db, tid, today=date(2026, 11, 17))
        weeks = sorted(
            (s.period_start, s.opening_fen, s.sales_fen, s.closing_fen)
            for s, *_ in await settlement.list_statements(db, tid, agreement_id=weekly.id)
        )
        assert weeks == [
            (date(2026, 10, 26), 0, 0, 0),
            (date(2026, 11, 2), 0, 10000, 10000),
            (date(2026, 11, 9), 10000, 10000, 20000),
        ]
        assert await settlement.list_statements(db, tid, agreement_id=monthly.id) == []

        await settlement.settle_period(db, tid, today=date(2026, 12, 1))
        (november, *_), *_ = await settlement.list_statements(db, tid, agreement_id=monthly.id)
        assert (november.sales_fen, november.order_count, november.closing_fen) == (20000, 2, 20000)
