"""Setting up what can be sold: voyages, unit types, units, rate plans and the calendar
(availability, price, closed-to-arrival, minimum stay), edited in bulk over date ranges."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.reservations import domain
from modules.reservations.models import RatePlan, Unit, UnitType, Voyage
from modules.reservations.repository import SetupRepository
from modules.reservations.schemas import (
    KINDS,
    UNIT_FEATURES,
    UNIT_STATUSES,
    RatePlanView,
    UnitTypeView,
    UnitView,
    VoyageView,
)
from modules.reservations.service.views import now_utc, terms, unit_view

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
PLAN_KINDS = ("rack", "member", "corporate", "distributor_net")
FEE_KINDS = ("none", "first_night", "percent", "full")


def field_error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def _code_and_name(code: str, name: str) -> list[dict[str, str]]:
    errors = []
    if not CODE.match(code.strip()):
        errors.append(field_error("code", "Use letters, digits, - or _ (at most 40)."))
    if not name.strip():
        errors.append(field_error("name", "Enter a name.", "required"))
    elif len(name.strip()) > 100:
        errors.append(field_error("name", "Use at most 100 characters.", "too_long"))
    return errors


def voyage_view(v: Voyage) -> VoyageView:
    return VoyageView(
        v.id,
        v.code,
        v.ship,
        v.route,
        v.direction,
        v.depart_on,
        v.arrive_on,
        v.embark_port,
        v.disembark_port,
        v.status,
    )


def unit_type_view(ut: UnitType, units: int = 0, voyage_code: str | None = None) -> UnitTypeView:
    return UnitTypeView(
        id=ut.id,
        code=ut.code,
        name=ut.name,
        kind=ut.kind,
        capacity=ut.capacity,
        base_price_fen=ut.base_price_fen,
        description=ut.description,
        active=ut.active,
        voyage_id=ut.voyage_id,
        voyage_code=voyage_code,
        units=units,
    )


def rate_plan_view(p: RatePlan) -> RatePlanView:
    return RatePlanView(
        id=p.id,
        code=p.code,
        name=p.name,
        kind=p.kind,
        discount_bp=p.discount_bp,
        net_price_fen=p.net_price_fen,
        free_cancel_hours=p.free_cancel_hours,
        cancel_fee_kind=p.cancel_fee_kind,
        cancel_fee_bp=p.cancel_fee_bp,
        deposit_kind=p.deposit_kind,
        deposit_bp=p.deposit_bp,
        active=p.active,
        cancellation_policy=domain.describe_cancellation(terms(p)),
    )


# Voyages --------------------------------------------------------------------------------


async def create_voyage(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    code: str,
    ship: str,
    route: str,
    depart_on: date,
    arrive_on: date,
    direction: str = "downstream",
    embark_port: str = "",
    disembark_port: str = "",
) -> VoyageView:
    repo = SetupRepository(db, tenant_id)
    errors = _code_and_name(code, ship)
    errors = [dict(e, field="ship") if e["field"] == "name" else e for e in errors]
    if arrive_on <= depart_on:
        errors.append(field_error("arrive_on", "The voyage must end after it starts."))
    if direction not in ("downstream", "upstream"):
        errors.append(field_error("direction", "Choose downstream or upstream."))
    if not errors and await repo.voyage_by_code(code.strip()):
        errors.append(field_error("code", "This code is already used.", "taken"))
    if errors:
        raise Invalid(errors=errors)
    voyage = Voyage(
        code=code.strip(),
        ship=ship.strip(),
        route=route.strip(),
        direction=direction,
        depart_on=depart_on,
        arrive_on=arrive_on,
        embark_port=embark_port.strip(),
        disembark_port=disembark_port.strip(),
    )
    repo.add(voyage)
    await repo.flush()
    return voyage_view(voyage)


async def list_voyages(
    db: AsyncSession, tenant_id: TenantId, *, upcoming_from: date | None = None
) -> list[VoyageView]:
    repo = SetupRepository(db, tenant_id)
    return [voyage_view(v) for v in await repo.voyages(upcoming_from=upcoming_from)]


# Unit types -----------------------------------------------------------------------------


async def create_unit_type(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    code: str,
    name: str,
    kind: str = "room",
    capacity: int = 2,
    base_price_fen: int = 0,
    description: str = "",
    voyage_id: uuid.UUID | None = None,
    sort_order: int = 0,
) -> UnitTypeView:
    repo = SetupRepository(db, tenant_id)
    errors = _code_and_name(code, name)
    if kind not in KINDS:
        errors.append(field_error("kind", "Choose a kind."))
    if not 1 <= capacity <= 50:
        errors.append(field_error("capacity", "Between 1 and 50 guests."))
    if base_price_fen < 0:
        errors.append(field_error("base_price", "The price cannot be negative."))
    if voyage_id is not None and await repo.voyage(voyage_id) is None:
        errors.append(field_error("voyage_id", "Choose a voyage."))
    if not errors and await repo.unit_type_by_code(code.strip()):
        errors.append(field_error("code", "This code is already used.", "taken"))
    if errors:
        raise Invalid(errors=errors)
    ut = UnitType(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        capacity=capacity,
        base_price_fen=base_price_fen,
        description=description.strip(),
        voyage_id=voyage_id,
        sort_order=sort_order,
    )
    repo.add(ut)
    await repo.flush()
    return unit_type_view(ut)


async def list_unit_types(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    kind: str | None = None,
    voyage_id: uuid.UUID | None = None,
) -> list[UnitTypeView]:
    repo = SetupRepository(db, tenant_id)
    counts = await repo.unit_counts()
    voyages = {v.id: v.code for v in await repo.voyages()}
    return [
        unit_type_view(
            ut, counts.get(ut.id, 0), voyages.get(ut.voyage_id) if ut.voyage_id else None
        )
        for ut in await repo.unit_types(kind=kind, voyage_id=voyage_id)
    ]


async def get_unit_type(
    db: AsyncSession, tenant_id: TenantId, unit_type_id: uuid.UUID
) -> UnitTypeView:
    ut = await SetupRepository(db, tenant_id).unit_type(unit_type_id)
    if ut is None:
        raise NotFound()
    return unit_type_view(ut)


async def rename_unit_type(
    db: AsyncSession,
    tenant_id: TenantId,
    unit_type_id: uuid.UUID,
    *,
    name: str,
    description: str | None = None,
    sort_order: int | None = None,
) -> UnitTypeView:
    """A unit type's name (and, given, its description and place in lists) as another module
    renames what it sells through it (a hot spring's ticket type); its code and kind stay."""
    repo = SetupRepository(db, tenant_id)
    ut = await repo.unit_type(unit_type_id)
    if ut is None:
        raise NotFound()
    errors = _code_and_name(ut.code, name)
    if errors:
        raise Invalid(errors=errors)
    ut.name = name.strip()
    if description is not None:
        ut.description = description.strip()
    if sort_order is not None:
        ut.sort_order = sort_order
    await repo.flush()
    return unit_type_view(ut)


# Units ----------------------------------------------------------------------------------


async def create_unit(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    unit_type_id: uuid.UUID,
    number: str,
    floor: int | None = None,
    features: tuple[str, ...] = (),
) -> UnitView:
    """A physical room or cabin; the floor defaults to the number's leading digits
    (1203 is on floor 12)."""
    repo = SetupRepository(db, tenant_id)
    ut = await repo.unit_type(unit_type_id)
    errors = []
    if ut is None:
        errors.append(field_error("unit_type_id", "Choose a unit type."))
    number = number.strip().upper()
    if not re.match(r"^[A-Z0-9][A-Z0-9\-]{0,19}$", number):
        errors.append(field_error("number", "Use letters, digits and - (at most 20)."))
    if any(f not in UNIT_FEATURES for f in features):
        errors.append(field_error("features", "Choose features from the list."))
    if ut is not None and not errors and await repo.unit_by_number(number, ut.voyage_id):
        errors.append(field_error("number", "This number is already used.", "taken"))
    if errors or ut is None:
        raise Invalid(errors=errors)
    unit = Unit(
        unit_type_id=ut.id,
        voyage_id=ut.voyage_id,
        number=number,
        floor=floor if floor is not None else _floor(number),
        features=list(features),
    )
    repo.add(unit)
    await repo.flush()
    return await _unit(repo, unit.id)


def _floor(number: str) -> int:
    digits = re.sub(r"\D", "", number)
    return int(digits[:-2]) if len(digits) > 2 else 1


async def _unit(repo: SetupRepository, unit_id: uuid.UUID) -> UnitView:
    row = await repo.unit_row(unit_id)
    if row is None:
        raise NotFound()
    return unit_view(row)


async def list_units(
    db: AsyncSession, tenant_id: TenantId, *, unit_type_id: uuid.UUID | None = None
) -> list[UnitView]:
    """Rooms and cabins with their housekeeping status, by floor and number."""
    rows = await SetupRepository(db, tenant_id).units(unit_type_id=unit_type_id)
    return [unit_view(r) for r in rows]


async def set_unit_status(
    db: AsyncSession, tenant_id: TenantId, unit_id: uuid.UUID, status: str
) -> UnitView:
    """Housekeeping: clean, dirty, inspected or out of order."""
    if status not in UNIT_STATUSES:
        raise Invalid.field("status", "Unknown room status.")
    repo = SetupRepository(db, tenant_id)
    await _unit(repo, unit_id)
    await repo.set_unit_status(unit_id, status, now_utc())
    return await _unit(repo, unit_id)


# Rate plans -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RatePlanInput:
    code: str
    name: str
    kind: str = "rack"
    discount_bp: int = 0
    net_price_fen: int | None = None
    free_cancel_hours: int = 24
    cancel_fee_kind: str = "first_night"
    cancel_fee_bp: int = 0
    deposit_kind: str = "none"
    deposit_bp: int = 0


def _plan_errors(data: RatePlanInput) -> list[dict[str, str]]:
    errors = _code_and_name(data.code, data.name)
    if data.kind not in PLAN_KINDS:
        errors.append(field_error("kind", "Choose a kind."))
    if data.kind == "distributor_net" and data.net_price_fen is None:
        errors.append(field_error("net_price", "A distributor rate needs a net price.", "required"))
    for field in ("discount_bp", "cancel_fee_bp", "deposit_bp"):
        if not 0 <= getattr(data, field) <= 10000:
            errors.append(field_error(field, "Between 0% and 100%."))
    if data.cancel_fee_kind not in FEE_KINDS:
        errors.append(field_error("cancel_fee_kind", "Choose a cancellation fee."))
    if data.deposit_kind not in FEE_KINDS:
        errors.append(field_error("deposit_kind", "Choose a deposit."))
    if not 0 <= data.free_cancel_hours <= 8760:
        errors.append(field_error("free_cancel_hours", "Between 0 and 8760 hours."))
    return errors


async def create_rate_plan(
    db: AsyncSession, tenant_id: TenantId, data: RatePlanInput
) -> RatePlanView:
    repo = SetupRepository(db, tenant_id)
    errors = _plan_errors(data)
    if not errors and await repo.rate_plan_by_code(data.code.strip()):
        errors.append(field_error("code", "This code is already used.", "taken"))
    if errors:
        raise Invalid(errors=errors)
    values: dict[str, Any] = {f: getattr(data, f) for f in RatePlanInput.__dataclass_fields__}
    values.update(code=data.code.strip(), name=data.name.strip())
    if data.kind != "distributor_net":
        values["net_price_fen"] = None
    plan = RatePlan(**values)
    repo.add(plan)
    await repo.flush()
    return rate_plan_view(plan)


async def list_rate_plans(db: AsyncSession, tenant_id: TenantId) -> list[RatePlanView]:
    return [rate_plan_view(p) for p in await SetupRepository(db, tenant_id).rate_plans()]


async def rate_plan_by_code(db: AsyncSession, tenant_id: TenantId, code: str) -> RatePlan:
    plan = await SetupRepository(db, tenant_id).rate_plan_by_code(code)
    if plan is None or not plan.active:
        raise Invalid.field("rate_plan", "Unknown rate plan.", "unknown")
    return plan
