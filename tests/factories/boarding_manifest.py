"""A voyage with cabins (units of the sold voyage) and passengers in them, for the manifest's
tests: `make_manifest_voyage` gives the voyage, its cabins by number and its passengers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId, bind_tenant
from app.identifiers import id_check_char
from modules.boarding.models import BoardingVoyage, Passenger
from modules.reservations import service as reservations
from modules.reservations.service import UnitView
from tenants.models import Tenant
from tests.factories.boarding import make_boarding_voyage, make_passenger

_seq = itertools.count(1)


def resident_id(born: date, region: str = "500103") -> str:
    """A synthetic resident ID with a valid GB 11643 check digit, unique per call."""
    first17 = f"{region}{born:%Y%m%d}{next(_seq) % 1000:03d}"
    return first17 + id_check_char(first17)


@dataclass
class ManifestVoyage:
    voyage: BoardingVoyage
    cabins: dict[str, UnitView]
    passengers: list[Passenger]


# (cabin, name, sex, born, child, phone)
PEOPLE = (
    ("A201", "张伟", "M", date(1980, 3, 7), False, "13800138001"),
    ("A201", "李娜", "F", date(1982, 6, 1), False, "13800138002"),
    ("A203", "王芳", "F", date(1975, 11, 20), False, "13800138003"),
    ("A203", "王小明", "M", date(2018, 5, 9), True, ""),
    ("B301", "刘洋", "M", date(1990, 1, 15), False, "13800138005"),
)


async def make_manifest_voyage(
    db: AsyncSession, *, tenant: Tenant, people: tuple[Any, ...] = PEOPLE, **overrides: Any
) -> ManifestVoyage:
    """A voyage with cabins A201, A203 (two berths each), B301 and A205 (empty) and five
    passengers; one booking per cabin, the first passenger of each the lead."""
    voyage = await make_boarding_voyage(db, tenant=tenant, **overrides)
    await bind_tenant(db, tenant.id)
    tid = TenantId(tenant.id)
    grade = await reservations.create_unit_type(
        db,
        tid,
        code=f"BAL{next(_seq)}",
        name="标准阳台房",
        kind="cabin",
        capacity=2,
        voyage_id=voyage.id,
    )
    cabins = {}
    for number in ("A201", "A203", "A205", "B301"):
        cabins[number] = await reservations.create_unit(
            db, tid, unit_type_id=grade.id, number=number
        )
    passengers: list[Passenger] = []
    leads: dict[str, Passenger] = {}
    for cabin, name, sex, born, child, phone in people:
        lead = leads.get(cabin)
        extra: dict[str, Any] = {"reservation_id": lead.reservation_id} if lead else {}
        p = await make_passenger(
            db,
            tenant=tenant,
            voyage=voyage,
            unit_id=cabins[cabin].id,
            cabin_number=cabin,
            name=name,
            sex=sex,
            birth_date=born,
            is_child=child,
            is_lead=lead is None,
            phone=phone,
            id_number=resident_id(born),
            **extra,
        )
        leads.setdefault(cabin, p)
        passengers.append(p)
    return ManifestVoyage(voyage, cabins, passengers)
