"""The safety net, run every minute for each tenant: no filing is left behind.

- A tenant with a pending filing long overdue (its drain died with its worker, or gave
  up on an unexpected error) gets a new drain (if one is in fact alive, the two take
  turns: one batch of a tenant is sent at a time).
- A waiting filing whose contract was accepted meanwhile is released.
- Owners are alerted, once per filing, when one is still not accepted as it nears the
  bureau's 30-day memory of idempotency keys (after which a retry could be filed twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.settings import Settings
from modules.filings.repository import FilingRepository
from modules.filings.service.queue import drain_queue
from modules.filings.service.registration import alert_owners

__all__ = ["SweepResult", "sweep"]

OLD_SUBJECT = "Bureau filings still not accepted"
OLD_BODY = (
    "Some bureau filings of %(name)s have still not been accepted after many days. The "
    "bureau forgets a filing's idempotency key after 30 days, after which a retry could be "
    "filed twice. Open Bureau filings in Zhilv to see what the bureau answered and act."
)


@dataclass(frozen=True, slots=True)
class SweepResult:
    restarted: bool = False
    released: int = 0
    alerted: int = 0


async def sweep(
    db: AsyncSession, tenant_id: TenantId, settings: Settings, *, now: datetime | None = None
) -> SweepResult:
    """One pass of the safety net for one tenant (see the module docstring)."""
    repo = FilingRepository(db, tenant_id)
    restarted = await repo.overdue(settings.filing_stalled_after_seconds)
    released = await repo.waiting_on_accepted()
    if restarted or released:
        await drain_queue(db, tenant_id).now()
    cutoff = (now or clock.now()) - timedelta(days=settings.filing_key_alert_days)
    old = await repo.mark_old_unaccepted(cutoff)
    if old:
        await alert_owners(db, tenant_id, OLD_SUBJECT, OLD_BODY)
    return SweepResult(restarted=restarted, released=len(released), alerted=len(old))
