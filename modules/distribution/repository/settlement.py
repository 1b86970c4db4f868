"""SQL of settlement: which periods are due, the statements computed from the ledger in one
pass, a statement's lines, and the confirmations that close it.

A statement is about the distributor-facing account of its agreement (`distributor_prepaid`
or `distributor_payable`; both summed when an agreement has had both): its postings in the
period, grouped by the kind of their entry. Signs are the ledger's (debit > 0): a sale
raises what the distributor owes (or spends its prepaid balance), a top-up or payment lowers
it. So `closing = opening + sales + cancellations + fees + adjustments + payments`, exactly,
because every kind falls in one of the columns (anything unforeseen counts as adjustment).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, bindparam, text, update
from sqlalchemy.dialects.postgresql import ARRAY, DATE, TEXT, UUID

from modules.distribution.models import Agreement, Distributor, Statement
from tenants.repository import TenantScopedRepository

DISTRIBUTOR_ACCOUNTS = ("distributor_prepaid", "distributor_payable")
SALES = ("sale",)
CANCELLATIONS = ("cancellation", "refund")
FEES = ("cancellation_fee",)
PAYMENTS = ("topup", "payment")


@dataclass(frozen=True, slots=True)
class AgreementCursor:
    """An agreement and where its settlement stands: the end of its last settled period."""

    agreement_id: uuid.UUID
    number: str
    cycle: str
    status: str
    valid_from: date
    ended_at: datetime | None
    settled_until: date | None


@dataclass(frozen=True, slots=True)
class DuePeriod:
    statement_id: uuid.UUID
    number: str
    agreement_id: uuid.UUID
    period_start: date
    period_end: date


@dataclass(frozen=True, slots=True)
class LineRow:
    entry_id: uuid.UUID
    kind: str
    accounting_date: date
    amount_fen: int
    memo: str
    reference: str
    created_at: datetime
    reverses_id: uuid.UUID | None
    order_id: uuid.UUID | None
    order_number: str | None
    guest_name: str | None
    arrival: date | None
    departure: date | None
    quantity: int | None
    order_status: str | None


def _in(values: tuple[str, ...]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


_CURSORS = text(
    """
    SELECT a.id AS agreement_id, a.number, a.cycle, a.status, a.valid_from, a.ended_at,
           (SELECT max(s.period_end) FROM dist_statements s
             WHERE s.tenant_id = a.tenant_id AND s.agreement_id = a.id
               AND s.status <> 'open') AS settled_until
    FROM dist_agreements a
    WHERE a.tenant_id = :t AND a.valid_from < :today
    ORDER BY a.number
    """
)

_UUIDS = ARRAY(UUID(as_uuid=True))

# Where each due period's statement starts from: the last settled statement of its agreement
# before it (immutable: no posting may land in a settled period), or nothing.
_PREVIOUS = text(
    """
    SELECT d.agreement_id, s.period_end AS since, coalesce(s.closing_fen, 0) AS carried
    FROM unnest(:agreements, :starts) AS d(agreement_id, period_start)
    LEFT JOIN LATERAL (
        SELECT s.period_end, s.closing_fen FROM dist_statements s
        WHERE s.tenant_id = :t AND s.agreement_id = d.agreement_id
          AND s.status <> 'open' AND s.period_end <= d.period_start
        ORDER BY s.period_end DESC LIMIT 1
    ) s ON true
    """
).bindparams(bindparam("agreements", type_=_UUIDS), bindparam("starts", type_=ARRAY(DATE)))

# The figures of every due period in ONE pass over the postings of the due agreements'
# distributor accounts (GROUP BY agreement, day and the kind of the entry), then per
# agreement over those few rows. Only entries that are not sales are joined for their kind
# (cancellations, fees, top-ups, payments, adjustments: a few), so a posting with no such
# entry is a sale; joining every entry would hash a million sales. A read-only statement, so
# PostgreSQL may scan in parallel (an INSERT ... SELECT may not): `_UPSERT` writes after it.
_FIGURES = text(
    f"""
    WITH days AS (
        SELECT p.agreement_id, p.accounting_date, e.kind, sum(p.amount_fen) AS fen,
               count(*) AS n
        FROM dist_ledger_postings p
        LEFT JOIN (
            SELECT x.id, x.kind FROM dist_ledger_entries x
            WHERE x.tenant_id = :t AND x.kind NOT IN {_in(SALES)}
              AND x.accounting_date >= :first AND x.accounting_date < :last
        ) e ON e.id = p.entry_id
        WHERE p.tenant_id = :t AND p.account_id = ANY(:accounts)
          AND p.accounting_date >= :first AND p.accounting_date < :last
        GROUP BY p.agreement_id, p.accounting_date, e.kind
    )
    SELECT d.agreement_id,
        coalesce(sum(x.fen) FILTER (WHERE x.accounting_date < d.period_start), 0) AS before,
        coalesce(sum(x.fen) FILTER (WHERE x.accounting_date >= d.period_start
            AND x.kind IS NULL), 0) AS sales,
        coalesce(sum(x.fen) FILTER (WHERE x.accounting_date >= d.period_start
            AND x.kind IN {_in(CANCELLATIONS)}), 0) AS cancellations,
        coalesce(sum(x.fen) FILTER (WHERE x.accounting_date >= d.period_start
            AND x.kind IN {_in(FEES)}), 0) AS fees,
        coalesce(sum(x.fen) FILTER (WHERE x.accounting_date >= d.period_start
            AND x.kind IN {_in(PAYMENTS)}), 0) AS payments,
        coalesce(sum(x.fen) FILTER (WHERE x.accounting_date >= d.period_start), 0)
            AS movement,
        coalesce(sum(x.n) FILTER (WHERE x.accounting_date >= d.period_start
            AND x.kind IS NULL), 0) AS orders
    FROM unnest(:agreements, :since, :starts, :ends)
        AS d(agreement_id, since, period_start, period_end)
    JOIN days x ON x.agreement_id = d.agreement_id
     AND x.accounting_date >= d.since AND x.accounting_date < d.period_end
    GROUP BY d.agreement_id
    """
).bindparams(
    bindparam("accounts", type_=_UUIDS),
    bindparam("agreements", type_=_UUIDS),
    bindparam("since", type_=ARRAY(DATE)),
    bindparam("starts", type_=ARRAY(DATE)),
    bindparam("ends", type_=ARRAY(DATE)),
)

_UPSERT = text(
    """
    INSERT INTO dist_statements AS s (
        id, tenant_id, number, agreement_id, period_start, period_end, status,
        opening_fen, sales_fen, cancellations_fen, fees_fen, adjustments_fen, payments_fen,
        closing_fen, order_count, issued_at)
    SELECT r.id, :t, r.number, r.agreement_id, r.period_start, r.period_end, 'issued',
        r.opening, r.sales, r.cancellations, r.fees, r.adjustments, r.payments, r.closing,
        r.orders, :at
    FROM unnest(:ids, :numbers, :agreements, :starts, :ends, :opening, :sales,
                :cancellations, :fees, :adjustments, :payments, :closing, :orders)
        AS r(id, number, agreement_id, period_start, period_end, opening, sales,
             cancellations, fees, adjustments, payments, closing, orders)
    ON CONFLICT (tenant_id, agreement_id, period_start) DO UPDATE SET
        period_end = excluded.period_end, status = 'issued',
        opening_fen = excluded.opening_fen, sales_fen = excluded.sales_fen,
        cancellations_fen = excluded.cancellations_fen, fees_fen = excluded.fees_fen,
        adjustments_fen = excluded.adjustments_fen, payments_fen = excluded.payments_fen,
        closing_fen = excluded.closing_fen, order_count = excluded.order_count,
        issued_at = excluded.issued_at
      WHERE s.status = 'open'
    RETURNING s.id
    """
).bindparams(
    bindparam("ids", type_=_UUIDS),
    bindparam("numbers", type_=ARRAY(TEXT)),
    bindparam("agreements", type_=_UUIDS),
    bindparam("starts", type_=ARRAY(DATE)),
    bindparam("ends", type_=ARRAY(DATE)),
    *(
        bindparam(name, type_=ARRAY(BigInteger))
        for name in (
            "opening",
            "sales",
            "cancellations",
            "fees",
            "adjustments",
            "payments",
            "closing",
            "orders",
        )
    ),
)

_LAST_NUMBERS = text(
    """
    SELECT substring(number FROM 1 FOR 10) AS prefix,
           max(CAST(substring(number FROM 12) AS integer)) AS last
    FROM dist_statements
    WHERE tenant_id = :t AND number ~ '^JS-[0-9]{4}-[0-9]{2}-[0-9]+$'
    GROUP BY 1
    """
)

# Settlements of one supplier take turns (the numbers are counted per month), and a posting
# on a distributor's account waits for a settlement that has locked it (or the settlement
# waits for the posting's commit): the figures and the period's lock see the same postings.
_LOCK_TENANT = text("SELECT pg_advisory_xact_lock(hashtextextended('dist.settle:' || :t, 0))")
_LOCK_ACCOUNTS = text(
    f"""
    SELECT a.id FROM dist_ledger_accounts a
    WHERE a.tenant_id = :t AND a.agreement_id = ANY(:agreements)
      AND a.kind IN {_in(DISTRIBUTOR_ACCOUNTS)}
    ORDER BY a.id FOR UPDATE
    """
).bindparams(bindparam("agreements", type_=ARRAY(UUID(as_uuid=True))))

_LINES = text(
    f"""
    SELECT e.id AS entry_id, e.kind, e.accounting_date, sum(p.amount_fen) AS amount_fen,
           e.memo, e.reference, e.created_at, e.reverses_id, e.order_id,
           o.number AS order_number, o.guest_name, o.arrival, o.departure, o.quantity,
           o.status AS order_status
    FROM dist_ledger_postings p
    JOIN dist_ledger_accounts a
      ON a.tenant_id = p.tenant_id AND a.id = p.account_id
     AND a.kind IN {_in(DISTRIBUTOR_ACCOUNTS)}
    JOIN dist_ledger_entries e ON e.tenant_id = p.tenant_id AND e.id = p.entry_id
    LEFT JOIN dist_orders o ON o.tenant_id = e.tenant_id AND o.id = e.order_id
    WHERE p.tenant_id = :t AND p.agreement_id = :agreement
      AND p.accounting_date >= :start AND p.accounting_date < :end
    GROUP BY e.id, o.id
    ORDER BY e.accounting_date, e.created_at, e.id
    LIMIT :limit OFFSET :offset
    """
)

# What the account's postings say up to the end of a period, to check a statement against.
_BALANCE_UNTIL = text(
    f"""
    SELECT coalesce(sum(p.amount_fen), 0)
    FROM dist_ledger_postings p
    JOIN dist_ledger_accounts a
      ON a.tenant_id = p.tenant_id AND a.id = p.account_id
     AND a.kind IN {_in(DISTRIBUTOR_ACCOUNTS)}
    WHERE p.tenant_id = :t AND p.agreement_id = :agreement AND p.accounting_date < :end
    """
)


def _statement_row(due: DuePeriod, carried: int, f: Any) -> dict[str, Any]:
    """A statement's figures; every kind falls in one column, the rest is adjustment."""
    opening = carried + (int(f.before) if f else 0)
    sales, cancellations, fees, payments, movement, orders = (
        (int(f.sales), int(f.cancellations), int(f.fees), int(f.payments), int(f.movement),
         int(f.orders)) if f else (0, 0, 0, 0, 0, 0)
    )  # fmt: skip
    return {
        "ids": due.statement_id,
        "numbers": due.number,
        "agreements": due.agreement_id,
        "starts": due.period_start,
        "ends": due.period_end,
        "opening": opening,
        "sales": sales,
        "cancellations": cancellations,
        "fees": fees,
        "adjustments": movement - sales - cancellations - fees - payments,
        "payments": payments,
        "closing": opening + movement,
        "orders": orders,
    }


