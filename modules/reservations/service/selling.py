"""Selling: what is available for a party, and holding or booking it."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from modules.reservations.schemas import GuestDetails, Offer, RatePlanView, ReservationView
from modules.reservations.service import booking as _booking
from modules.reservations.service import quoting as _quoting
from modules.reservations.service.booking import Stay
from modules.reservations.service.inventory import rate_plan_by_code, rate_plan_view

__all__ = ["book", "create_hold", "rate_plan_for", "search_availability", "sell", "sell_once"]


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
    channel: str = "",
) -> ReservationView:
    """A confirmed booking at once (front desk, phone, distributors): a hold and its
    confirmation in one locked statement. `channel`: the distributor it came through."""
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
        channel=channel,
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
