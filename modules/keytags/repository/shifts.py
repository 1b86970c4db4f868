"""SQL of cashier and outlet shifts."""

from __future__ import annotations

import uuid
from datetime import datetime

from modules.keytags.models import Shift
from tenants.repository import TenantScopedRepository


class ShiftRepository(TenantScopedRepository):
    async def open_shift(self, user_id: uuid.UUID) -> Shift | None:
        stmt = self.scoped(Shift).where(Shift.user_id == user_id, Shift.closed_at.is_(None))
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def start(
        self, user_id: uuid.UUID, *, at: datetime, outlet_id: uuid.UUID | None, float_fen: int
    ) -> Shift:
        shift = Shift(
            user_id=user_id, outlet_id=outlet_id, opened_at=at, opening_float_fen=float_fen
        )
        self.add(shift)
        await self.db.flush()
        return shift
