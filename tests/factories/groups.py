"""Factories for the groups module. Each takes the tenant as a required keyword and binds
it itself."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.filings import service as filings
from modules.groups import service
from modules.groups.models import GroupContract, GroupFiling, TourGroup
from modules.groups.repository import GroupRepository
from modules.groups.schemas import DayInput, GroupInput, VehicleInput
from tenants.models import Tenant
from tests.factories.contracts import complete_input, make_draft, sign_contract

COACH = VehicleInput(
    plate_no="渝A12345", seats=45, driver_name="王师傅", driver_phone="13912345678"
)
PLACES = (["洪崖洞", "解放碑"], ["武隆天生三桥", "龙水峡地缝"], ["大足石刻宝顶山"])
HOTELS = ("重庆解放碑酒店", "武隆仙女山酒店", "")


def departure(days_ahead: int = 20) -> date:
    """A departure day counted from the agency's date (Chongqing), as the pages count it."""
    return clock.today() + timedelta(days=days_ahead)


def group_input(start: date | None = None, nights: int = 2, **overrides: Any) -> GroupInput:
    """A three-day 重庆—武隆—大足 tour with every day planned and one coach."""
    start = start or departure()
    end = start + timedelta(days=nights)
    days = [
        DayInput(start + timedelta(days=i), list(PLACES[i % 3]), HOTELS[i % 3])
        for i in range(nights + 1)
    ]
    values: dict[str, Any] = {
        "route_name": "重庆—武隆—大足三日游",
        "start_date": start,
        "end_date": end,
        "days": days,
        "vehicles": [COACH],
    }
    values.update(overrides)
    return GroupInput(**values)


async def make_group(
    db: AsyncSession, *, tenant: Tenant, data: GroupInput | None = None, **overrides: Any
) -> TourGroup:
    await bind_tenant(db, tenant.id)
    group = await service.create_group(
        db,
        TenantId(tenant.id),
        data or group_input(**overrides),
        actor=service.Actor(),
        number_prefix="TS",
    )
    await db.flush()  # its audit event, while this tenant is bound
    return group


async def contract_row(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """Any contract row of the tenant: a draft will do where only the reference counts
    (and costs no signing)."""
    return await make_draft(db, tenant=tenant)


async def signed_contract(
    db: AsyncSession, *, tenant: Tenant, start: date | None = None, **overrides: Any
) -> tuple[uuid.UUID, str]:
    """A binding three-day contract (two tourists) starting on `start`; id and e-number."""
    draft = await make_draft(
        db, tenant=tenant, data=complete_input(start or departure(), **overrides)
    )
    return await sign_contract(db, tenant=tenant, contract_id=draft)


async def _group(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_group(db, tenant=tenant)).id


async def _day(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    group = await make_group(db, tenant=tenant)
    return (await GroupRepository(db, TenantId(tenant.id)).days(group.id))[0].id


async def _vehicle(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    group = await make_group(db, tenant=tenant)
    return (await GroupRepository(db, TenantId(tenant.id)).vehicles(group.id))[0].id


async def _contract(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    contract_id = await contract_row(db, tenant)
    group = await make_group(db, tenant=tenant)
    row = GroupContract(
        group_id=group.id,
        contract_id=contract_id,
        e_number="TEST-E-NUMBER",
        tourist_count=2,
        active=True,
    )
    await GroupRepository(db, TenantId(tenant.id)).replace_contracts(group.id, [row])
    return row.id


async def _filing(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    group = await make_group(db, tenant=tenant)
    payload = {"group_no": group.group_no, "licence_no": "D-5000-123456"}
    payload |= {"from_date": group.start_date.isoformat(), "to_date": group.end_date.isoformat()}
    filing_id = await filings.file(
        db, TenantId(tenant.id), "guide_assignment", "tour_group", group.id, payload
    )
    row = GroupFiling(group_id=group.id, filing_id=filing_id, kind="guide_assignment")
    await GroupRepository(db, TenantId(tenant.id)).add_filing(row)
    return row.id


TABLE_FACTORIES: dict[str, Any] = {
    "tour_groups": _group,
    "group_days": _day,
    "group_vehicles": _vehicle,
    "group_contracts": _contract,
    "group_filings": _filing,
}
