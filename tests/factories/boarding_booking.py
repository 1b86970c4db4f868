"""A voyage on sale for the booking tests: the boarding voyage (with its port calls), cabin
grades as unit types of the voyage with their cabins and the calendar of its nights, and the
public rack rate. Passengers with valid resident IDs for a cabin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid
from app.identifiers import id_check_char
from modules.boarding.models import BoardingVoyage
from modules.boarding.service import PassengerInput
from modules.reservations import service as reservations
from modules.reservations.schemas import UnitTypeView
from tenants.models import Tenant
from tests.factories.boarding import make_boarding_voyage
from tests.factories.reservations import make_rate_plan, make_unit_type


@dataclass
class OnSale:
    tenant_id: TenantId
    voyage: BoardingVoyage
    depart_on: date
    arrive_on: date
    grades: list[UnitTypeView]

    @property
    def grade(self) -> UnitTypeView:
        return self.grades[0]


def resident_id(born: date, *, region: str = "500103", seq: str = "123") -> str:
    """A valid resident ID number (GB 11643) for this birthday; an odd `seq` is a man's."""
    first17 = f"{region}{born:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


def person(
    name: str, born: date, *, seq: str = "123", phone: str = "", **kw: Any
) -> PassengerInput:
    return PassengerInput(name=name, id_number=resident_id(born, seq=seq), phone=phone, **kw)


def couple() -> list[PassengerInput]:
    return [
        person("张伟", date(1980, 3, 7), seq="123", phone="13800138000"),
        person("李娜", date(1982, 5, 9), seq="124"),
    ]


async def make_voyage_on_sale(
    db: AsyncSession,
    *,
    tenant: Tenant,
    cabins: int = 3,
    capacity: int = 2,
    grades: int = 1,
    price_fen: int = 158000,
    deposit_bp: int = 0,
    days_ahead: int = 40,
    **voyage_overrides: Any,
) -> OnSale:
    """A voyage with `grades` cabin grades of `cabins` cabins each, on sale at `price_fen` a
    night under the tenant's "rack" plan."""
    voyage = await make_boarding_voyage(
        db, tenant=tenant, days_ahead=days_ahead, **voyage_overrides
    )
    tid = TenantId(tenant.id)
    await bind_tenant(db, tenant.id)
    sold = next(v for v in await reservations.list_voyages(db, tid) if v.id == voyage.id)
    try:
        await reservations.rate_plan_for(db, tid, "rack")
    except Invalid:  # no public rate yet
        await make_rate_plan(
            db,
            tenant=tenant,
            code="rack",
            name="官网价",
            deposit_kind="percent" if deposit_bp else "none",
            deposit_bp=deposit_bp,
        )
    made = []
    for g in range(grades):
        ut = await make_unit_type(
            db,
            tenant=tenant,
            units=cabins,
            name=["标准阳台房", "行政套房", "总统套房"][g % 3],
            kind="cabin",
            capacity=capacity,
            base_price_fen=price_fen,
            voyage_id=voyage.id,
        )
        await reservations.set_calendar(
            db,
            tid,
            unit_type_id=ut.id,
            start=sold.depart_on,
            end=sold.arrive_on - timedelta(days=1),
            price_fen=price_fen + g * 100000,
        )
        made.append(ut)
    return OnSale(tid, voyage, sold.depart_on, sold.arrive_on, made)
