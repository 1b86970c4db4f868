"""Factories for the guestservices module: a menu item, a service request, an order charged
to a stay, a rating, a complaint. Each takes the tenant as a required keyword."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId, bind_tenant
from modules.guestservices import service
from modules.guestservices.repository import GuestServicesRepository
from modules.guestservices.schemas import (
    ComplaintForm,
    MenuItemForm,
    OrderView,
    RatingForm,
    RequestForm,
    RequestView,
)
from tenants.models import Tenant
from tests.factories.frontdesk import make_stay


async def make_menu_item(
    db: AsyncSession, *, tenant: Tenant, **overrides: Any
) -> service.MenuItemView:
    values = {
        "menu": "room_service",
        "category": "面食",
        "name": "重庆小面",
        "description": "麻辣鲜香",
        "price": "28.00",
        "available": "1",
        "sort_order": "10",
        **overrides,
    }
    await bind_tenant(db, tenant.id)
    return await service.save_menu_item(db, TenantId(tenant.id), MenuItemForm(**values))


async def make_request(
    db: AsyncSession,
    *,
    tenant: Tenant,
    stay_id: uuid.UUID | None = None,
    kind: str = "housekeeping",
    **form: Any,
) -> RequestView:
    if stay_id is None:
        stay_id = (await make_stay(db, tenant=tenant)).stay.id
    await bind_tenant(db, tenant.id)
    return await service.request_service(
        db, TenantId(tenant.id), stay_id=stay_id, form=RequestForm(kind=kind, **form)
    )


async def make_order(
    db: AsyncSession,
    *,
    tenant: Tenant,
    stay_id: uuid.UUID | None = None,
    quantities: dict[str, str] | None = None,
) -> OrderView:
    if stay_id is None:
        stay_id = (await make_stay(db, tenant=tenant)).stay.id
    if quantities is None:
        item = await make_menu_item(db, tenant=tenant)
        quantities = {str(item.id): "2"}
    await bind_tenant(db, tenant.id)
    return await service.place_order(
        db, TenantId(tenant.id), stay_id=stay_id, quantities=quantities
    )


async def make_complaint(
    db: AsyncSession, *, tenant: Tenant, stay_id: uuid.UUID | None = None, **form: Any
) -> service.ComplaintView:
    if stay_id is None:
        stay_id = (await make_stay(db, tenant=tenant)).stay.id
    values = {"category": "noise", "body": "隔壁很吵", "contact_phone": "", **form}
    await bind_tenant(db, tenant.id)
    return await service.file_complaint(
        db, TenantId(tenant.id), stay_id=stay_id, form=ComplaintForm(**values)
    )


async def _menu_item(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_menu_item(db, tenant=tenant)).id


async def _request(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_request(db, tenant=tenant)).id


async def _request_event(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    made = await make_request(db, tenant=tenant)
    await bind_tenant(db, tenant.id)
    rows = await GuestServicesRepository(db, TenantId(tenant.id)).events([made.id])
    return rows[0][0].id  # type: ignore[no-any-return]


async def _order(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_order(db, tenant=tenant)).id


async def _order_line(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    order = await make_order(db, tenant=tenant)
    await bind_tenant(db, tenant.id)
    lines = await GuestServicesRepository(db, TenantId(tenant.id)).order_lines([order.id])
    return lines[0].id


async def _rating(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    stay_id = (await make_stay(db, tenant=tenant)).stay.id
    tid = TenantId(tenant.id)
    await bind_tenant(db, tenant.id)
    await service.rate(db, tid, stay_id=stay_id, form=RatingForm(score="5", comment="很好"))
    ratings = await GuestServicesRepository(db, tid).ratings_of_stay(stay_id)
    return ratings[0].id


async def _complaint(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_complaint(db, tenant=tenant)).id


TABLE_FACTORIES = {
    "menu_items": _menu_item,
    "service_requests": _request,
    "service_request_events": _request_event,
    "room_orders": _order,
    "room_order_lines": _order_line,
    "ratings": _rating,
    "complaints": _complaint,
}
