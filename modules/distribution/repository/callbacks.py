"""SQL of the callbacks to distributors and their delivery attempts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Integer, Select, cast, func, select

from modules.distribution.models import (
    Callback,
    CallbackAttempt,
    DistributionOrder,
    Distributor,
)
from tenants.repository import TenantScopedRepository


class CallbacksRepository(TenantScopedRepository):
    async def distributor(self, distributor_id: uuid.UUID) -> Distributor | None:
        return await self.get(Distributor, distributor_id)

    async def order(self, order_id: uuid.UUID, *, lock: bool = False) -> DistributionOrder | None:
        """The order a callback tells about; locked, callbacks of one order are numbered
        one after the other (two transactions cannot both take the same `sequence`)."""
        stmt = self.scoped(DistributionOrder).where(DistributionOrder.id == order_id)
        if lock:  # and as the database has it now, whatever the session held
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def order_by_reservation(
        self, reservation_id: uuid.UUID, *, lock: bool = False
    ) -> DistributionOrder | None:
        stmt = self.scoped(DistributionOrder).where(
            DistributionOrder.reservation_id == reservation_id
        )
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.db.execute(stmt.limit(1))).scalar_one_or_none()

    async def last_sequence(self, order_id: uuid.UUID) -> int:
        seq = cast(Callback.payload["data"]["sequence"].astext, Integer)
        stmt = select(func.coalesce(func.max(seq), 0)).where(
            Callback.tenant_id == self.tenant_id, Callback.order_id == order_id
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def callback(self, callback_id: uuid.UUID, *, lock: bool = False) -> Callback | None:
        stmt = self.scoped(Callback).where(Callback.id == callback_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    def _with_names(self) -> Select[tuple[Callback, str, str]]:
        return (
            select(Callback, Distributor.name, func.coalesce(DistributionOrder.number, ""))
            .join(
                Distributor,
                (Distributor.tenant_id == Callback.tenant_id)
                & (Distributor.id == Callback.distributor_id),
            )
            .outerjoin(
                DistributionOrder,
                (DistributionOrder.tenant_id == Callback.tenant_id)
                & (DistributionOrder.id == Callback.order_id),
            )
            .where(Callback.tenant_id == self.tenant_id)
        )

    async def callback_row(self, callback_id: uuid.UUID) -> tuple[Callback, str, str] | None:
        stmt = self._with_names().where(Callback.id == callback_id)
        row = (await self.db.execute(stmt)).tuples().first()
        return None if row is None else (row[0], row[1], row[2])

    async def callbacks(
        self, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> Sequence[tuple[Callback, str, str]]:
        """Newest first, with the distributor's name and the order's number."""
        stmt = self._with_names()
        if status is not None:
            stmt = stmt.where(Callback.status == status)
        stmt = stmt.order_by(Callback.created_at.desc(), Callback.id.desc())
        rows = await self.db.execute(stmt.limit(limit).offset(offset))
        return [(cb, name, number) for cb, name, number in rows.tuples()]

    async def count(self, *, status: str | None = None) -> int:
        stmt = select(func.count()).where(Callback.tenant_id == self.tenant_id)
        if status is not None:
            stmt = stmt.where(Callback.status == status)
        return int((await self.db.execute(stmt)).scalar_one())

    async def attempts(self, callback_id: uuid.UUID) -> Sequence[CallbackAttempt]:
        stmt = self.scoped(CallbackAttempt).where(CallbackAttempt.callback_id == callback_id)
        stmt = stmt.order_by(CallbackAttempt.attempted_at, CallbackAttempt.id)
        return (await self.db.execute(stmt)).scalars().all()

    async def flush(self) -> None:
        await self.db.flush()
