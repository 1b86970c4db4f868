"""SQL of disputes: a statement's disputes, one locked for its answer, and the disputed
line (an entry of the statement's period on its agreement's distributor account)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text, update

from modules.distribution.models import Dispute, Statement
from modules.distribution.repository.settlement import DISTRIBUTOR_ACCOUNTS, _in
from tenants.repository import TenantScopedRepository


@dataclass(frozen=True, slots=True)
class DisputedLine:
    entry_id: uuid.UUID
    kind: str
    order_id: uuid.UUID | None
    amount_fen: int


@dataclass(frozen=True, slots=True)
class EntryLine:
    kind: str
    agreement_id: uuid.UUID | None
    amount_fen: int


_LINE = text(
    f"""
    SELECT e.id AS entry_id, e.kind, e.order_id, sum(p.amount_fen) AS amount_fen
    FROM dist_ledger_entries e
    JOIN dist_ledger_postings p ON p.tenant_id = e.tenant_id AND p.entry_id = e.id
    JOIN dist_ledger_accounts a
      ON a.tenant_id = p.tenant_id AND a.id = p.account_id
     AND a.kind IN {_in(DISTRIBUTOR_ACCOUNTS)}
    WHERE e.tenant_id = :t AND e.id = :entry AND e.agreement_id = :agreement
      AND e.accounting_date >= :start AND e.accounting_date < :end
    GROUP BY e.id
    """
)

_ENTRY_LINES = text(
    """
    SELECT a.kind, a.agreement_id, p.amount_fen
    FROM dist_ledger_postings p
    JOIN dist_ledger_accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
    WHERE p.tenant_id = :t AND p.entry_id = :entry
    ORDER BY p.id
    """
)


class DisputesRepository(TenantScopedRepository):
    async def for_statement(self, statement_id: uuid.UUID) -> list[Dispute]:
        stmt = (
            self.scoped(Dispute)
            .where(Dispute.statement_id == statement_id)
            .order_by(Dispute.created_at, Dispute.id)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def open_count(self, statement_id: uuid.UUID) -> int:
        return sum(1 for d in await self.for_statement(statement_id) if d.status == "open")

    async def locked(self, dispute_id: uuid.UUID) -> Dispute | None:
        stmt = (
            self.scoped(Dispute)
            .where(Dispute.id == dispute_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def line(self, statement: Statement, entry_id: uuid.UUID) -> DisputedLine | None:
        params = {
            "t": self.tenant_id,
            "entry": entry_id,
            "agreement": statement.agreement_id,
            "start": statement.period_start,
            "end": statement.period_end,
        }
        row = (await self.db.execute(_LINE, params)).one_or_none()
        return DisputedLine(**row._mapping) if row else None

    async def entry_lines(self, entry_id: uuid.UUID) -> list[EntryLine]:
        rows = await self.db.execute(_ENTRY_LINES, {"t": self.tenant_id, "entry": entry_id})
        return [EntryLine(**r._mapping) for r in rows]

    async def set(self, dispute_id: uuid.UUID, **values: Any) -> None:
        await self.db.execute(
            update(Dispute)
            .where(Dispute.tenant_id == self.tenant_id, Dispute.id == dispute_id)
            .values(**values)
        )
