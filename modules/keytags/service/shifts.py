"""Cashier and outlet shifts: every tender at the desk belongs to the cashier's open shift."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from modules.keytags.models import Shift
from modules.keytags.repository.shifts import ShiftRepository


async def current_shift(
    db: AsyncSession,
    tenant_id: TenantId,
    user_id: uuid.UUID,
    *,
    outlet_id: uuid.UUID | None = None,
) -> Shift:
    """The person's open shift, opened now with no float when they have none, so money taken
    is never outside a shift (the cashier counts the float in when opening one on purpose)."""
    repo = ShiftRepository(db, tenant_id)
    shift = await repo.open_shift(user_id)
    if shift is None:
        shift = await repo.start(user_id, at=clock.now(), outlet_id=outlet_id, float_fen=0)
    return shift
