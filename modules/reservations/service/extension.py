"""Stay extension (续住): a guest in house stays more nights.

The added nights are sold exactly as a booking sells them: the reservation row is locked
first, then the type's inventory rows in date order (`BookingRepository.shift`), and every
added night must have a free unit under that lock or nothing changes and `SoldOut` is
raised. Two clerks extending two stays into the last free unit-night therefore cannot
both win, and the CHECK `sold <= total` stands behind it.

Unlike `modify`, the nights already sold are not re-priced: the guest keeps what was
agreed, and only the added nights take today's calendar price under the booking's rate
plan. Arrival restrictions (closed to arrival, minimum stay) do not apply: nobody arrives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Invalid
from modules.reservations import domain
from modules.reservations.domain import ReservationStatus
from modules.reservations.repository import InventoryShortage
from modules.reservations.repository.extension import ExtensionRepository
from modules.reservations.schemas import NightPrice, ReservationView
from modules.reservations.service.booking import lock_conflicts
from modules.reservations.service.errors import NotBookable, SoldOut, WrongStatus
from modules.reservations.service.lifecycle import _audit, _locked, get_reservation
from modules.reservations.service.views import now_utc

__all__ = ["Extension", "extend_stay"]


@dataclass(frozen=True, slots=True)
class Extension:
    """What an extension sold: the booking as it is now and the nights added (per unit,
    at the price sold), so the front desk can put exactly these on the bill."""

    reservation: ReservationView
    added: tuple[NightPrice, ...]
    added_fen: int  # all units, all added nights


def _check(r: Any, row: Any, new_departure: date) -> None:
    if r.status != ReservationStatus.CHECKED_IN:
        raise WrongStatus("Only a guest in house can extend the stay.")
    if row.voyage_id is not None:
        raise NotBookable("Cabins are sold for the whole voyage.", code="voyage")
    if new_departure <= r.departure:
        raise Invalid.field(
            "departure", "The new departure must be after the current departure.", "not_after"
        )
    if (new_departure - r.departure).days > domain.MAX_NIGHTS:
        raise Invalid.field("departure", "A booking can be at most 30 nights.", "too_long")


def _priced(rows: Any, start: date, end: date, quantity: int) -> list[tuple[date, int]]:
    """The added nights at the plan's price, or why they cannot be sold. The locked
    `shift` that follows is the final word on room; this only explains a refusal."""
    found = {row.day: row for row in rows if row.day is not None}
    days = domain.nights_between(start, end)
    if not rows or any(d not in found for d in days):
        raise NotBookable(domain.PROBLEM_MESSAGES["not_for_sale"], code="not_for_sale")
    if any(found[d].closed or found[d].total - found[d].sold < quantity for d in days):
        raise SoldOut()
    head = rows[0]
    plan = domain.PlanTerms(
        kind=head.plan_kind,
        discount_bp=head.discount_bp,
        net_price_fen=head.net_price_fen,
    )
    return domain.price_nights([(d, found[d].price_fen) for d in days], plan)


async def _take(repo: ExtensionRepository, r: Any, nights: list[tuple[date, int]]) -> None:
    """Take the nights under the inventory lock; holds already past their time may still
    count as sold, so they are swept once before giving up (as a booking does)."""
    changes = [(r.unit_type_id, d, r.quantity) for d, _ in nights]
    try:
        await repo.shift(changes)
    except InventoryShortage:
        if not await repo.expire_holds(now_utc(), r.unit_type_id):
            raise SoldOut() from None
        try:
            await repo.shift(changes)
        except InventoryShortage:
            raise SoldOut() from None


async def extend_stay(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    new_departure: date,
    *,
    actor: Actor | None = None,
) -> Extension:
    """Sell the nights from the current departure to `new_departure` to a guest in house
    and move the booking's departure and total; `SoldOut` (409) when any of those nights
    has no free unit of the booked type, `Invalid` (422) when the date is not later."""
    repo = ExtensionRepository(db, tenant_id)
    async with lock_conflicts():
        row = await _locked(repo, reservation_id)
        r = row.Reservation
        _check(r, row, new_departure)
        old_departure = r.departure
        rows = await repo.quote(r.unit_type_id, r.rate_plan_id, old_departure, new_departure)
        nights = _priced(rows, old_departure, new_departure, r.quantity)
        await _take(repo, r, nights)
        await repo.add_nights(r.id, r.unit_type_id, nights)
        added_fen = domain.stay_total(nights, r.quantity)
        total = r.total_fen + added_fen
        await repo.update(r.id, departure=new_departure, total_fen=total, updated_at=now_utc())
        await _audit(
            db,
            tenant_id,
            "extend",
            r,
            actor,
            departure_from=old_departure,
            departure=new_departure,
            added_fen=added_fen,
            total_fen=total,
        )
    return Extension(
        reservation=await get_reservation(db, tenant_id, reservation_id),
        added=tuple(NightPrice(d, p) for d, p in nights),
        added_fen=added_fen,
    )
