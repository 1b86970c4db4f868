"""SQL of the distribution ledger: accounts, entries, postings, the cached balances.

An entry's postings go in ONE multi-row INSERT: the database checks per statement that
every entry it touches balances (`zhilv_dist_postings_check`, migration 0021), so lines
written one by one would be refused after the first. A cached balance moves only by the
guarded UPDATE in `move`, in the same transaction as its postings.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import aliased

from app.db.base import uuid7
from modules.distribution.domain import STANDING_KINDS, EntryKind, Line
from modules.distribution.models import (
    Agreement,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    Statement,
)
from tenants.repository import TenantScopedRepository

AccountKey = tuple[uuid.UUID | None, str]  # (agreement_id, kind)


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: uuid.UUID
    agreement_id: uuid.UUID | None
    kind: str
    balance_fen: int
    limit_fen: int | None


@dataclass(frozen=True, slots=True)
class PostingRow:
    entry_id: uuid.UUID
    account_id: uuid.UUID
    kind: str
    agreement_id: uuid.UUID | None
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Difference:
    """An account whose cached balance is not the sum of its postings."""

    account_id: uuid.UUID
    agreement_id: uuid.UUID | None
    kind: str
    cached_fen: int
    derived_fen: int


def _row(a: LedgerAccount) -> AccountRow:
    return AccountRow(a.id, a.agreement_id, a.kind, a.balance_fen, a.limit_fen)


class LedgerRepository(TenantScopedRepository):
    """The supplier's ledger (the bound tenant owns every row)."""

    # Accounts ------------------------------------------------------------------------------
    async def accounts(self, keys: Sequence[AccountKey]) -> dict[AccountKey, AccountRow]:
        if not keys:
            return {}
        with_agreement = [(a, k) for a, k in keys if a is not None]
        own = [k for a, k in keys if a is None]
        wanted: list[ColumnElement[bool]] = []
        if with_agreement:
            wanted.append(
                tuple_(LedgerAccount.agreement_id, LedgerAccount.kind).in_(with_agreement)
            )
        if own:
            wanted.append(and_(LedgerAccount.agreement_id.is_(None), LedgerAccount.kind.in_(own)))
        stmt = self.scoped(LedgerAccount).where(or_(*wanted))
        found = (await self.db.execute(stmt)).scalars().all()
        return {(a.agreement_id, a.kind): _row(a) for a in found}

    async def create_accounts(self, rows: Sequence[tuple[AccountKey, int | None]]) -> None:
        """Creates the accounts not there yet (a racing creator's row wins: nothing is
        overwritten), in key order so two creators queue rather than deadlock."""
        values = [
            {
                "id": uuid7(),
                "tenant_id": self.tenant_id,
                "agreement_id": agreement_id,
                "kind": kind,
                "limit_fen": limit,
            }
            for (agreement_id, kind), limit in sorted(rows, key=lambda r: (str(r[0][0]), r[0][1]))
        ]
        if not values:
            return
        stmt = pg_insert(LedgerAccount).values(values)
        stmt = stmt.on_conflict_do_nothing(
            constraint="uq_dist_ledger_accounts_tenant_id_agreement_id_kind"
        )
        await self.db.execute(stmt)

    async def set_limit(self, account_id: uuid.UUID, limit_fen: int) -> None:
        """A new credit limit; never below what is already used (the account then takes no
        further debit until paid down)."""
        stmt = (
            update(LedgerAccount)
            .where(LedgerAccount.tenant_id == self.tenant_id, LedgerAccount.id == account_id)
            .values(limit_fen=func.greatest(limit_fen, LedgerAccount.balance_fen))
            .execution_options(synchronize_session=False)
        )
        await self.db.execute(stmt)

    async def move(self, account_id: uuid.UUID, delta_fen: int) -> int | None:
        """Adds `delta_fen` to the cached balance; a debit only while the balance stays
        within the account's limit. The new balance, or None when refused. The row lock
        serialises two sales against the same prepaid balance: the second sees the first's
        result once it commits, so the last yuan is spent once."""
        stmt = update(LedgerAccount).where(
            LedgerAccount.tenant_id == self.tenant_id, LedgerAccount.id == account_id
        )
        if delta_fen > 0:
            stmt = stmt.where(
                or_(
                    LedgerAccount.limit_fen.is_(None),
                    LedgerAccount.balance_fen + delta_fen <= LedgerAccount.limit_fen,
                )
            )
        stmt = (
            stmt.values(balance_fen=LedgerAccount.balance_fen + delta_fen)
            .returning(LedgerAccount.balance_fen)
            .execution_options(synchronize_session=False)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def account(self, account_id: uuid.UUID) -> AccountRow | None:
        found = await self.get(LedgerAccount, account_id)
        return _row(found) if found is not None else None

    async def agreement_accounts(self, agreement_id: uuid.UUID) -> list[AccountRow]:
        stmt = self.scoped(LedgerAccount).where(LedgerAccount.agreement_id == agreement_id)
        return [_row(a) for a in (await self.db.execute(stmt)).scalars().all()]

    async def credit_limits(self, agreement_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        stmt = select(Agreement.id, Agreement.credit_limit_fen).where(
            Agreement.tenant_id == self.tenant_id, Agreement.id.in_(agreement_ids)
        )
        return {row.id: row.credit_limit_fen for row in await self.db.execute(stmt)}

    # Entries and postings ------------------------------------------------------------------
    async def insert_entry(
        self,
        *,
        kind: str,
        agreement_id: uuid.UUID | None,
        accounting_date: date,
        order_id: uuid.UUID | None,
        memo: str,
        reference: str,
        reverses_id: uuid.UUID | None,
        created_by: uuid.UUID | None,
    ) -> uuid.UUID:
        entry_id = uuid7()
        await self.db.execute(
            insert(LedgerEntry).values(
                id=entry_id,
                tenant_id=self.tenant_id,
                kind=kind,
                agreement_id=agreement_id,
                accounting_date=accounting_date,
                order_id=order_id,
                memo=memo,
                reference=reference,
                reverses_id=reverses_id,
                created_by=created_by,
            )
        )
        return entry_id

    async def insert_postings(
        self,
        entry_id: uuid.UUID,
        *,
        agreement_id: uuid.UUID | None,
        accounting_date: date,
        amounts: Sequence[tuple[uuid.UUID, int]],
    ) -> None:
        """All the entry's postings in one statement (see the module docstring)."""
        rows = [
            {
                "id": uuid7(),
                "tenant_id": self.tenant_id,
                "entry_id": entry_id,
                "account_id": account_id,
                "agreement_id": agreement_id,
                "accounting_date": accounting_date,
                "amount_fen": amount,
            }
            for account_id, amount in amounts
        ]
        await self.db.execute(insert(LedgerPosting).values(rows))

    async def entry(self, entry_id: uuid.UUID) -> LedgerEntry | None:
        return await self.get(LedgerEntry, entry_id)

    async def reversal_of(self, entry_id: uuid.UUID) -> uuid.UUID | None:
        stmt = select(LedgerEntry.id).where(
            LedgerEntry.tenant_id == self.tenant_id, LedgerEntry.reverses_id == entry_id
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def reversed_among(self, entry_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these entries a reversal names."""
        if not entry_ids:
            return set()
        stmt = select(LedgerEntry.reverses_id).where(
            LedgerEntry.tenant_id == self.tenant_id, LedgerEntry.reverses_id.in_(entry_ids)
        )
        return {i for i in (await self.db.execute(stmt)).scalars() if i is not None}

    async def postings(self, entry_ids: Sequence[uuid.UUID]) -> list[PostingRow]:
        """The postings of these entries with their accounts, in the order written."""
        if not entry_ids:
            return []
        stmt = (
            select(
                LedgerPosting.entry_id,
                LedgerPosting.account_id,
                LedgerAccount.kind,
                LedgerAccount.agreement_id,
                LedgerPosting.amount_fen,
            )
            .join(
                LedgerAccount,
                and_(
                    LedgerAccount.tenant_id == LedgerPosting.tenant_id,
                    LedgerAccount.id == LedgerPosting.account_id,
                ),
            )
            .where(LedgerPosting.tenant_id == self.tenant_id, LedgerPosting.entry_id.in_(entry_ids))
            .order_by(LedgerPosting.entry_id, LedgerPosting.id)
        )
        return [PostingRow(*row) for row in await self.db.execute(stmt)]

    async def order_standing(self, order_id: uuid.UUID) -> list[Line]:
        """What an order stands at per account: the sum of the postings of its sales,
        cancellations and adjustments, and of the reversals of those (a cancellation fee and
        its reversal are left out: they are not part of the sale)."""
        reversed_ = aliased(LedgerEntry)
        standing = [k.value for k in STANDING_KINDS]
        stmt = (
            select(
                LedgerAccount.kind,
                LedgerAccount.agreement_id,
                func.sum(LedgerPosting.amount_fen),
            )
            .select_from(LedgerEntry)
            .outerjoin(
                reversed_,
                and_(
                    reversed_.tenant_id == LedgerEntry.tenant_id,
                    reversed_.id == LedgerEntry.reverses_id,
                ),
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
                ),
            )
            .where(
                LedgerEntry.tenant_id == self.tenant_id,
                LedgerEntry.order_id == order_id,
                or_(
                    LedgerEntry.kind.in_(standing),
                    and_(LedgerEntry.kind == EntryKind.REVERSAL, reversed_.kind.in_(standing)),
                ),
            )
            .group_by(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.agreement_id)
            .order_by(LedgerAccount.kind)
        )
        return [
            Line(kind, agreement_id, int(total))
            for kind, agreement_id, total in await self.db.execute(stmt)
            if total
        ]

    # Periods -------------------------------------------------------------------------------
    async def settled_periods(
        self, agreement_id: uuid.UUID, since: date
    ) -> list[tuple[date, date]]:
        """The agreement's periods whose statement is no longer open and that end after
        `since`: postings may not land in them."""
        stmt = select(Statement.period_start, Statement.period_end).where(
            Statement.tenant_id == self.tenant_id,
            Statement.agreement_id == agreement_id,
            Statement.status != "open",
            Statement.period_end > since,
        )
        return [(row.period_start, row.period_end) for row in await self.db.execute(stmt)]

    # The check -----------------------------------------------------------------------------
    async def differences(self) -> list[Difference]:
        """Every account whose cached balance differs from the sum of its postings, in one
        pass over the postings."""
        sums = (
            select(
                LedgerPosting.account_id.label("account_id"),
                func.sum(LedgerPosting.amount_fen).label("total"),
            )
            .where(LedgerPosting.tenant_id == self.tenant_id)
            .group_by(LedgerPosting.account_id)
            .subquery()
        )
        derived = func.coalesce(sums.c.total, 0)
        stmt = (
            select(
                LedgerAccount.id,
                LedgerAccount.agreement_id,
                LedgerAccount.kind,
                LedgerAccount.balance_fen,
                derived,
            )
            .outerjoin(sums, sums.c.account_id == LedgerAccount.id)
            .where(LedgerAccount.tenant_id == self.tenant_id, LedgerAccount.balance_fen != derived)
            .order_by(LedgerAccount.id)
        )
        return [
            Difference(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in await self.db.execute(stmt)
        ]
