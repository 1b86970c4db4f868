"""Disputes: a disputed line resolved by an adjustment (a reversal and a new entry dated in
the next open period, nothing edited), or rejected with a reason; a statement with an open
dispute cannot be confirmed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid
from modules.distribution.service import disputes, ledger, settlement, statements
from tests.factories.distribution import (
    make_agreement,
    make_distributor,
    make_order,
    make_product,
)
from tests.factories.tenants import make_tenant

NOV_10 = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)
DEC_3 = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


@pytest.fixture
async def settled(db):
    """November settled: top-up ¥1,000, one sale to 李娜 at ¥588 (closing −41200)."""
    hotel = await make_tenant(db, name="山城大酒店")
    agency = await make_tenant(db, kinds=("agency",), name="春秋旅行社")
    await bind_tenant(db, hotel.tenant.id)
    tid = TenantId(hotel.tenant.id)
    distributor = await make_distributor(db, tenant=hotel.tenant, partner=agency.tenant)
    agreement = await make_agreement(
        db, tenant=hotel.tenant, distributor=distributor, valid_from=date(2026, 11, 1)
    )
    product = await make_product(db, tenant=hotel.tenant, agreement=agreement)
    with time_machine.travel(NOV_10, tick=False):
        await ledger.post_topup(db, tid, agreement, amount_fen=100000, reference="BANK-7")
        order = await make_order(db, tenant=hotel.tenant, product=product, guest_name="李娜")
        sale = await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=58800)
    with time_machine.travel(DEC_3, tick=False):
        await settlement.settle_period(db, tid)
    november = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]
    assert november.closing_fen == -41200
    return tid, TenantId(agency.tenant.id), agreement, november, sale


class TestAdjustment:
    async def test_a_disputed_sale_is_reversed_and_posted_again_next_period(self, db, settled):
        """The agency says the night should have been ¥548 (the agreed price). The supplier
        agrees: December gets the reversal −58800 and the adjustment +54800 (adjustments
        −4000; closing −41200 − 4000 = −45200); November keeps its figures."""
        tid, own, agreement, november, sale = settled
        await bind_tenant(db, own)
        dispute = await disputes.dispute_as_partner(
            db, own, agreement.id, november.number, by="王经理",
            entry_id=str(sale), reason="应按协议价 ¥548 结算", amount="548",
        )  # fmt: skip
        assert (dispute.raised_by, dispute.claimed_fen, dispute.status) == (
            "distributor",
            54800,
            "open",
        )
        await bind_tenant(db, tid)
        with pytest.raises(settlement.StatementHasOpenDisputes):
            await statements.confirm_as_supplier(db, tid, november.id, by="张敏")
        view = await statements.statement_view(db, tid, november.id)
        assert [line.disputed for line in view.lines if line.kind == "sale"] == [True]

        with time_machine.travel(DEC_3, tick=False):
            resolved = await disputes.resolve_dispute(
                db, tid, dispute.id, amount="", note="同意按协议价调整"
            )
        assert resolved.status == "resolved" and resolved.resolution_entry_id is not None
        with pytest.raises(disputes.DisputeAnswered):
            await disputes.reject_dispute(db, tid, dispute.id, note="再次处理")

        kept = await settlement.get_statement(db, tid, november.id)
        assert (kept.sales_fen, kept.adjustments_fen, kept.closing_fen) == (58800, 0, -41200)
        await settlement.settle_period(db, tid, today=date(2027, 1, 1))
        december = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]
        assert december.period_start == date(2026, 12, 1)
        assert (december.adjustments_fen, december.closing_fen) == (-4000, -45200)
        lines = (await statements.statement_view(db, tid, december.id)).lines
        assert sorted((line.kind, line.amount_fen) for line in lines) == [
            ("adjustment", 54800),
            ("reversal", -58800),
        ]
        assert all(line.accounting_date == date(2026, 12, 3) for line in lines)
        assert (await statements.confirm_as_supplier(db, tid, november.id, by="张敏")).status == (
            "confirmed"
        )

    def test_the_corrected_entry_moves_the_difference_to_the_receivable(self):
        from modules.distribution.repository.disputes import EntryLine

        original = [
            EntryLine("distributor_prepaid", None, 58800),
            EntryLine("supplier_receivable", None, -57036),
            EntryLine("platform_fee", None, -1764),
        ]
        lines = disputes.corrected_lines(original, 54800)
        assert [line.amount_fen for line in lines] == [54800, -53036, -1764]
        assert sum(line.amount_fen for line in lines) == 0


class TestRejection:
    async def test_the_supplier_rejects_with_a_reason_and_nothing_moves(self, db, settled):
        tid, _own, agreement, november, sale = settled
        dispute = await disputes.dispute_as_supplier(
            db, tid, november.id, by="张敏", entry_id=str(sale), reason="核对", amount="588"
        )
        with pytest.raises(Invalid):
            await disputes.reject_dispute(db, tid, dispute.id, note="  ")
        rejected = await disputes.reject_dispute(db, tid, dispute.id, note="价格与协议一致")
        assert (rejected.status, rejected.resolution) == ("rejected", "价格与协议一致")
        assert rejected.resolution_entry_id is None
        await settlement.settle_period(db, tid, today=date(2027, 1, 1))
        december = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]
        assert (december.adjustments_fen, december.closing_fen) == (0, -41200)

    async def test_a_line_of_another_statement_cannot_be_disputed(self, db, settled):
        tid, _own, _agreement, november, _sale = settled
        for entry_id in ("not-a-line", "01a25393-0223-7ccd-bdf5-dea80ed779c0"):
            with pytest.raises(Invalid):
                await disputes.dispute_as_supplier(
                    db, tid, november.id, by="张敏", entry_id=entry_id, reason="x", amount="1"
                )
