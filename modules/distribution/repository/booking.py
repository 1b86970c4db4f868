"""SQL of distribution orders, on the supplier's tenant-scoped base (a distributor reaches
them only inside `acting_for`, and only through its own agreement).

Order numbers FX<yyyymmdd>-<n> count per supplier and business date; `number_lock`
serialises the numbering of one date (a transaction-scoped advisory lock, released at
commit), so the count of that date's orders plus one is free."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select, text

from modules.distribution.models import DistributionOrder
from tenants.repository import TenantScopedRepository

_NUMBER_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtextextended('dist_order_no:' || :t || ':' || :d, 0))"
)


class OrdersRepository(TenantScopedRepository):
    async def number_lock(self, day: date) -> None:
        await self.db.execute(_NUMBER_LOCK, {"t": str(self.tenant_id), "d": day.isoformat()})

    async def next_number(self, day: date) -> str:
        prefix = f"FX{day:%Y%m%d}-"
        stmt = select(func.count()).where(
            DistributionOrder.tenant_id == self.tenant_id,
            DistributionOrder.number.like(prefix + "%"),
        )
        n = int((await self.db.execute(stmt)).scalar_one()) + 1
        return f"{prefix}{n:04d}"

    async def by_key(self, distributor_id: uuid.UUID, key: str) -> DistributionOrder | None:
        stmt = self.scoped(DistributionOrder).where(
            DistributionOrder.distributor_id == distributor_id,
            DistributionOrder.idempotency_key == key,
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def of_agreement(
        self, agreement_id: uuid.UUID, ref: uuid.UUID | str, *, lock: bool = False
    ) -> DistributionOrder | None:
        """One order of the agreement, by id or number (None for any other)."""
        stmt = self.scoped(DistributionOrder).where(DistributionOrder.agreement_id == agreement_id)
        if isinstance(ref, uuid.UUID):
            stmt = stmt.where(DistributionOrder.id == ref)
        else:
            stmt = stmt.where(DistributionOrder.number == ref)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def list_of_agreement(
        self, agreement_id: uuid.UUID, *, limit: int = 50, offset: int = 0
    ) -> Sequence[DistributionOrder]:
        stmt = (
            self.scoped(DistributionOrder)
            .where(DistributionOrder.agreement_id == agreement_id)
            .order_by(DistributionOrder.created_at.desc(), DistributionOrder.number.desc())
            .limit(limit)
            .offset(offset)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def for_reservation(
        self, reservation_id: uuid.UUID, *, lock: bool = False
    ) -> DistributionOrder | None:
        stmt = self.scoped(DistributionOrder).where(
            DistributionOrder.reservation_id == reservation_id
        )
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def flush(self) -> None:
        await self.db.flush()
