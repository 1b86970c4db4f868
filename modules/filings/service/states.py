"""Where many filings stand at once, for other modules' lists (a page of contracts or
groups): one query per page instead of one `filing_detail` per row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from modules.filings.repository import FilingRepository

__all__ = ["FilingStatus", "filing_states"]


@dataclass(frozen=True, slots=True)
class FilingStatus:
    """What a list shows of one filing: its state, the bureau's receipt or complaint,
    and its deadline (not its payload, body or attempts: see `filing_detail`)."""

    filing_id: uuid.UUID
    kind: str
    state: str
    receipt_no: str | None
    received_at: datetime | None
    due_at: datetime | None
    last_error: str | None
    errors: list[dict[str, Any]] = field(default_factory=list)


async def filing_states(
    db: AsyncSession, tenant_id: TenantId, filing_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, FilingStatus]:
    """The state of each filing named, by id, in one query. `None`s are skipped (a row
    with no filing yet); an id that is not the tenant's filing is absent from the
    answer, as `filing_detail` would say NotFound."""
    wanted = list(dict.fromkeys(i for i in filing_ids if i is not None))
    rows = await FilingRepository(db, tenant_id).states(wanted)
    return {
        r.id: FilingStatus(
            filing_id=r.id,
            kind=r.kind,
            state=r.state,
            receipt_no=r.receipt_no,
            received_at=r.received_at,
            due_at=r.due_at,
            last_error=r.last_error,
            errors=list(r.errors or []),
        )
        for r in rows
    }
