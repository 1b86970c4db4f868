"""A statement as both sides read it: the supplier's finance in its own console, the
distributor through its agreement (loaded under its own binding, then `acting_for` the
supplier). Both get the SAME view, the same CSV and the same PDF (always in Chinese, dated
by the statement, not by the moment it is printed), so what one side signs is byte for byte
what the other sees."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.documents.pdf import render_template_pdf
from app.errors import NotFound
from app.i18n import gettext, use_locale
from app.money import format_fen
from modules.distribution.models import Agreement, Statement
from modules.distribution.repository import agreements as agreement_reads
from modules.distribution.repository.disputes import DisputesRepository
from modules.distribution.repository.settlement import LineRow, SettlementRepository
from modules.distribution.schemas.settlement import (
    LineKind,
    StatementLine,
    StatementStatus,
    StatementView,
)
from modules.distribution.service import settlement
from tenants.counterparty import acting_for
from tenants.service import tenant_settings

PDF_LOCALE = "zh_CN"


def _line(row: LineRow, disputed: set[uuid.UUID]) -> StatementLine:
    return StatementLine(
        entry_id=row.entry_id,
        kind=row.kind,
        accounting_date=row.accounting_date,
        amount_fen=int(row.amount_fen),
        memo=row.memo,
        reference=row.reference,
        order_number=row.order_number,
        guest_name=row.guest_name,
        arrival=row.arrival,
        departure=row.departure,
        quantity=row.quantity,
        disputed=row.entry_id in disputed,
    )


async def _view(
    db: AsyncSession, tid: TenantId, statement: Statement, *, agreement_id: uuid.UUID | None
) -> StatementView:
    """Bound to the supplier (`tid`): the statement with its agreement, parties and lines."""
    repo = SettlementRepository(db, tid)
    agreement = await repo.agreement(statement.agreement_id)
    assert agreement is not None
    distributor = await agreement_reads.AgreementsRepository(db, tid).distributor(
        agreement.distributor_id
    )
    supplier = await tenant_settings(db, tid)
    disputes = await DisputesRepository(db, tid).for_statement(statement.id)
    disputed = {d.entry_id for d in disputes if d.entry_id is not None and d.status == "open"}
    return StatementView(
        statement=statement,
        agreement_number=agreement.number,
        payment_terms=agreement.payment_terms,
        supplier_name=supplier.name,
        distributor_name=distributor.name if distributor else "",
        lines=tuple(_line(r, disputed) for r in await repo.lines(statement)),
        disputes=tuple(disputes),
        tz=clock.tz_of(supplier),
        agreement_id=agreement_id,
    )


async def statement_view(db: AsyncSession, tid: TenantId, statement_id: uuid.UUID) -> StatementView:
    """The supplier's view of one of its statements."""
    statement = await settlement.get_statement(db, tid, statement_id)
    return await _view(db, tid, statement, agreement_id=None)


# The distributor's side -------------------------------------------------------------------


async def partner_agreement(db: AsyncSession, own: TenantId, agreement_id: uuid.UUID) -> Agreement:
    """The agreement naming `own` as ITS distributor (an upline reading its
    sub-distributor's agreement does not see that one's statements): 404 otherwise."""
    agreement = await agreement_reads.agreement_for_partner(db, own, agreement_id)
    if agreement.partner_tenant_id != own:
        raise NotFound()
    return agreement


@asynccontextmanager
async def as_partner(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID
) -> AsyncIterator[tuple[TenantId, Agreement]]:
    """Bound to the supplier of the caller's agreement for the block."""
    agreement = await partner_agreement(db, own, agreement_id)
    async with acting_for(db, agreement, own=own) as supplier:
        yield supplier, agreement


async def partner_statements(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID
) -> list[Statement]:
    """The issued statements of the caller's agreement, newest first."""
    async with as_partner(db, own, agreement_id) as (supplier, agreement):
        rows = await SettlementRepository(db, supplier).statements(agreement_id=agreement.id)
        return [s for s, _a, _n in rows if s.status != StatementStatus.OPEN]


@dataclass(frozen=True, slots=True)
class PartnerStatement:
    agreement_id: uuid.UUID
    agreement_number: str
    supplier_name: str
    statement: Statement


