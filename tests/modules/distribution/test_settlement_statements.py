"""Statements through the ledger service: a cancellation after settlement lands in the next
period; both sides confirm and the statement is closed and immutable; the distributor sees
the same statement (and the same PDF and CSV) as its supplier, and nobody else's."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError

from app.db.engine import TenantId, bind_tenant
from app.errors import NotFound
from modules.distribution.service import disputes, ledger, settlement, statements
from tests.factories.distribution import make_agreement, make_distributor, make_order, make_product
from tests.factories.tenants import make_tenant

NOV_10 = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)  # 12:00 in Chongqing
DEC_3 = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


@pytest.fixture
async def deal(db):
    """A hotel selling through the agency 春秋旅行社 (prepaid, monthly, from 1 November)."""
    hotel = await make_tenant(db, name="山城大酒店")
    agency = await make_tenant(db, kinds=("agency",), name="春秋旅行社")
    await bind_tenant(db, hotel.tenant.id)
    distributor = await make_distributor(db, tenant=hotel.tenant, partner=agency.tenant)
    agreement = await make_agreement(
        db, tenant=hotel.tenant, distributor=distributor, valid_from=date(2026, 11, 1),
        valid_to=date(2027, 10, 31),
    )  # fmt: skip
    product = await make_product(db, tenant=hotel.tenant, agreement=agreement)
    return hotel, agency, agreement, product


async def _november(db, hotel, agreement, product):
    """On 10 November: top-up ¥2,000, two sales at ¥588 (李娜) and ¥488 (王强)."""
    tid = TenantId(hotel.tenant.id)
    with time_machine.travel(NOV_10, tick=False):
        await ledger.post_topup(db, tid, agreement, amount_fen=200000, reference="BANK-001")
        first = await make_order(db, tenant=hotel.tenant, product=product, guest_name="李娜")
        await ledger.post_sale(db, tid, agreement, order_id=first.id, settlement_fen=58800)
        second = await make_order(
            db, tenant=hotel.tenant, product=product, guest_name="王强", settlement_fen=48800
        )
        await ledger.post_sale(db, tid, agreement, order_id=second.id, settlement_fen=48800)
    return first, second


class TestCancellationAfterSettlement:
    async def test_it_lands_in_the_next_period(self, db, deal):
        """November: opening 0, top-up −200000, sales 58800 + 48800 = 107600, closing −92400.
        Cancelled on 3 December with a ¥50 fee: December's statement shows the cancellation
        −48800 and the fee +5000 (closing −92400 − 48800 + 5000 = −136200); November's stays."""
        hotel, _agency, agreement, product = deal
        tid = TenantId(hotel.tenant.id)
        _first, second = await _november(db, hotel, agreement, product)
        with time_machine.travel(DEC_3, tick=False):
            await settlement.settle_period(db, tid)
            await ledger.post_cancellation(
                db, tid, agreement, order_id=second.id, refund_fen=43800, fee_fen=5000
            )
        november = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]
        assert (november.sales_fen, november.payments_fen, november.closing_fen) == (
            107600,
            -200000,
            -92400,
        )
        assert november.cancellations_fen == 0 and november.order_count == 2
        await settlement.settle_period(db, tid, today=date(2027, 1, 2))
        december = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]
        assert december.period_start == date(2026, 12, 1)
        assert december.opening_fen == -92400
        assert december.cancellations_fen == -48800
        assert december.fees_fen == 5000
        assert december.closing_fen == -136200
        again = await settlement.get_statement(db, tid, november.id)
        assert again.closing_fen == -92400


