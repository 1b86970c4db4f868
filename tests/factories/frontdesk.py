"""Factories for the front desk: a guest checked in today, a charge on the bill, a room
move. Each takes the tenant as a required keyword and binds it itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId, bind_tenant
from modules.frontdesk import domain, service
from modules.frontdesk.repository import FrontDeskRepository
from modules.frontdesk.repository.audit import AuditRepository
from modules.frontdesk.schemas import StayView
from modules.reservations import service as reservations
from modules.reservations.service import ReservationView
from tenants.models import Tenant
from tests.factories.reservations import Stock, make_reservation, make_stock

TZ = "Asia/Shanghai"


def hotel_today() -> Any:
    """The hotel's business date (Asia/Shanghai), which is what check-in compares with."""
    return domain.business_date(TZ)


async def arriving_today(
    db: AsyncSession,
    *,
    tenant: Tenant,
    stock: Stock | None = None,
    nights: int = 2,
    **overrides: Any,
) -> ReservationView:
    """A confirmed booking that arrives today (the stock starts today when made here)."""
    stock = stock or await make_stock(db, tenant=tenant, start=hotel_today())
    return await make_reservation(db, tenant=tenant, stock=stock, nights=nights, **overrides)


@dataclass
class Checked:
    stay: StayView
    reservation: ReservationView
    stock: Stock


async def make_stay(
    db: AsyncSession,
    *,
    tenant: Tenant,
    stock: Stock | None = None,
    nights: int = 2,
    unit_id: uuid.UUID | None = None,
    **overrides: Any,
) -> Checked:
    """A guest checked in today into a ready room of the booked type (the first
    suggestion unless `unit_id` says which)."""
    stock = stock or await make_stock(db, tenant=tenant, start=hotel_today())
    r = await arriving_today(db, tenant=tenant, stock=stock, nights=nights, **overrides)
    tid = TenantId(tenant.id)
    if unit_id is None:
        options = await service.check_in_options(db, tid, r.id, tz=TZ)
        unit_id = options.suggestions[0].unit.id
    stay = await service.check_in(db, tid, r.id, unit_id=unit_id, actor=service.SYSTEM, tz=TZ)
    return Checked(stay, await reservations.get_reservation(db, tid, r.id), stock)


async def _stay(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_stay(db, tenant=tenant)).stay.id


async def _folio_line(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    checked = await make_stay(db, tenant=tenant)
    line = await service.post_charge(
        db,
        TenantId(tenant.id),
        stay_id=checked.stay.id,
        description="迷你吧",
        amount_fen=3000,
        source="minibar",
    )
    return line.id


async def _room_move(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    checked = await make_stay(db, tenant=tenant)
    tid = TenantId(tenant.id)
    target = next(
        u
        for u in await reservations.list_units(db, tid)
        if u.unit_type_id == checked.stock.unit_type.id and u.id != checked.stay.unit_id
    )
    await service.move_room(
        db, tid, checked.stay.id, unit_id=target.id, reason="空调故障", actor=service.SYSTEM
    )
    await bind_tenant(db, tenant.id)
    moves = await FrontDeskRepository(db, tid).moves(checked.stay.id)
    return moves[0].id


async def _daily_figures(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """A closed business day (yesterday, audited by hand)."""
    tid = TenantId(tenant.id)
    await bind_tenant(db, tenant.id)
    day = hotel_today() - timedelta(days=1)
    await service.run_night_audit(db, tid, day, actor=service.SYSTEM, tz=TZ)
    row = await AuditRepository(db, tid).day(day)
    assert row is not None
    return row.id


TABLE_FACTORIES = {
    "stays": _stay,
    "folio_lines": _folio_line,
    "room_moves": _room_move,
    "frontdesk_daily_figures": _daily_figures,
}