async def partner_overview(
    db: AsyncSession, own: TenantId, *, agreement_id: uuid.UUID | None = None
) -> list[PartnerStatement]:
    """Every issued statement of every agreement naming the caller as its distributor (or of
    the one named), read one supplier at a time (never a query across tenants), newest
    period first."""
    if agreement_id is not None:
        agreements = [await partner_agreement(db, own, agreement_id)]
    else:
        agreements = list(await agreement_reads.partner_agreements(db, own))
    found: list[PartnerStatement] = []
    for agreement in agreements:
        if agreement.partner_tenant_id != own:
            continue
        async with acting_for(db, agreement, own=own) as supplier:
            name = (await tenant_settings(db, supplier)).name
            rows = await SettlementRepository(db, supplier).statements(agreement_id=agreement.id)
            found += [
                PartnerStatement(agreement.id, agreement.number, name, s)
                for s, _a, _n in rows
                if s.status != StatementStatus.OPEN
            ]
    return sorted(found, key=lambda r: (r.statement.period_start, r.statement.number), reverse=True)


async def partner_statement(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID, number: str
) -> StatementView:
    """One issued statement of the caller's agreement by its number; 404 for anything else
    (another agreement's, another distributor's, not issued yet)."""
    async with as_partner(db, own, agreement_id) as (supplier, agreement):
        found = await SettlementRepository(db, supplier).statement_by_number(
            agreement.id, number[:24]
        )
        if found is None or found.status == StatementStatus.OPEN:
            raise NotFound()
        return await _view(db, supplier, found, agreement_id=agreement.id)


async def confirm_as_supplier(
    db: AsyncSession, tid: TenantId, statement_id: uuid.UUID, *, by: str
) -> Statement:
    """The supplier's finance confirms the statement (closed once the distributor has too)."""
    return await settlement.confirm_statement(
        db,
        tid,
        statement_id,
        side="supplier",
        by=by,
        open_disputes=await DisputesRepository(db, tid).open_count(statement_id),
    )


async def confirm_as_partner(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID, number: str, *, by: str
) -> None:
    """The distributor confirms its statement (closed once the supplier has too)."""
    async with as_partner(db, own, agreement_id) as (supplier, agreement):
        found = await SettlementRepository(db, supplier).statement_by_number(
            agreement.id, number[:24]
        )
        if found is None or found.status == StatementStatus.OPEN:
            raise NotFound()
        await settlement.confirm_statement(
            db,
            supplier,
            found.id,
            side="distributor",
            by=by,
            open_disputes=await DisputesRepository(db, supplier).open_count(found.id),
        )


# Documents -------------------------------------------------------------------------------


async def statement_pdf(view: StatementView) -> bytes:
    """The statement as a PDF, in Chinese whoever prints it."""
    with use_locale(PDF_LOCALE):
        return await render_template_pdf(
            "distribution/settlement/pdf/statement.html",
            view=view,
            kinds=LineKind.labels(),
            statuses=StatementStatus.labels(),
        )


def statement_csv(view: StatementView) -> bytes:
    """The statement's figures and lines as CSV (UTF-8 with a BOM, so Excel reads Chinese),
    amounts in yuan with two decimals, signed as the ledger signs them."""
    s = view.statement
    out = io.StringIO()
    w = csv.writer(out)
    with use_locale(PDF_LOCALE):
        w.writerow([gettext("Statement"), s.number, view.supplier_name, view.distributor_name])
        w.writerow([gettext("Period"), s.period_start.isoformat(), view.last_day.isoformat()])
        for label, fen in _figures(s):
            w.writerow([gettext(label), _yuan(fen)])
        w.writerow([])
        w.writerow(
            [gettext(h) for h in ("Date", "Kind", "Order no.", "Guest", "Stay", "Amount", "Memo")]
        )
        kinds = LineKind.labels()
        for line in view.lines:
            stay = f"{line.arrival}~{line.departure}" if line.arrival and line.departure else ""
            w.writerow(
                [line.accounting_date.isoformat(), gettext(kinds.get(line.kind, line.kind)),
                 line.order_number or "", line.guest_name or "", stay, _yuan(line.amount_fen),
                 line.memo]
            )  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _figures(s: Statement) -> list[tuple[str, int]]:
    return [
        ("Opening balance", s.opening_fen),
        ("Sales", s.sales_fen),
        ("Cancellations", s.cancellations_fen),
        ("Cancellation fees", s.fees_fen),
        ("Adjustments", s.adjustments_fen),
        ("Top-ups and payments", s.payments_fen),
        ("Closing balance", s.closing_fen),
    ]


def _yuan(fen: int) -> str:
    return format_fen(fen).replace("¥", "").replace(",", "")


FIGURES = _figures