class TestConfirmation:
    async def test_both_sides_confirm_and_it_is_closed_and_immutable(self, db, deal):
        hotel, agency, agreement, product = deal
        tid, own = TenantId(hotel.tenant.id), TenantId(agency.tenant.id)
        first, _second = await _november(db, hotel, agreement, product)
        with time_machine.travel(DEC_3, tick=False):
            await settlement.settle_period(db, tid)
        november = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]

        confirmed = await statements.confirm_as_supplier(db, tid, november.id, by="财务 张敏")
        assert confirmed.status == "confirmed"
        with pytest.raises(settlement.StatementNotConfirmable):
            await statements.confirm_as_supplier(db, tid, november.id, by="财务 张敏")
        await bind_tenant(db, own)
        await statements.confirm_as_partner(db, own, agreement.id, november.number, by="王经理")
        await bind_tenant(db, tid)
        closed = await settlement.get_statement(db, tid, november.id)
        assert closed.status == "closed" and closed.closed_at is not None
        assert closed.distributor_confirmed_by == "王经理"

        with pytest.raises(disputes.StatementNotDisputable):
            await disputes.dispute_as_supplier(
                db, tid, november.id, by="张敏", entry_id=str(first.id), reason="x", amount="1"
            )
        with pytest.raises(settlement.StatementNotConfirmable):
            await statements.confirm_as_supplier(db, tid, november.id, by="张敏")
        # The ledger refuses a posting dated inside the closed period (the database's trigger).
        with pytest.raises((ledger.PeriodSettled, IntegrityError), match=r"settled period|"):
            await ledger.post(
                db, tid, kind="adjustment", agreement_id=agreement.id,
                accounting_date=date(2026, 11, 20),
                lines=[("distributor_prepaid", agreement.id, 100),
                       ("supplier_receivable", agreement.id, -100)],
            )  # fmt: skip


class TestBothSides:
    async def test_the_distributor_sees_the_same_statement_pdf_and_csv(self, db, deal, tmp_path):
        hotel, agency, agreement, product = deal
        tid, own = TenantId(hotel.tenant.id), TenantId(agency.tenant.id)
        await _november(db, hotel, agreement, product)
        with time_machine.travel(DEC_3, tick=False):
            await settlement.settle_period(db, tid)
        number = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]
        supplier_view = await statements.statement_view(db, tid, number.id)
        supplier_pdf = await statements.statement_pdf(supplier_view)
        supplier_csv = statements.statement_csv(supplier_view)

        await bind_tenant(db, own)
        listed = await statements.partner_statements(db, own, agreement.id)
        assert [s.number for s in listed] == [number.number]
        partner_view = await statements.partner_statement(db, own, agreement.id, number.number)
        assert partner_view.lines == supplier_view.lines
        assert partner_view.statement.closing_fen == supplier_view.statement.closing_fen
        assert (partner_view.supplier_name, partner_view.distributor_name) == (
            "山城大酒店",
            "春秋旅行社",
        )
        assert statements.statement_csv(partner_view) == supplier_csv
        partner_pdf = await statements.statement_pdf(partner_view)
        assert partner_pdf == supplier_pdf  # the very same document
        text = _pdf_text(supplier_pdf, tmp_path)
        for expected in (
            "对账单",
            number.number,
            "山城大酒店",
            "春秋旅行社",
            "李娜",
            "王强",
            "¥588.00",
        ):
            assert expected in text
        assert "王强" in supplier_csv.decode("utf-8-sig")

    async def test_another_distributor_gets_404(self, db, deal):
        hotel, _agency, agreement, product = deal
        tid = TenantId(hotel.tenant.id)
        await _november(db, hotel, agreement, product)
        other = await make_tenant(db, kinds=("agency",), name="青旅")
        await bind_tenant(db, tid)
        theirs = await make_agreement(
            db, tenant=hotel.tenant,
            distributor=await make_distributor(db, tenant=hotel.tenant, partner=other.tenant),
            valid_from=date(2026, 11, 1),
        )  # fmt: skip
        with time_machine.travel(DEC_3, tick=False):
            await settlement.settle_period(db, tid)
        mine = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]
        own = TenantId(other.tenant.id)
        await bind_tenant(db, own)
        with pytest.raises(NotFound):
            await statements.partner_statement(db, own, agreement.id, mine.number)
        with pytest.raises(NotFound):
            await statements.partner_statements(db, own, agreement.id)
        with pytest.raises(NotFound):
            await statements.partner_statement(db, own, theirs.id, mine.number)
        with pytest.raises(NotFound):
            await statements.confirm_as_partner(db, own, agreement.id, mine.number, by="x")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
