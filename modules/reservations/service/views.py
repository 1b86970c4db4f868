"""Rows to the views other modules see, and rate plans to the terms the rules use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app import clock
from modules.reservations.domain import PlanTerms, mask_id
from modules.reservations.models import RatePlan
from modules.reservations.schemas import NightPrice, ReservationView, UnitView


def now_utc() -> datetime:
    return clock.now()


def china_today(now: datetime | None = None, tz: str | None = None) -> date:
    """The business date where the hotel is (Chongqing unless `tz` says otherwise), not
    the server's."""
    return clock.local_date(now or now_utc(), tz)


def terms(plan: RatePlan | Any) -> PlanTerms:
    """A rate plan (model or row with the same fields) as the booking rules see it."""
    return PlanTerms(
        kind=plan.kind,
        discount_bp=plan.discount_bp,
        net_price_fen=plan.net_price_fen,
        free_cancel_hours=plan.free_cancel_hours,
        cancel_fee_kind=plan.cancel_fee_kind,
        cancel_fee_bp=plan.cancel_fee_bp,
        deposit_kind=plan.deposit_kind,
        deposit_bp=plan.deposit_bp,
    )


def reservation_view(row: Any, nights: list[tuple[date, int]] | None = None) -> ReservationView:
    """From a `BookingRepository` view row (the reservation and its type's, plan's and
    unit's labels)."""
    r = row.Reservation
    return ReservationView(
        id=r.id,
        code=r.code,
        status=r.status,
        unit_type_id=r.unit_type_id,
        unit_type_name=row.unit_type_name,
        rate_plan_id=r.rate_plan_id,
        arrival=r.arrival,
        departure=r.departure,
        nights=(r.departure - r.arrival).days,
        adults=r.adults,
        children=r.children,
        guest_name=r.guest_name,
        guest_phone=r.guest_phone,
        id_type=r.id_type,
        id_number_masked=mask_id(r.id_number),
        total_fen=r.total_fen,
        deposit_fen=r.deposit_fen,
        paid_fen=r.paid_fen,
        payment_state=r.payment_state,
        hold_expires_at=r.hold_expires_at,
        created_at=r.created_at,
        kind=row.kind,
        unit_type_code=row.unit_type_code,
        rate_plan_code=row.rate_plan_code,
        rate_plan_name=row.rate_plan_name,
        source=r.source,
        channel=r.channel,
        guest_email=r.guest_email,
        preferences=tuple(r.preferences or ()),
        notes=r.notes,
        cancellation_fee_fen=r.cancellation_fee_fen,
        unit_id=r.unit_id,
        unit_number=row.unit_number,
        voyage_id=row.voyage_id,
        quantity=r.quantity,
        night_prices=tuple(NightPrice(d, p) for d, p in nights or ()),
    )


def unit_view(row: Any) -> UnitView:
    u = row.Unit
    return UnitView(
        id=u.id,
        number=u.number,
        floor=u.floor,
        unit_type_id=u.unit_type_id,
        unit_type_code=row.unit_type_code,
        unit_type_name=row.unit_type_name,
        kind=row.kind,
        status=u.status,
        features=tuple(u.features or ()),
        voyage_id=u.voyage_id,
    )
