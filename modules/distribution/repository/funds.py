"""SQL of the 分销资金 pages: every agreement's balance in one read, an agreement's journal
with its postings, and the lines of a distributor's own account (all the distributor may see
of the ledger)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import aliased

from modules.distribution.domain import AccountKind
from modules.distribution.models import (
    Agreement,
    DistributionOrder,
    Distributor,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
)
from tenants.repository import TenantScopedRepository

DISTRIBUTOR_KINDS = (AccountKind.DISTRIBUTOR_PREPAID.value, AccountKind.DISTRIBUTOR_PAYABLE.value)


@dataclass(frozen=True, slots=True)
class AgreementFunds:
    agreement_id: uuid.UUID
    number: str
    status: str
    level: int
    payment_terms: str
    credit_limit_fen: int
    distributor_name: str
    distributor_code: str
    prepaid_fen: int  # the prepaid account's balance (credit-normal: <= 0)
    payable_fen: int  # the payable account's balance (what is owed: >= 0 mostly)


@dataclass(frozen=True, slots=True)
class AccountLine:
    """One entry as it touched the distributor's account."""

    entry_id: uuid.UUID
    kind: str
    accounting_date: date
    created_at: datetime
    memo: str
    reference: str
    order_id: uuid.UUID | None
    reverses_id: uuid.UUID | None
    amount_fen: int


class FundsRepository(TenantScopedRepository):
    def _account(self, kind: str) -> type[LedgerAccount]:
        return aliased(LedgerAccount, name=kind)

    async def overview(self, agreement_id: uuid.UUID | None = None) -> list[AgreementFunds]:
        """Each agreement of the supplier with its distributor and its distributor-facing
        balances (cached), by distributor code and agreement number."""
        prepaid = self._account("prepaid")
        payable = self._account("payable")

        def on(account: type[LedgerAccount], kind: str) -> ColumnElement[bool]:
            return and_(
                account.tenant_id == Agreement.tenant_id,
                account.agreement_id == Agreement.id,
                account.kind == kind,
            )

        stmt = (
            select(
                Agreement.id,
                Agreement.number,
                Agreement.status,
                Agreement.level,
                Agreement.payment_terms,
                Agreement.credit_limit_fen,
                Distributor.name,
                Distributor.code,
                func.coalesce(prepaid.balance_fen, 0),
                func.coalesce(payable.balance_fen, 0),
            )
            .join(
                Distributor,
                and_(
                    Distributor.tenant_id == Agreement.tenant_id,
                    Distributor.id == Agreement.distributor_id,
                ),
            )
            .outerjoin(prepaid, on(prepaid, AccountKind.DISTRIBUTOR_PREPAID))
            .outerjoin(payable, on(payable, AccountKind.DISTRIBUTOR_PAYABLE))
            .where(Agreement.tenant_id == self.tenant_id)
            .order_by(Distributor.code, Agreement.number)
        )
        if agreement_id is not None:
            stmt = stmt.where(Agreement.id == agreement_id)
        return [AgreementFunds(*row) for row in await self.db.execute(stmt)]

    async def journal(
        self, agreement_id: uuid.UUID, *, limit: int, offset: int
    ) -> Sequence[LedgerEntry]:
        """An agreement's entries, newest first."""
        stmt = (
            self.scoped(LedgerEntry)
            .where(LedgerEntry.agreement_id == agreement_id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def journal_size(self, agreement_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            LedgerEntry.tenant_id == self.tenant_id, LedgerEntry.agreement_id == agreement_id
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def order_numbers(self, order_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not order_ids:
            return {}
        stmt = select(DistributionOrder.id, DistributionOrder.number).where(
            DistributionOrder.tenant_id == self.tenant_id,
            DistributionOrder.id.in_(list(set(order_ids))),
        )
        return {row.id: row.number for row in await self.db.execute(stmt)}

    async def account_lines(
        self, agreement_id: uuid.UUID, *, limit: int, offset: int
    ) -> list[AccountLine]:
        """The entries that touched the agreement's distributor-facing account, with the
        amount on it only (never the supplier's other accounts), newest first."""
        stmt = (
            select(
                LedgerEntry.id,
                LedgerEntry.kind,
                LedgerEntry.accounting_date,
                LedgerEntry.created_at,
                LedgerEntry.memo,
                LedgerEntry.reference,
                LedgerEntry.order_id,
                LedgerEntry.reverses_id,
                func.sum(LedgerPosting.amount_fen),
            )
            .join(
                LedgerPosting,
                and_(
                    LedgerPosting.tenant_id == LedgerEntry.tenant_id,
                    LedgerPosting.entry_id == LedgerEntry.id,
                ),
            )
            .join(
                LedgerAccount,
                and_(
                    LedgerAccount.tenant_id == LedgerPosting.tenant_id,
                    LedgerAccount.id == LedgerPosting.account_id,
                    LedgerAccount.agreement_id == agreement_id,
                    LedgerAccount.kind.in_(DISTRIBUTOR_KINDS),
                ),
            )
            .where(LedgerEntry.tenant_id == self.tenant_id)
            .group_by(LedgerEntry.id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [AccountLine(*row) for row in await self.db.execute(stmt)]
