"""Factories for the reservations module: a unit type with inventory, a rate plan, a
reservation. Each takes the tenant as a required keyword and binds it itself."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.reservations import service
from modules.reservations.models import IdempotencyKey
from modules.reservations.schemas import (
    GuestDetails,
    RatePlanView,
    ReservationView,
    UnitTypeView,
    VoyageView,
)
from tenants.models import Tenant

_seq = itertools.count(1)
# A valid resident ID (渝中区, born 1990-03-07; check digit by GB 11643).
RESIDENT_ID = "500103199003071239"
GUEST = GuestDetails(name="张伟", phone="13800138000", id_type="resident_id", id_number="")


def future(days: int = 30) -> date:
    return clock.today() + timedelta(days=days)


@dataclass
class Stock:
    """A sellable unit type with its inventory and the rack plan."""

    tenant_id: TenantId
    unit_type: UnitTypeView
    plan: RatePlanView
    start: date
    days: int


async def make_rate_plan(
    db: AsyncSession, *, tenant: Tenant, code: str | None = None, **overrides: Any
) -> RatePlanView:
    await bind_tenant(db, tenant.id)
    data = service.RatePlanInput(
        code=code or f"plan{next(_seq)}", name=overrides.pop("name", "门市价"), **overrides
    )
    return await service.create_rate_plan(db, TenantId(tenant.id), data)


async def make_unit_type(
    db: AsyncSession, *, tenant: Tenant, units: int = 3, **overrides: Any
) -> UnitTypeView:
    """A type with `units` rooms numbered 1201, 1202, … (cabins A-201, … on a voyage)."""
    await bind_tenant(db, tenant.id)
    tid = TenantId(tenant.id)
    n = next(_seq)
    ut = await service.create_unit_type(
        db,
        tid,
        code=overrides.pop("code", f"T{n}"),
        name=overrides.pop("name", "高级大床房"),
        kind=overrides.pop("kind", "room"),
        capacity=overrides.pop("capacity", 2),
        base_price_fen=overrides.pop("base_price_fen", 68800),
        **overrides,
    )
    for i in range(units):
        number = f"A-{n}{i:02d}" if ut.voyage_id else f"{n}{i + 1:02d}"
        await service.create_unit(db, tid, unit_type_id=ut.id, number=number, floor=n)
    return await service.get_unit_type(db, tid, ut.id)


async def make_stock(
    db: AsyncSession,
    *,
    tenant: Tenant,
    units: int = 3,
    start: date | None = None,
    days: int = 14,
    plan: RatePlanView | None = None,
    **type_overrides: Any,
) -> Stock:
    """A unit type on sale for `days` dates from `start` with `units` per date."""
    start = start or future()
    ut = await make_unit_type(db, tenant=tenant, units=units, **type_overrides)
    tid = TenantId(tenant.id)
    await service.set_calendar(
        db, tid, unit_type_id=ut.id, start=start, end=start + timedelta(days=days - 1)
    )
    plan = plan or await make_rate_plan(db, tenant=tenant, code=f"rack{next(_seq)}")
    return Stock(tid, ut, plan, start, days)


async def make_voyage(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> VoyageView:
    await bind_tenant(db, tenant.id)
    depart = overrides.pop("depart_on", future(40))
    return await service.create_voyage(
        db,
        TenantId(tenant.id),
        code=overrides.pop("code", f"V{next(_seq)}"),
        ship=overrides.pop("ship", "世纪神话"),
        route=overrides.pop("route", "重庆→宜昌"),
        depart_on=depart,
        arrive_on=overrides.pop("arrive_on", depart + timedelta(days=3)),
        **overrides,
    )


async def make_reservation(
    db: AsyncSession,
    *,
    tenant: Tenant,
    stock: Stock | None = None,
    nights: int = 2,
    offset: int = 0,
    hold: bool = False,
    guest: GuestDetails = GUEST,
    **overrides: Any,
) -> ReservationView:
    stock = stock or await make_stock(db, tenant=tenant)
    await bind_tenant(db, tenant.id)
    arrival = stock.start + timedelta(days=offset)
    kwargs: dict[str, Any] = {
        "unit_type_id": stock.unit_type.id,
        "rate_plan_id": stock.plan.id,
        "arrival": arrival,
        "departure": arrival + timedelta(days=nights),
        "adults": 2,
        "children": 0,
        "guest": guest,
        "source": "front_desk",
        **overrides,
    }
    if hold:
        return await service.create_hold(db, stock.tenant_id, **kwargs)
    return await service.book(db, stock.tenant_id, **kwargs)


# The route-isolation walker: one row of each table for a tenant -------------------------


async def _voyage(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_voyage(db, tenant=tenant)).id


async def _unit_type(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_unit_type(db, tenant=tenant, units=0)).id


async def _unit(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    ut = await make_unit_type(db, tenant=tenant, units=1)
    return (await service.list_units(db, TenantId(tenant.id), unit_type_id=ut.id))[0].id


async def _inventory_day(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    from modules.reservations.repository import SetupRepository

    stock = await make_stock(db, tenant=tenant, days=1)
    rows = await SetupRepository(db, stock.tenant_id).calendar(
        stock.start, stock.start + timedelta(days=1)
    )
    return rows[0].id


async def _rate_plan(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_rate_plan(db, tenant=tenant)).id


async def _reservation(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_reservation(db, tenant=tenant)).id


async def _reservation_night(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    from modules.reservations.models import ReservationNight
    from tenants.repository import TenantScopedRepository

    r = await make_reservation(db, tenant=tenant, nights=1)
    repo = TenantScopedRepository(db, TenantId(tenant.id))
    night = (
        await db.execute(
            repo.scoped(ReservationNight).where(ReservationNight.reservation_id == r.id)
        )
    ).scalar_one()
    return night.id


async def _idempotency_key(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    await bind_tenant(db, tenant.id)
    row = IdempotencyKey(
        tenant_id=TenantId(tenant.id),
        key=f"k-{uuid.uuid4()}",
        method="POST",
        path="/api/v1/reservations",
        request_hash="0" * 64,
        status_code=201,
        response={},
    )
    db.add(row)
    await db.flush()
    return row.id


TABLE_FACTORIES = {
    "voyages": _voyage,
    "unit_types": _unit_type,
    "units": _unit,
    "inventory_days": _inventory_day,
    "rate_plans": _rate_plan,
    "reservations": _reservation,
    "reservation_nights": _reservation_night,
    "idempotency_keys": _idempotency_key,
}
