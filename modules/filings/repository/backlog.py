"""The open filings of one tenant counted by state, for the operators' metrics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from modules.filings.domain import OPEN_STATES
from modules.filings.models import Filing
from tenants.repository import TenantScopedRepository


class BacklogRepository(TenantScopedRepository):
    async def open_by_state(self, now: datetime) -> list[tuple[str, int, int]]:
        """(state, open filings, of which past the bureau's deadline) per open state."""
        stmt = (
            select(
                Filing.state,
                func.count(),
                func.count().filter(Filing.due_at < now),
            )
            .where(Filing.tenant_id == self.tenant_id, Filing.state.in_(OPEN_STATES))
            .group_by(Filing.state)
        )
        return [(str(s), int(n), int(late)) for s, n, late in await self.db.execute(stmt)]
