"""The distribution ledger: every money movement of distribution is one balanced entry,
posted in the same transaction as its cause. This file holds the entries other parts post (a
sale, a cancellation and its fee, a top-up, a payment received, a reversal) and the balances;
how any entry is posted — accounts, the guarded cached balance, the lock order, the
accounting date, the one-statement postings — is `service/posting.py`, whose `post`,
`accounting_date_for` and refusals are re-exported here.

Callers are bound to the SUPPLIER's tenant (`tid`): its own console, or a distributor inside
`acting_for`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from app.i18n import gettext as _
from modules.distribution import domain
from modules.distribution.domain import AccountKind, EntryKind, Line, PaymentTerms
from modules.distribution.models import Agreement
from modules.distribution.repository.ledger import Difference, LedgerRepository
from modules.distribution.service.posting import (
    MEMO_MAX,
    REFERENCE_MAX,
    InsufficientBalance,
    PeriodSettled,
    accounting_date_for,
    constraint_of,
    post,
)

log = logging.getLogger("zhilv.distribution.ledger")

__all__ = [
    "MEMO_MAX",
    "REFERENCE_MAX",
    "AlreadyReversed",
    "Balance",
    "Cancellation",
    "InsufficientBalance",
    "NotReversible",
    "NothingToCancel",
    "PeriodSettled",
    "WrongTerms",
    "accounting_date_for",
    "balance_of",
    "check_balances",
    "post",
    "post_cancellation",
    "post_payment",
    "post_reversal",
    "post_sale",
    "post_topup",
]


class AlreadyReversed(Conflict):
    code = "already_reversed"
    message = "This entry is already reversed."


class NotReversible(Conflict):
    code = "not_reversible"
    message = "A reversal cannot itself be reversed: post a new entry instead."


class WrongTerms(Conflict):
    code = "wrong_terms"
    message = "This does not fit the agreement's payment terms."


class NothingToCancel(Conflict):
    code = "nothing_to_cancel"
    message = "The order has no sale left to cancel for this amount."


@dataclass(frozen=True, slots=True)
class Balance:
    """Where a distributor stands with its supplier under one agreement.

    Prepaid: `balance_fen` is the money it has paid in and not spent; it may spend all of
    it. Credit: `balance_fen` is what it owes (credit used), `available_fen` what is left of
    its limit. All amounts are zero or more except a prepaid balance, which is never below
    zero, and credit used, which is below zero when it paid more than it owed."""

    agreement_id: uuid.UUID
    terms: str
    balance_fen: int
    credit_limit_fen: int
    available_fen: int

    @property
    def prepaid(self) -> bool:
        return self.terms == PaymentTerms.PREPAID


class Cancellation(NamedTuple):
    entry_id: uuid.UUID
    fee_entry_id: uuid.UUID | None


# The entries of distribution --------------------------------------------------------------


async def post_sale(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    *,
    order_id: uuid.UUID,
    settlement_fen: int,
    upline_fen: int | None = None,
    created_by: uuid.UUID | None = None,
    memo: str = "",
) -> uuid.UUID:
    """A distributor's purchase at its settlement price, charged to its prepaid balance or
    credit line (refused when that would be overdrawn). A sub-distributor's sale names its
    upline's settlement price for the same purchase (`upline_fen`): the difference is the
    upline's commission."""
    return await post(
        db,
        tid,
        kind=EntryKind.SALE,
        agreement_id=agreement.id,
        order_id=order_id,
        lines=domain.sale_lines(
            agreement.id,
            terms=agreement.payment_terms,
            settlement_fen=settlement_fen,
            fee_bp=agreement.platform_fee_bp,
            upline_fen=upline_fen,
        ),
        memo=memo,
        created_by=created_by,
        credit_limits={agreement.id: agreement.credit_limit_fen},
    )


async def post_cancellation(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    *,
    order_id: uuid.UUID,
    refund_fen: int,
    fee_fen: int,
    created_by: uuid.UUID | None = None,
    memo: str = "",
) -> Cancellation:
    """Cancels `refund_fen + fee_fen` of what an order was sold at: a `cancellation` entry
    reverses the sale for that part (each account that earned from it gives back its share),
    and a `cancellation_fee` entry charges the fee the supplier keeps. The distributor gets
    `refund_fen` back. A partial cancellation (fewer rooms or nights) names only its part."""
    cancel_fen = refund_fen + fee_fen
    if refund_fen < 0 or fee_fen < 0 or cancel_fen == 0:
        raise ValueError("a cancellation needs a refund or a fee, neither below zero")
    standing = await LedgerRepository(db, tid).order_standing(order_id)
    charged = sum(line.amount_fen for line in standing if line.kind in _PAYERS)
    if cancel_fen > charged:
        raise NothingToCancel()
    limits = {agreement.id: agreement.credit_limit_fen}
    entry_id = await post(
        db,
        tid,
        kind=EntryKind.CANCELLATION,
        agreement_id=agreement.id,
        order_id=order_id,
        lines=domain.cancellation_lines(standing, cancel_fen),
        memo=memo,
        created_by=created_by,
        credit_limits=limits,
    )
    fee_entry_id = None
    if fee_fen:
        fee_entry_id = await post(
            db,
            tid,
            kind=EntryKind.CANCELLATION_FEE,
            agreement_id=agreement.id,
            order_id=order_id,
            lines=domain.cancellation_fee_lines(
                agreement.id,
                terms=agreement.payment_terms,
                fee_fen=fee_fen,
                fee_bp=agreement.platform_fee_bp,
            ),
            memo=memo,
            created_by=created_by,
            credit_limits=limits,
        )
    return Cancellation(entry_id, fee_entry_id)


