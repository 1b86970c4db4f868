"""Inventory, availability and booking: the ONLY entry point other modules call.

Payments calls `set_payment_state`; the front desk calls `list_day`, `mark_checked_in`,
`mark_checked_out`, `list_units`, `set_unit_status`; the booking page calls
`search_availability`, `create_hold`, `get_reservation`, `find_by_code`. Services flush,
never commit: the caller's transaction (a request, a job) commits.

Errors: `Invalid` (422, field errors), `SoldOut`/`NotBookable`/`WrongStatus`/`Busy`
(409), `NotFound` (404). After a 409 from a booking call nothing was sold, but a `Busy`
one (a deadlock the database broke) leaves the transaction unusable: let it roll back.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from modules.reservations.schemas import (
    Actor,
    Calendar,
    Cancellation,
    DayLists,
    GuestDetails,
    NightPrice,
    Offer,
    RatePlanView,
    ReservationView,
    UnitTypeView,
    UnitView,
    VoyageView,
)
from modules.reservations.service import booking as _booking
from modules.reservations.service import quoting as _quoting
from modules.reservations.service.booking import Stay
from modules.reservations.service.calendar import calendar, set_calendar
from modules.reservations.service.errors import Busy, NotBookable, SoldOut, WrongStatus
from modules.reservations.service.extension import Extension, extend_stay
from modules.reservations.service.idempotency import replay_or_claim, run_once, store_answer
from modules.reservations.service.inventory import (
    RatePlanInput,
    create_rate_plan,
    create_unit,
    create_unit_type,
    create_voyage,
    get_unit_type,
    list_rate_plans,
    list_unit_types,
    list_units,
    list_voyages,
    rate_plan_by_code,
    rate_plan_view,
    set_unit_status,
)
from modules.reservations.service.lifecycle import (
    cancel,
    cancellation_preview,
    confirm,
    expire_holds,
    get_reservation,
    mark_checked_in,
    mark_checked_out,
    mark_no_show,
    modify,
    set_payment_state,
)
from modules.reservations.service.reading import find_by_code, list_day, search_reservations
from modules.reservations.service.statistics import (
    DayCounts,
    Party,
    day_counts,
    missed_arrivals,
    parties,
)
from modules.reservations.service.views import china_today as today

__all__ = [
    "Actor",
    "Busy",
    "Calendar",
    "Cancellation",
    "DayCounts",
    "DayLists",
    "Extension",
    "GuestDetails",
    "NightPrice",
    "NotBookable",
    "Offer",
    "Party",
    "RatePlanInput",
    "RatePlanView",
    "ReservationView",
    "SoldOut",
    "Stay",
    "UnitTypeView",
    "UnitView",
    "VoyageView",
    "WrongStatus",
    "book",
    "calendar",
    "cancel",
    "cancellation_preview",
    "confirm",
    "create_hold",
    "create_rate_plan",
    "create_unit",
    "create_unit_type",
    "create_voyage",
    "day_counts",
    "expire_holds",
    "extend_stay",
    "find_by_code",
    "get_reservation",
    "get_unit_type",
    "list_day",
    "list_rate_plans",
    "list_unit_types",
    "list_units",
    "list_voyages",
    "mark_checked_in",
    "mark_checked_out",
    "mark_no_show",
    "missed_arrivals",
    "modify",
    "parties",
    "rate_plan_for",
    "replay_or_claim",
    "run_once",
    "search_availability",
    "search_reservations",
    "sell",
    "sell_once",
    "set_calendar",
    "set_payment_state",
    "set_unit_status",
    "store_answer",
    "today",
]


async def search_availability(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    arrival: date,
    departure: date,
    adults: int,
    children: int = 0,
    kind: str | None = None,
    voyage_id: uuid.UUID | None = None,
    rate_plan_code: str = "rack",
    quantity: int = 1,
) -> list[Offer]:
    """Every unit type that can be sold for these nights and this party (all nights
    free, restrictions met, the party fits), priced night by night under the rate plan.
    Cruise cabins are offered only for their voyage's exact dates."""
    if departure <= arrival:
        return []
    plan = await rate_plan_by_code(db, tenant_id, rate_plan_code)
    return await _quoting.offers(
        db,
        tenant_id,
        arrival=arrival,
        departure=departure,
        adults=adults,
        children=children,
        quantity=quantity,
        kind=kind,
        voyage_id=voyage_id,
        plan_row=plan,
    )


async def create_hold(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    unit_type_id: uuid.UUID,
    rate_plan_id: uuid.UUID,
    arrival: date,
    departure: date,
    adults: int,
    children: int = 0,
    guest: GuestDetails,
    source: str,
    hold_minutes: int = 20,
    quantity: int = 1,
) -> ReservationView:
    """Take the units for a guest who is paying online: the hold keeps them for
    `hold_minutes`, then `reservations.expire_holds` (or the next booking that finds the
    dates sold out) gives them back. Payment confirms it (`set_payment_state`)."""
    stay = Stay(
        unit_type_id,
        rate_plan_id,
        arrival,
        departure,
        adults,
        children,
        guest,
        source,
        quantity,
        hold_minutes=max(1, min(hold_minutes, 24 * 60)),
    )
    return await _booking.sell(db, tenant_id, stay)


async def book(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    unit_type_id: uuid.UUID,
    rate_plan_id: uuid.UUID,
    arrival: date,
    departure: date,
    adults: int,
    children: int = 0,
    guest: GuestDetails,
    source: str,
    quantity: int = 1,
) -> ReservationView:
    """A confirmed booking at once (front desk, phone, distributors): a hold and its
    confirmation in one locked statement."""
    stay = Stay(
        unit_type_id,
        rate_plan_id,
        arrival,
        departure,
        adults,
        children,
        guest,
        source,
        quantity,
    )
    return await _booking.sell(db, tenant_id, stay)


async def sell(db: AsyncSession, tenant_id: TenantId, stay: Stay) -> ReservationView:
    """`book` or `create_hold` (per `stay.hold_minutes`) from one `Stay`."""
    return await _booking.sell(db, tenant_id, stay)


async def rate_plan_for(db: AsyncSession, tenant_id: TenantId, code: str) -> RatePlanView:
    """An active rate plan by its code (Invalid when unknown)."""
    return rate_plan_view(await rate_plan_by_code(db, tenant_id, code))


async def sell_once(
    db: AsyncSession,
    tenant_id: TenantId,
    stay: Stay,
    *,
    key: str | None,
    method: str,
    path: str,
    payload: object,
    status_code: int = 201,
) -> tuple[int, object]:
    """`book`/`create_hold` (per `stay.hold_minutes`) for the JSON API under an
    Idempotency-Key: returns (status, JSON body), replaying the first answer for a key
    already used with the same request (409 for a different one)."""
    return await _booking.sell_once(
        db,
        tenant_id,
        stay,
        key=key,
        method=method,
        path=path,
        payload=payload,
        status_code=status_code,
    )
