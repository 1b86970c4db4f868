"""SQL of payouts: what the supplier is owed and payable now (from settled statements, less
payouts in flight), payout numbers, a payout locked for its job, and the lists of the console
pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import aliased

from modules.distribution.domain import AccountKind, EntryKind
from modules.distribution.models import (
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    Payout,
    Statement,
)
from tenants.repository import TenantScopedRepository

SETTLED = ("issued", "confirmed", "closed")
IN_FLIGHT = ("pending", "in_transit")


@dataclass(frozen=True, slots=True)
class Owed:
    """What the supplier may be paid under one agreement now."""

    agreement_id: uuid.UUID
    payable_fen: int
    statement_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class BankDetails:
    bank_name: str
    bank_account: str
    account_holder: str


class PayoutRepository(TenantScopedRepository):
    async def lock_payouts(self) -> None:
        """One payout request of this supplier at a time (until the transaction ends): a
        second one then reads the first's payout entries and finds nothing more owed."""
        await self.db.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('dist_payout:' || :t))"),
            {"t": str(self.tenant_id)},
        )

    async def owed(self) -> list[Owed]:
        """Per agreement: the supplier's receivable booked inside settled periods (statement
        issued, confirmed or closed), less every payout entry (and plus its reversal if the
        payout failed), whatever their date. One read; positive results only."""
        settled = (
            select(
                Statement.agreement_id.label("agreement_id"),
                func.max(Statement.period_end).label("until"),
                func.array_agg(Statement.id).label("ids"),
            )
            .where(Statement.tenant_id == self.tenant_id, Statement.status.in_(SETTLED))
            .group_by(Statement.agreement_id)
            .subquery()
        )
        reversed_ = aliased(LedgerEntry, name="reversed")
        payout_kind = or_(
            LedgerEntry.kind == EntryKind.PAYOUT.value, reversed_.kind == EntryKind.PAYOUT.value
        )
        stmt = (
            select(
                LedgerPosting.agreement_id,
                -func.sum(LedgerPosting.amount_fen),
                func.min(settled.c.ids),
            )
            .join(
                LedgerAccount,
                and_(
                    LedgerAccount.tenant_id == LedgerPosting.tenant_id,
                    LedgerAccount.id == LedgerPosting.account_id,
                ),
            )
            .join(
                LedgerEntry,
                and_(
                    LedgerEntry.tenant_id == LedgerPosting.tenant_id,
                    LedgerEntry.id == LedgerPosting.entry_id,
                ),
            )
            .outerjoin(
                reversed_,
                and_(
                    reversed_.tenant_id == LedgerEntry.tenant_id,
                    reversed_.id == LedgerEntry.reverses_id,
                ),
            )
            .outerjoin(settled, settled.c.agreement_id == LedgerPosting.agreement_id)
            .where(
                LedgerPosting.tenant_id == self.tenant_id,
                LedgerAccount.kind == AccountKind.SUPPLIER_RECEIVABLE.value,
                or_(LedgerPosting.accounting_date < settled.c.until, payout_kind),
            )
            .group_by(LedgerPosting.agreement_id)
            .order_by(LedgerPosting.agreement_id)
        )
        rows = (await self.db.execute(stmt)).all()
        return [
            Owed(agreement_id, int(amount), tuple(ids or ()))
            for agreement_id, amount, ids in rows
            if agreement_id is not None and amount > 0
        ]

    async def last_number(self, prefix: str) -> str | None:
        stmt = select(func.max(Payout.number)).where(
            Payout.tenant_id == self.tenant_id, Payout.number.like(f"{prefix}%")
        )
        return await self.db.scalar(stmt)

    async def insert(self, payout: Payout) -> Payout:
        self.add(payout)
        await self.db.flush()
        return payout

    async def payout(self, payout_id: uuid.UUID, *, lock: bool = False) -> Payout | None:
        stmt = self.scoped(Payout).where(Payout.id == payout_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def payouts(self, *, limit: int = 200) -> list[Payout]:
        stmt = self.scoped(Payout).order_by(Payout.created_at.desc(), Payout.id).limit(limit)
        return list((await self.db.execute(stmt)).scalars())

    async def with_status(self, method: str, statuses: tuple[str, ...]) -> list[Payout]:
        stmt = (
            self.scoped(Payout)
            .where(Payout.method == method, Payout.status.in_(statuses))
            .order_by(Payout.number)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def unreconciled_paid(self) -> list[Payout]:
        stmt = self.scoped(Payout).where(
            Payout.method == "stripe", Payout.status == "paid", Payout.reconciled_at.is_(None)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def last_bank_details(self) -> BankDetails | None:
        """The bank account the supplier's last bank payout went to (a payout run reuses it)."""
        stmt = (
            select(Payout.bank_name, Payout.bank_account, Payout.account_holder)
            .where(
                Payout.tenant_id == self.tenant_id,
                Payout.method == "bank",
                Payout.bank_account != "",
            )
            .order_by(Payout.created_at.desc(), Payout.number.desc())
            .limit(1)
        )
        row = (await self.db.execute(stmt)).first()
        return BankDetails(*row) if row else None

    async def payout_entries(self, number: str) -> list[uuid.UUID]:
        """The `payout` entries a payout posted (their reference is its number)."""
        stmt = select(LedgerEntry.id).where(
            LedgerEntry.tenant_id == self.tenant_id,
            LedgerEntry.kind == EntryKind.PAYOUT.value,
            LedgerEntry.reference == number,
        )
        return list((await self.db.execute(stmt)).scalars())
