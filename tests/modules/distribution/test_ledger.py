"""The distribution ledger: entries balance (the database refuses one that does not, even
written by hand), entries and postings are append-only, the cached balances equal the
postings after a mixed series, a reversal nets to zero, a prepaid balance and a credit line
cannot be overdrawn, and a posting after settlement lands in the next period."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from app import clock
from app.db.engine import TenantId
from modules.distribution.domain import AccountKind
from modules.distribution.models import LedgerAccount, LedgerEntry, LedgerPosting
from modules.distribution.service import ledger
from tests.factories.distribution import (
    make_account,
    make_agreement,
    make_entry,
    make_order,
    make_statement,
)
from tests.factories.tenants import make_tenant


@pytest.fixture
async def hotel(db):
    owner = await make_tenant(db, name="山城大酒店")
    return owner.tenant


async def _agreement(db, tenant, **overrides):
    return await make_agreement(db, tenant=tenant, **overrides)


async def _balances(db, tid) -> dict[tuple[uuid.UUID | None, str], int]:
    rows = await db.execute(
        select(LedgerAccount.agreement_id, LedgerAccount.kind, LedgerAccount.balance_fen).where(
            LedgerAccount.tenant_id == tid
        )
    )
    return {(a, k): b for a, k, b in rows}


class TestTheDatabaseRefuses:
    async def test_an_unbalanced_entry_written_by_hand(self, db, hotel):
        funds = await make_account(db, tenant=hotel, kind="funds")
        fee = await make_account(db, tenant=hotel, kind="platform_fee")
        entry = await make_entry(db, tenant=hotel, debit=funds, credit=fee)  # balanced: fine
        line = {
            "tenant_id": hotel.id,
            "entry_id": entry.id,
            "agreement_id": None,
            "accounting_date": entry.accounting_date,
        }
        with pytest.raises(DBAPIError, match="does not balance"):
            async with db.begin_nested():
                await db.execute(
                    insert(LedgerPosting).values(
                        [
                            {**line, "id": uuid.uuid4(), "account_id": funds.id, "amount_fen": 500},
                            {**line, "id": uuid.uuid4(), "account_id": fee.id, "amount_fen": -400},
                        ]
                    )
                )

    async def test_a_lone_posting_even_when_a_second_would_balance_it(self, db, hotel):
        funds = await make_account(db, tenant=hotel, kind="funds")
        entry = await make_entry(db, tenant=hotel, debit=funds)
        with pytest.raises(DBAPIError, match="does not balance"):
            async with db.begin_nested():
                await db.execute(
                    insert(LedgerPosting).values(
                        id=uuid.uuid4(),
                        tenant_id=hotel.id,
                        entry_id=entry.id,
                        account_id=funds.id,
                        agreement_id=None,
                        accounting_date=entry.accounting_date,
                        amount_fen=100,
                    )
                )

    @pytest.mark.parametrize("table", ["dist_ledger_entries", "dist_ledger_postings"])
    @pytest.mark.parametrize("change", ["UPDATE {t} SET created_at = now()", "DELETE FROM {t}"])
    async def test_changing_an_entry_or_a_posting(self, db, hotel, table, change):
        await make_entry(db, tenant=hotel)
        with pytest.raises(DBAPIError):
            async with db.begin_nested():
                await db.execute(text(change.format(t=table)))


class TestPosting:
    async def test_a_sale_spends_the_prepaid_balance_and_pays_the_supplier_less_the_fee(
        self, db, hotel
    ):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel, platform_fee_bp=300)
        await ledger.post_topup(db, tid, agreement, amount_fen=100_000, reference="HX-1")
        order = await make_order(db, tenant=hotel, agreement_id=agreement.id)
        entry_id = await ledger.post_sale(
            db, tid, agreement, order_id=order.id, settlement_fen=58_800
        )
        balances = await _balances(db, hotel.id)
        assert balances[(agreement.id, "distributor_prepaid")] == -100_000 + 58_800
        assert balances[(agreement.id, "supplier_receivable")] == -(58_800 - 1_764)
        assert balances[(agreement.id, "platform_fee")] == -1_764
        assert balances[(None, "funds")] == 100_000
        balance = await ledger.balance_of(db, tid, agreement)
        assert (balance.terms, balance.balance_fen, balance.available_fen) == (
            "prepaid",
            41_200,
            41_200,
        )
        entry = await db.get(LedgerEntry, entry_id)
        assert entry is not None and entry.order_id == order.id
        assert entry.accounting_date == clock.today("Asia/Shanghai")
        postings = (
            await db.scalars(select(LedgerPosting).where(LedgerPosting.entry_id == entry_id))
        ).all()
        assert {p.agreement_id for p in postings} == {agreement.id}
        assert {p.accounting_date for p in postings} == {entry.accounting_date}

    async def test_a_sale_beyond_the_prepaid_balance_is_refused_and_writes_nothing(self, db, hotel):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel)
        await ledger.post_topup(db, tid, agreement, amount_fen=50_000, reference="HX-2")
        order = await make_order(db, tenant=hotel, agreement_id=agreement.id)
        before = await _balances(db, hotel.id)
        entries = await db.scalar(select(func.count()).select_from(LedgerEntry))
        with pytest.raises(ledger.InsufficientBalance) as refused:
            await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=50_001)
        assert "¥500.01" in refused.value.message and "¥500.00" in refused.value.message
        assert await _balances(db, hotel.id) == before
        assert await db.scalar(select(func.count()).select_from(LedgerEntry)) == entries

    async def test_a_credit_distributor_cannot_go_beyond_its_limit(self, db, hotel):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel, payment_terms="credit", credit_limit_fen=100_000)
        order = await make_order(db, tenant=hotel, agreement_id=agreement.id)
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=60_000)
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=40_000)
        with pytest.raises(ledger.InsufficientBalance, match=r"¥0\.00"):
            await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=1)
        balance = await ledger.balance_of(db, tid, agreement)
        assert (balance.balance_fen, balance.credit_limit_fen, balance.available_fen) == (
            100_000,
            100_000,
            0,
        )
        await ledger.post_payment(db, tid, agreement, amount_fen=30_000, reference="HX-3")
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=30_000)
        assert (await ledger.balance_of(db, tid, agreement)).available_fen == 0

    async def test_a_raised_credit_limit_is_followed_by_the_account(self, db, hotel):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel, payment_terms="credit", credit_limit_fen=10_000)
        order = await make_order(db, tenant=hotel, agreement_id=agreement.id)
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=10_000)
        agreement.credit_limit_fen = 20_000
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=10_000)
        agreement.credit_limit_fen = 5_000  # lowered below what is used: no more sales
        with pytest.raises(ledger.InsufficientBalance):
            await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=1)
        await ledger.post_payment(db, tid, agreement, amount_fen=1_000, reference="HX-4")

    async def test_a_prepaid_account_made_without_a_limit_is_still_guarded(self, db, hotel):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel)
        bare = await make_account(
            db, tenant=hotel, kind="distributor_prepaid", agreement_id=agreement.id
        )
        assert bare.limit_fen is None
        order = await make_order(db, tenant=hotel, agreement_id=agreement.id)
        with pytest.raises(ledger.InsufficientBalance):
            await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=100)

    async def test_top_up_and_payment_follow_the_terms(self, db, hotel):
        tid = TenantId(hotel.id)
        prepaid = await _agreement(db, hotel)
        credit = await _agreement(db, hotel, payment_terms="credit", credit_limit_fen=1)
        with pytest.raises(ledger.WrongTerms):
            await ledger.post_payment(db, tid, prepaid, amount_fen=100, reference="x")
        with pytest.raises(ledger.WrongTerms):
            await ledger.post_topup(db, tid, credit, amount_fen=100, reference="x")

    async def test_a_sub_distributors_sale_pays_its_upline_the_difference(self, db, hotel):
        tid = TenantId(hotel.id)
        parent = await _agreement(db, hotel, may_appoint=True)
        sub = await make_agreement(db, tenant=hotel, parent=parent, platform_fee_bp=100)
        await ledger.post_topup(db, tid, sub, amount_fen=100_000, reference="HX-5")
        order = await make_order(db, tenant=hotel, agreement_id=sub.id)
        await ledger.post_sale(
            db, tid, sub, order_id=order.id, settlement_fen=65_000, upline_fen=58_800
        )
        balances = await _balances(db, hotel.id)
        assert balances[(sub.id, "upline_commission")] == -6_200
        assert balances[(sub.id, "supplier_receivable")] == -(58_800 - 588)
        assert balances[(sub.id, "platform_fee")] == -588


class TestCancellation:
    async def test_a_full_cancellation_with_a_fee_refunds_the_rest(self, db, hotel):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel, platform_fee_bp=500)
        await ledger.post_topup(db, tid, agreement, amount_fen=100_000, reference="HX-6")
        order = await make_order(db, tenant=hotel, agreement_id=agreement.id)
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=60_000)
        done = await ledger.post_cancellation(
            db, tid, agreement, order_id=order.id, refund_fen=54_000, fee_fen=6_000
        )
        assert done.fee_entry_id is not None
        balances = await _balances(db, hotel.id)
        assert balances[(agreement.id, "distributor_prepaid")] == -100_000 + 6_000
        assert balances[(agreement.id, "supplier_receivable")] == -(6_000 - 300)
        assert balances[(agreement.id, "platform_fee")] == -300
        with pytest.raises(ledger.NothingToCancel):
            await ledger.post_cancellation(
                db, tid, agreement, order_id=order.id, refund_fen=1, fee_fen=0
            )

    async def test_a_cancellation_after_settlement_lands_in_the_next_period(self, db, hotel):
        tid = TenantId(hotel.id)
        today = clock.today("Asia/Shanghai")
        first = today.replace(day=1)
        agreement = await _agreement(db, hotel, valid_from=first - timedelta(days=40))
        await ledger.post_topup(db, tid, agreement, amount_fen=100_000, reference="HX-7")
        order = await make_order(db, tenant=hotel, agreement_id=agreement.id)
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=10_000)
        # This month's period is settled (issued) while the order is still open.
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        await make_statement(
            db, tenant=hotel, agreement=agreement, period_start=first, period_end=nxt,
            status="issued",
        )  # fmt: skip
        assert await ledger.accounting_date_for(db, tid, agreement) == nxt
        done = await ledger.post_cancellation(
            db, tid, agreement, order_id=order.id, refund_fen=10_000, fee_fen=0
        )
        entry = await db.get(LedgerEntry, done.entry_id)
        assert entry is not None and entry.accounting_date == nxt

    async def test_a_posting_dated_inside_a_settled_period_is_refused_as_a_conflict(
        self, db, hotel
    ):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel)
        statement = await make_statement(db, tenant=hotel, agreement=agreement, status="issued")
        with pytest.raises(ledger.PeriodSettled):
            async with db.begin_nested():
                await ledger.post(
                    db,
                    tid,
                    kind="topup",
                    agreement_id=agreement.id,
                    lines=[("funds", None, 100), ("distributor_prepaid", agreement.id, -100)],
                    accounting_date=statement.period_start,
                )


class TestReversal:
    async def test_a_reversal_nets_the_entry_to_zero_and_names_it(self, db, hotel):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel, platform_fee_bp=300)
        topup = await ledger.post_topup(db, tid, agreement, amount_fen=90_000, reference="HX-8")
        order = await make_order(db, tenant=hotel, agreement_id=agreement.id)
        sale = await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=33_333)
        before_sale = await _balances(db, hotel.id)
        reversal = await ledger.post_reversal(db, tid, sale, memo="协议价录错")
        net = await db.scalar(
            select(func.sum(LedgerPosting.amount_fen)).where(
                LedgerPosting.entry_id.in_([sale, reversal])
            )
        )
        assert net == 0
        after = await _balances(db, hotel.id)
        assert after[(agreement.id, "distributor_prepaid")] == -90_000
        assert (
            after[(agreement.id, "platform_fee")]
            == 0
            != before_sale[(agreement.id, "platform_fee")]
        )
        row = await db.get(LedgerEntry, reversal)
        assert row is not None and row.reverses_id == sale and row.order_id == order.id
        with pytest.raises(ledger.AlreadyReversed):
            await ledger.post_reversal(db, tid, sale, memo="again")
        with pytest.raises(ledger.NotReversible):
            await ledger.post_reversal(db, tid, reversal, memo="back")
        # Taking back a top-up that is partly spent would overdraw the balance.
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=1)
        with pytest.raises(ledger.InsufficientBalance):
            await ledger.post_reversal(db, tid, topup, memo="退回")

    async def test_another_tenants_entry_is_not_found(self, db, hotel):
        other = (await make_tenant(db)).tenant
        entry = await make_entry(db, tenant=other)
        from app.db.engine import bind_tenant
        from app.errors import NotFound

        await bind_tenant(db, hotel.id)
        with pytest.raises(NotFound):
            await ledger.post_reversal(db, TenantId(hotel.id), entry.id, memo="x")


class TestDerivedBalances:
    async def test_the_cache_equals_the_postings_after_a_mixed_series(self, db, hotel):
        tid = TenantId(hotel.id)
        prepaid = await _agreement(db, hotel, platform_fee_bp=250)
        credit = await _agreement(db, hotel, payment_terms="credit", credit_limit_fen=500_000)
        sub = await make_agreement(db, tenant=hotel, parent=prepaid)
        await ledger.post_topup(db, tid, prepaid, amount_fen=300_000, reference="A")
        await ledger.post_topup(db, tid, sub, amount_fen=80_000, reference="B")
        orders = [
            await make_order(db, tenant=hotel, agreement_id=a.id) for a in (prepaid, credit, sub)
        ]
        for n in range(1, 6):
            await ledger.post_sale(
                db, tid, prepaid, order_id=orders[0].id, settlement_fen=10_001 * n
            )
            await ledger.post_sale(db, tid, credit, order_id=orders[1].id, settlement_fen=7_777 * n)
        await ledger.post_sale(
            db, tid, sub, order_id=orders[2].id, settlement_fen=50_000, upline_fen=45_000
        )
        await ledger.post_cancellation(
            db, tid, prepaid, order_id=orders[0].id, refund_fen=33_333, fee_fen=1_111
        )
        await ledger.post_cancellation(
            db, tid, credit, order_id=orders[1].id, refund_fen=7_000, fee_fen=0
        )
        await ledger.post_cancellation(
            db, tid, sub, order_id=orders[2].id, refund_fen=20_001, fee_fen=999
        )
        payment = await ledger.post_payment(db, tid, credit, amount_fen=40_000, reference="C")
        await ledger.post_reversal(db, tid, payment, memo="退票")
        await ledger.post_payment(db, tid, credit, amount_fen=44_000, reference="C2")
        assert await ledger.check_balances(db, tid) == []
        total = await db.scalar(
            select(func.sum(LedgerPosting.amount_fen)).where(LedgerPosting.tenant_id == hotel.id)
        )
        assert total == 0

    async def test_a_drifted_cache_is_reported(self, db, hotel):
        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel)
        await ledger.post_topup(db, tid, agreement, amount_fen=1_000, reference="D")
        await db.execute(
            text(
                "UPDATE dist_ledger_accounts SET balance_fen = balance_fen - 1 "
                "WHERE kind = 'distributor_prepaid' AND agreement_id = :a"
            ),
            {"a": agreement.id},
        )
        (drift,) = await ledger.check_balances(db, tid)
        assert (drift.kind, drift.cached_fen, drift.derived_fen) == (
            AccountKind.DISTRIBUTOR_PREPAID,
            -1_001,
            -1_000,
        )

    async def test_the_nightly_check_logs_a_drift(self, db, database, settings, hotel, caplog):
        from app.jobs.runtime import JobRuntime, use_runtime
        from modules.distribution import tasks

        tid = TenantId(hotel.id)
        agreement = await _agreement(db, hotel)
        await ledger.post_topup(db, tid, agreement, amount_fen=1_000, reference="E")
        with use_runtime(JobRuntime(database, settings)):
            assert await tasks.check_balances() == 0
        await db.execute(
            text("UPDATE dist_ledger_accounts SET balance_fen = 7 WHERE kind = 'funds'")
        )
        with use_runtime(JobRuntime(database, settings)), caplog.at_level("ERROR"):
            assert await tasks.check_balances() == 1
        assert "drifted" in caplog.text
