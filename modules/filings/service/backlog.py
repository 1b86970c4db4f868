"""What operators watch (GET /metrics): filings the bureau has not accepted yet, and those
already past its deadline."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.web.metrics import Counts, TenantGauges
from modules.filings.repository.backlog import BacklogRepository

__all__ = ["FILING_GAUGES", "filing_backlog"]


async def filing_backlog(db: AsyncSession, tenant_id: TenantId) -> dict[str, Counts]:
    """Open filings (held, waiting, pending, paused) by state, and those of them past the
    bureau's deadline (PROTOCOL "Timeliness"): a growing backlog means the bureau is not
    taking filings; a late one is a filing the enterprise may be fined for."""
    rows = await BacklogRepository(db, tenant_id).open_by_state(clock.now())
    return {
        "filings_open": {(state,): float(n) for state, n, _ in rows},
        "filings_late": {(state,): float(late) for state, _, late in rows},
    }


FILING_GAUGES = TenantGauges(
    gauges={
        "filings_open": ("Bureau filings not accepted yet, by state", ("state",)),
        "filings_late": ("Open bureau filings past the bureau's deadline, by state", ("state",)),
    },
    read=filing_backlog,
)
