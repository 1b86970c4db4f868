"""Payouts against the Stripe Connect stand-in (devtools/stripe_connect_standin.py, through the
official `stripe` library): a supplier owed ¥X after a settled statement is paid by one
transfer and one payout even when the send job runs twice; paid → ledger entries, balances
back to zero, reconciled against Stripe's balance transactions; a transfer refused → reversed
and owed again; a payout the bank refuses after the transfer → the supplier's already, never
paid twice. A supplier without Connect gets a line of the bank file, marked paid by a clerk."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.errors import NotFound
from modules.distribution.models import LedgerAccount, LedgerEntry, Payout
from modules.distribution.service import ledger, payouts, payouts_bank
from modules.distribution.service.payouts import NeedsBankDetails, NothingOwed
from modules.payments.models import PaymentAccount
from tests.factories.distribution import make_agreement, make_statement
from tests.factories.tenants import make_tenant
from tests.stripe_fixtures import settle_payout, top_up_platform

OWED = 123_450  # ¥1,234.50


@pytest.fixture
async def hotel(db):
    return (await make_tenant(db, name="山城大酒店")).tenant


async def _earned(db, tenant, amount_fen=OWED):
    """The supplier earned `amount_fen` last month under an agreement whose statement is
    issued (the sale is simulated by a balanced entry into its receivable)."""
    agreement = await make_agreement(db, tenant=tenant)
    last_month = clock.today().replace(day=1) - timedelta(days=1)
    await ledger.post(
        db,
        TenantId(tenant.id),
        kind="adjustment",
        agreement_id=agreement.id,
        lines=[("funds", None, amount_fen), ("supplier_receivable", agreement.id, -amount_fen)],
        accounting_date=last_month,
    )
    await make_statement(db, tenant=tenant, agreement=agreement, status="issued")
    return agreement


async def _balances(db, tid):
    rows = await db.execute(
        select(LedgerAccount.kind, func.sum(LedgerAccount.balance_fen))
        .where(LedgerAccount.tenant_id == tid)
        .group_by(LedgerAccount.kind)
    )
    return {kind: int(total) for kind, total in rows}


async def _entries(db, tid, number):
    rows = await db.execute(
        select(LedgerEntry.kind).where(
            LedgerEntry.tenant_id == tid, LedgerEntry.reference == number
        )
    )
    return sorted(rows.scalars())


async def _transfers(gateway):
    return len(await gateway.list_balance_transactions(None, type="transfer"))


class TestStripePayout:
    async def test_paid_once_entries_balanced_and_reconciled(
        self, db, hotel, stripe_gateway, stripe_emulator
    ):
        tid = TenantId(hotel.id)
        await _earned(db, hotel)
        now = await payouts.payable(db, tid)
        assert (now.total_fen, now.method) == (OWED, "stripe")

        payout = await payouts.request_payout(db, tid)
        assert payout.number.startswith(f"FK-{clock.today():%Y-%m}-")
        assert (payout.status, payout.amount_fen) == ("pending", OWED)
        assert (await payouts.payable(db, tid)).total_fen == 0  # in flight: not payable again
        with pytest.raises(NothingOwed):
            await payouts.request_payout(db, tid)

        top_up_platform(stripe_emulator, OWED)
        before = await _transfers(stripe_gateway)
        assert await payouts.send_payout(db, tid, payout.id) == "in_transit"
        first = (payout.provider_transfer_id, payout.provider_payout_id)
        assert await payouts.send_payout(db, tid, payout.id) == "in_transit"
        payout.status = "pending"  # as if the job crashed before its commit: sent again
        assert await payouts.send_payout(db, tid, payout.id) == "in_transit"
        assert (payout.provider_transfer_id, payout.provider_payout_id) == first
        assert await _transfers(stripe_gateway) == before + 1

        settle_payout(stripe_emulator, payout.provider_payout_id, "paid")
        assert await payouts.check_payout(db, tid, payout.id) == "paid"
        assert await _entries(db, tid, payout.number) == ["payout", "payout_paid"]
        assert await _balances(db, tid) == {
            "funds": 0,
            "supplier_receivable": 0,
            "payout_clearing": 0,
        }
        assert payout.reconciled_at is not None and payout.marked_paid_by == "Stripe"
        assert await payouts.reconcile(db, tid, payout) == []

    async def test_a_payout_the_bank_refuses_stays_the_supplier_s_and_is_not_paid_twice(
        self, db, hotel, stripe_gateway, stripe_emulator
    ):
        tid = TenantId(hotel.id)
        await _earned(db, hotel)
        payout = await payouts.request_payout(db, tid)
        top_up_platform(stripe_emulator, OWED)
        await payouts.send_payout(db, tid, payout.id)
        settle_payout(stripe_emulator, payout.provider_payout_id, "failed")

        # The transfer reached the hotel's Stripe account: the platform has paid; the money
        # waits in the hotel's Stripe balance until its bank details are fixed.
        assert await payouts.check_payout(db, tid, payout.id) == "paid"
        assert "closed" in payout.error and "Stripe" in payout.error
        assert payout.reconciled_at is None
        assert await _entries(db, tid, payout.number) == ["payout", "payout_paid"]
        balances = await _balances(db, tid)
        assert balances["supplier_receivable"] == 0
        assert balances["payout_clearing"] == 0
        assert (await payouts.payable(db, tid)).total_fen == 0  # never transferred again
        with pytest.raises(NothingOwed):
            await payouts.request_payout(db, tid)

    async def test_a_refused_transfer_fails_the_payout_and_nothing_moves(
        self, db, hotel, stripe_gateway
    ):
        tid = TenantId(hotel.id)
        huge = 10**13  # more than the platform's Stripe balance ever holds in tests
        await _earned(db, hotel, amount_fen=huge)
        payout = await payouts.request_payout(db, tid)
        before = await _transfers(stripe_gateway)

        assert await payouts.send_payout(db, tid, payout.id) == "failed"
        assert "insufficient funds" in payout.error
        assert payout.provider_transfer_id == ""
        assert await _transfers(stripe_gateway) == before
        assert (await payouts.payable(db, tid)).total_fen == huge

    async def test_the_send_job_is_queued_with_the_payout(self, db, hotel):
        tid = TenantId(hotel.id)
        await _earned(db, hotel)
        payout = await payouts.request_payout(db, tid)
        jobs = await db.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs"
                " WHERE task_name = :t AND args->>'payout_id' = :p"
            ),
            {"t": payouts.SEND_TASK, "p": str(payout.id)},
        )
        assert jobs.scalar_one() == 1


class TestBankPayout:
    async def test_bank_line_file_and_clerk_marks_paid(self, db, hotel):
        tid = TenantId(hotel.id)
        await db.execute(delete(PaymentAccount).where(PaymentAccount.tenant_id == hotel.id))
        await _earned(db, hotel)
        assert (await payouts.payable(db, tid)).method == "bank"
        with pytest.raises(NeedsBankDetails):
            await payouts.request_payout(db, tid)
        bank = payouts.BankDetails(
            "中国工商银行重庆解放碑支行", "6222021234567890123", "山城大酒店"
        )
        payout = await payouts.request_payout(db, tid, bank=bank)
        assert (payout.method, payout.status) == ("bank", "pending")

        body = payouts_bank.bank_file(await payouts.pending_bank(db, tid))
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0] == ["序号", "收款账号", "收款户名", "开户行", "金额(元)", "用途/附言"]
        assert rows[1] == [
            "1",
            "6222021234567890123",
            "山城大酒店",
            "中国工商银行重庆解放碑支行",
            "1234.50",
            f"分销结算 {payout.number}",
        ]

        paid = await payouts_bank.operator_mark_paid(db, hotel.id, payout.id, clerk="ops@zhilv")
        assert (paid.status, paid.marked_paid_by) == ("paid", "ops@zhilv")
        assert paid.paid_at is not None
        await bind_tenant(db, hotel.id)
        assert await _balances(db, tid) == {
            "funds": 0,
            "supplier_receivable": 0,
            "payout_clearing": 0,
        }
        with pytest.raises(payouts.PayoutNotPending):
            await payouts.mark_bank_paid(db, tid, payout.id, clerk="ops@zhilv")

    def test_amounts_in_yuan_with_two_decimals(self):
        assert [payouts_bank.yuan(f) for f in (1, 100, 123_405, 10_000_000)] == [
            "0.01",
            "1.00",
            "1234.05",
            "100000.00",
        ]


class TestIsolation:
    async def test_another_tenants_payout_answers_404(self, db, hotel):
        await _earned(db, hotel)
        payout = await payouts.request_payout(db, TenantId(hotel.id))
        other = (await make_tenant(db, name="江景酒店")).tenant
        await bind_tenant(db, other.id)
        with pytest.raises(NotFound):
            await payouts.get_payout(db, TenantId(other.id), payout.id)
        with pytest.raises(NotFound):
            await payouts.mark_bank_paid(db, TenantId(other.id), payout.id, clerk="x")
        assert (await db.execute(select(Payout.id).where(Payout.id == payout.id))).first() is None


class TestPayoutRun:
    async def test_pays_every_supplier_owed_and_lists_those_without_an_account(self, db, hotel):
        await _earned(db, hotel)
        no_connect = (await make_tenant(db, name="江北客栈")).tenant
        await db.execute(delete(PaymentAccount).where(PaymentAccount.tenant_id == no_connect.id))
        await _earned(db, no_connect)
        nothing = (await make_tenant(db, name="南山温泉")).tenant
        await bind_tenant(db, None)

        run = await payouts_bank.payout_run(db)

        assert str(no_connect.id) in run.skipped and str(nothing.id) not in run.skipped
        await bind_tenant(db, hotel.id)
        paid = (await db.scalars(select(Payout).where(Payout.tenant_id == hotel.id))).one()
        assert paid.number in run.created and paid.method == "stripe"
        await bind_tenant(db, nothing.id)
        assert (await payouts.list_payouts(db, TenantId(nothing.id))) == []