class SettlementRepository(TenantScopedRepository):
    async def lock(self) -> None:
        await self.db.execute(_LOCK_TENANT, {"t": str(self.tenant_id)})

    async def cursors(self, today: date) -> list[AgreementCursor]:
        """Every agreement that has started, with the end of its last settled period."""
        rows = await self.db.execute(_CURSORS, {"t": self.tenant_id, "today": today})
        return [AgreementCursor(**r._mapping) for r in rows]

    async def last_numbers(self) -> dict[str, int]:
        """The highest statement number used per month prefix (`JS-2026-11`)."""
        rows = await self.db.execute(_LAST_NUMBERS, {"t": self.tenant_id})
        return {r.prefix: int(r.last) for r in rows}

    async def lock_accounts(self, agreement_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        """The distributor accounts of these agreements, locked until the transaction ends."""
        params = {"t": self.tenant_id, "agreements": list(agreement_ids)}
        return list((await self.db.scalars(_LOCK_ACCOUNTS, params)).all())

    async def issue(
        self, due: Sequence[DuePeriod], accounts: Sequence[uuid.UUID], at: datetime
    ) -> list[uuid.UUID]:
        """Compute the statements of `due` (one pass over the postings) and issue them; the
        ids issued (a period whose statement was already issued is left as it is)."""
        agreements = [d.agreement_id for d in due]
        starts = [d.period_start for d in due]
        previous = {
            r.agreement_id: (r.since or date.min, int(r.carried))
            for r in await self.db.execute(
                _PREVIOUS, {"t": self.tenant_id, "agreements": agreements, "starts": starts}
            )
        }
        since = [previous[a][0] for a in agreements]
        params = {
            "t": self.tenant_id,
            "accounts": list(accounts),
            "agreements": agreements,
            "since": since,
            "starts": starts,
            "ends": [d.period_end for d in due],
            "first": min(since),
            "last": max(d.period_end for d in due),
        }
        figures = {r.agreement_id: r for r in await self.db.execute(_FIGURES, params)}
        rows = [
            _statement_row(d, previous[d.agreement_id][1], figures.get(d.agreement_id)) for d in due
        ]
        values = {key: [r[key] for r in rows] for key in rows[0]} if rows else {}
        return list(
            (await self.db.scalars(_UPSERT, {"t": self.tenant_id, "at": at, **values})).all()
        )

    async def statement(self, statement_id: uuid.UUID) -> Statement | None:
        return await self.get(Statement, statement_id)

    async def statement_by_number(self, agreement_id: uuid.UUID, number: str) -> Statement | None:
        stmt = self.scoped(Statement).where(
            Statement.agreement_id == agreement_id, Statement.number == number
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def statement_for_update(self, statement_id: uuid.UUID) -> Statement | None:
        stmt = (
            self.scoped(Statement)
            .where(Statement.id == statement_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def statements(
        self,
        *,
        agreement_id: uuid.UUID | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[tuple[Statement, Agreement, str]]:
        """Statements with their agreement and distributor's name, newest period first."""
        stmt = (
            self.scoped(Statement)
            .add_columns(Agreement, Distributor.name)
            .join(
                Agreement,
                (Agreement.tenant_id == Statement.tenant_id)
                & (Agreement.id == Statement.agreement_id),
            )
            .join(
                Distributor,
                (Distributor.tenant_id == Agreement.tenant_id)
                & (Distributor.id == Agreement.distributor_id),
            )
            .order_by(Statement.period_start.desc(), Statement.number.desc())
            .limit(limit)
            .offset(offset)
        )
        if agreement_id is not None:
            stmt = stmt.where(Statement.agreement_id == agreement_id)
        if status is not None:
            stmt = stmt.where(Statement.status == status)
        return [(s, a, name) for s, a, name in (await self.db.execute(stmt)).all()]

    async def agreement(self, agreement_id: uuid.UUID) -> Agreement | None:
        return await self.get(Agreement, agreement_id)

    async def lines(
        self, statement: Statement, *, limit: int | None = None, offset: int = 0
    ) -> list[LineRow]:
        params = {
            "t": self.tenant_id,
            "agreement": statement.agreement_id,
            "start": statement.period_start,
            "end": statement.period_end,
            "limit": limit,
            "offset": offset,
        }
        return [LineRow(**r._mapping) for r in await self.db.execute(_LINES, params)]

    async def balance_until(self, agreement_id: uuid.UUID, end: date) -> int:
        params = {"t": self.tenant_id, "agreement": agreement_id, "end": end}
        return int(await self.db.scalar(_BALANCE_UNTIL, params) or 0)

    async def set_statement(self, statement_id: uuid.UUID, **values: Any) -> None:
        await self.db.execute(
            update(Statement)
            .where(Statement.tenant_id == self.tenant_id, Statement.id == statement_id)
            .values(**values)
        )