_PAYERS = (AccountKind.DISTRIBUTOR_PREPAID.value, AccountKind.DISTRIBUTOR_PAYABLE.value)


async def post_topup(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    *,
    amount_fen: int,
    reference: str,
    memo: str = "",
    created_by: uuid.UUID | None = None,
) -> uuid.UUID:
    """Money a prepaid distributor paid in (a bank transfer, `reference` its number), added
    to its balance."""
    if agreement.payment_terms != PaymentTerms.PREPAID:
        raise WrongTerms(_("This distributor is on credit: record a payment received instead."))
    return await post(
        db,
        tid,
        kind=EntryKind.TOPUP,
        agreement_id=agreement.id,
        lines=domain.topup_lines(agreement.id, amount_fen),
        reference=reference,
        memo=memo,
        created_by=created_by,
    )


async def post_payment(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    *,
    amount_fen: int,
    reference: str,
    memo: str = "",
    created_by: uuid.UUID | None = None,
) -> uuid.UUID:
    """Money a distributor on credit paid towards what it owes (frees its credit line)."""
    if agreement.payment_terms != PaymentTerms.CREDIT:
        raise WrongTerms(_("This distributor pays in advance: record a top-up instead."))
    return await post(
        db,
        tid,
        kind=EntryKind.PAYMENT,
        agreement_id=agreement.id,
        lines=domain.payment_lines(agreement.id, amount_fen),
        reference=reference,
        memo=memo,
        created_by=created_by,
        credit_limits={agreement.id: agreement.credit_limit_fen},
    )


async def post_reversal(
    db: AsyncSession,
    tid: TenantId,
    entry_id: uuid.UUID,
    *,
    memo: str,
    created_by: uuid.UUID | None = None,
) -> uuid.UUID:
    """Turns every line of an entry round in a `reversal` entry naming it (nothing is
    edited; a correction then posts a new entry). Booked on today's accounting date, so a
    settled period stays as it was. Refused when the entry is already reversed, is itself a
    reversal, or when taking back a top-up would overdraw the balance."""
    repo = LedgerRepository(db, tid)
    entry = await repo.entry(entry_id)
    if entry is None:
        raise NotFound()
    if entry.kind == EntryKind.REVERSAL:
        raise NotReversible()
    if await repo.reversal_of(entry_id) is not None:
        raise AlreadyReversed()
    lines = [Line(p.kind, p.agreement_id, p.amount_fen) for p in await repo.postings([entry_id])]
    try:
        return await post(
            db,
            tid,
            kind=EntryKind.REVERSAL,
            agreement_id=entry.agreement_id,
            order_id=entry.order_id,
            lines=domain.reversal_lines(lines),
            memo=memo,
            reverses_id=entry_id,
            created_by=created_by,
        )
    except IntegrityError as refused:  # another clerk's reversal committed first
        if constraint_of(refused).endswith("reverses_id"):
            raise AlreadyReversed() from None
        raise
    except InsufficientBalance:  # perhaps because another clerk's reversal took it back
        if await repo.reversal_of(entry_id) is not None:
            raise AlreadyReversed() from None
        raise


# Balances ---------------------------------------------------------------------------------


async def balance_of(db: AsyncSession, tid: TenantId, agreement: Agreement) -> Balance:
    """The distributor's balance or credit under `agreement`, from the cached balances
    (which `check_balances` proves equal to the postings)."""
    rows = await LedgerRepository(db, tid).agreement_accounts(agreement.id)
    by_kind = {row.kind: row.balance_fen for row in rows}
    if agreement.payment_terms == PaymentTerms.PREPAID:
        held = -by_kind.get(AccountKind.DISTRIBUTOR_PREPAID, 0)
        return Balance(agreement.id, agreement.payment_terms, held, 0, max(0, held))
    used = by_kind.get(AccountKind.DISTRIBUTOR_PAYABLE, 0)
    limit = agreement.credit_limit_fen
    return Balance(agreement.id, agreement.payment_terms, used, limit, max(0, limit - used))


async def check_balances(db: AsyncSession, tid: TenantId) -> list[Difference]:
    """Every account of the supplier whose cached balance is not the sum of its postings
    (empty when the ledger is sound): the cache is what guards a balance, so a drift would
    let a distributor overspend or block it wrongly."""
    return await LedgerRepository(db, tid).differences()
