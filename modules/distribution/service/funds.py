"""分销资金: the supplier's finance sees each distributor's balance or credit and its journal,
and records the money it received by bank transfer (a top-up of a prepaid balance, a payment
towards what a distributor on credit owes) or takes back one recorded by mistake (a reversal:
nothing is edited). The distributor sees its own balance with each supplier and the lines of
its own account, through its agreement (`acting_for`), and nothing else of the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import NotFound
from modules.distribution.domain import PaymentTerms
from modules.distribution.models import Agreement, LedgerEntry
from modules.distribution.repository import agreements as agreement_reads
from modules.distribution.repository.agreements import AgreementsRepository
from modules.distribution.repository.funds import AgreementFunds, FundsRepository
from modules.distribution.repository.ledger import LedgerRepository
from modules.distribution.schemas.ledger import (
    REVERSIBLE,
    EntryView,
    FundsDetail,
    FundsRow,
    PartnerFunds,
    PartnerFundsDetail,
    PostingView,
)
from modules.distribution.service import ledger
from tenants import service as tenants
from tenants.counterparty import acting_for

PAGE = 50


def _row(a: AgreementFunds) -> FundsRow:
    if a.payment_terms == PaymentTerms.PREPAID:
        held = -a.prepaid_fen
        balance, available = held, max(0, held)
    else:
        balance, available = a.payable_fen, max(0, a.credit_limit_fen - a.payable_fen)
    return FundsRow(
        agreement_id=a.agreement_id,
        number=a.number,
        status=a.status,
        level=a.level,
        terms=a.payment_terms,
        distributor_name=a.distributor_name,
        distributor_code=a.distributor_code,
        balance_fen=balance,
        credit_limit_fen=a.credit_limit_fen if a.payment_terms == PaymentTerms.CREDIT else 0,
        available_fen=available,
    )


async def funds_overview(db: AsyncSession, tid: TenantId) -> list[FundsRow]:
    """Every agreement of the supplier with where its distributor stands."""
    return [_row(a) for a in await FundsRepository(db, tid).overview()]


async def funds_detail(
    db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID, *, page: int = 1
) -> FundsDetail:
    """One agreement's standing and its journal (newest first, every posting shown)."""
    repo = FundsRepository(db, tid)
    found = await repo.overview(agreement_id)
    if not found:
        raise NotFound()
    pages = max(1, -(-(await repo.journal_size(agreement_id)) // PAGE))
    page = min(max(1, page), pages)
    entries = await repo.journal(agreement_id, limit=PAGE, offset=(page - 1) * PAGE)
    return FundsDetail(_row(found[0]), await _views(db, tid, entries), page, pages)


async def _views(
    db: AsyncSession, tid: TenantId, entries: Sequence[LedgerEntry]
) -> list[EntryView]:
    ledger_repo = LedgerRepository(db, tid)
    ids = [e.id for e in entries]
    postings: dict[uuid.UUID, list[PostingView]] = {i: [] for i in ids}
    for p in await ledger_repo.postings(ids):
        postings[p.entry_id].append(PostingView(p.kind, p.amount_fen))
    reversed_ = await ledger_repo.reversed_among(ids)
    orders = await FundsRepository(db, tid).order_numbers(
        [e.order_id for e in entries if e.order_id is not None]
    )
    return [
        EntryView(
            id=e.id,
            kind=e.kind,
            accounting_date=e.accounting_date,
            created_at=e.created_at,
            memo=e.memo,
            reference=e.reference,
            order_number=orders.get(e.order_id, "") if e.order_id else "",
            reverses_id=e.reverses_id,
            reversed=e.id in reversed_,
            postings=postings[e.id],
        )
        for e in entries
    ]


async def _own_agreement(db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID) -> Agreement:
    agreement = await AgreementsRepository(db, tid).agreement(agreement_id)
    if agreement is None:
        raise NotFound()
    return agreement


async def record_receipt(
    db: AsyncSession,
    tid: TenantId,
    agreement_id: uuid.UUID,
    *,
    amount_fen: int,
    reference: str,
    memo: str,
    actor: Actor,
) -> uuid.UUID:
    """Money received from the distributor by bank transfer: a top-up when it pays in
    advance, a payment towards what it owes when it is on credit. Recorded whatever the
    agreement's state (money that arrived after an agreement ended is still owed back or
    still pays a debt)."""
    agreement = await _own_agreement(db, tid, agreement_id)
    prepaid = agreement.payment_terms == PaymentTerms.PREPAID
    return await (ledger.post_topup if prepaid else ledger.post_payment)(
        db,
        tid,
        agreement,
        amount_fen=amount_fen,
        reference=reference,
        memo=memo,
        created_by=actor.user_id,
    )


async def reverse_receipt(
    db: AsyncSession,
    tid: TenantId,
    agreement_id: uuid.UUID,
    entry_id: uuid.UUID,
    *,
    memo: str,
    actor: Actor,
) -> uuid.UUID:
    """Takes back a top-up or payment recorded by mistake (a reversal naming it); refused
    when the money was already spent (the balance would go below zero) or it is already
    taken back. Sales and cancellations are corrected through their orders or disputes."""
    await _own_agreement(db, tid, agreement_id)
    entry = await LedgerRepository(db, tid).entry(entry_id)
    if entry is None or entry.agreement_id != agreement_id or entry.kind not in REVERSIBLE:
        raise NotFound()
    return await ledger.post_reversal(db, tid, entry_id, memo=memo, created_by=actor.user_id)


# The distributor's side ---------------------------------------------------------------------


async def partner_funds(db: AsyncSession, own: TenantId) -> list[PartnerFunds]:
    """The caller's balance or credit with each supplier it distributes for (its own
    agreements; not its sub-distributors')."""
    agreements = [
        a for a in await agreement_reads.partner_agreements(db, own) if a.partner_tenant_id == own
    ]
    names = await tenants.enterprise_names(db, [a.tenant_id for a in agreements])
    found = []
    for agreement in agreements:
        found.append(await _partner_funds(db, own, agreement, names.get(agreement.tenant_id, "")))
    return found


async def _partner_funds(
    db: AsyncSession, own: TenantId, agreement: Agreement, supplier_name: str
) -> PartnerFunds:
    async with acting_for(db, agreement, own=own) as supplier:
        balance = await ledger.balance_of(db, supplier, agreement)
    return PartnerFunds(
        agreement_id=agreement.id,
        number=agreement.number,
        status=agreement.status,
        supplier_name=supplier_name,
        terms=balance.terms,
        balance_fen=balance.balance_fen,
        credit_limit_fen=balance.credit_limit_fen,
        available_fen=balance.available_fen,
    )


async def partner_funds_detail(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID, *, page: int = 1
) -> PartnerFundsDetail | None:
    """The caller's standing under one of its agreements and the lines of its own account
    (the amount each entry put on it); None when the caller is the agreement's supplier (its
    page is the supplier's); 404 for an agreement not naming it as distributor."""
    if await AgreementsRepository(db, own).agreement(agreement_id) is not None:
        return None
    agreement = await agreement_reads.agreement_for_partner(db, own, agreement_id)
    if agreement.partner_tenant_id != own:
        raise NotFound()
    names = await tenants.enterprise_names(db, [agreement.tenant_id])
    funds = await _partner_funds(db, own, agreement, names.get(agreement.tenant_id, ""))
    page = max(1, page)
    async with acting_for(db, agreement, own=own) as supplier:
        repo = FundsRepository(db, supplier)
        lines = await repo.account_lines(agreement.id, limit=PAGE + 1, offset=(page - 1) * PAGE)
        orders = await repo.order_numbers([x.order_id for x in lines if x.order_id is not None])
    views = [
        EntryView(
            id=x.entry_id,
            kind=x.kind,
            accounting_date=x.accounting_date,
            created_at=x.created_at,
            memo=x.memo,
            reference=x.reference,
            order_number=orders.get(x.order_id, "") if x.order_id else "",
            reverses_id=x.reverses_id,
            reversed=False,
            amount_fen=x.amount_fen,
        )
        for x in lines[:PAGE]
    ]
    return PartnerFundsDetail(funds, views, page, len(lines) > PAGE)
