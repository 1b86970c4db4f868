"""A reservation's life after it is sold: confirmation, changes, cancellation with the
plan's fee, no-show, payment state, check-in and check-out. Each change locks the
reservation row first (then inventory, in booking order), so two desks acting on one
booking at once cannot both win."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.reservations import domain
from modules.reservations.domain import ACTIVE, OPEN, ReservationStatus, UnitStatus
from modules.reservations.repository import BookingRepository, InventoryShortage
from modules.reservations.schemas import PAYMENT_STATES, Cancellation, ReservationView
from modules.reservations.service.booking import lock_conflicts
from modules.reservations.service.errors import SoldOut, WrongStatus
from modules.reservations.service.quoting import quote
from modules.reservations.service.views import china_today, now_utc, reservation_view, terms
from tenants.service.audit import record_audit

log = logging.getLogger("zhilv.reservations")


async def _audit(
    db: AsyncSession, tenant_id: TenantId, action: str, r: Any, actor: Actor | None, **data: Any
) -> None:
    if actor is None:
        return
    await record_audit(
        db,
        tenant_id,
        f"reservations.{action}",
        actor_user_id=actor.user_id,
        actor_api_key_id=actor.api_key_id,
        subject_type="reservation",
        subject_id=r.id,
        data={
            "code": r.code,
            **{k: str(v) if not isinstance(v, int) else v for k, v in data.items()},
        },
        ip=actor.ip,
    )


CancelListener = Callable[[AsyncSession, TenantId, uuid.UUID, str], Awaitable[None]]
_ON_CANCELLED: list[CancelListener] = []


def on_cancelled(listener: CancelListener) -> None:
    """A module keeping rows for reservations (a cruise cabin's passengers) is told, in the
    same transaction, when one is cancelled: reservations imports no such module."""
    if listener not in _ON_CANCELLED:
        _ON_CANCELLED.append(listener)


async def _locked(repo: BookingRepository, reservation_id: uuid.UUID) -> Any:
    row = await repo.view(reservation_id, lock=True)
    if row is None:
        raise NotFound()
    return row


def _nights_from(r: Any, nights: list[tuple[date, int]], day: date | None = None) -> list[Any]:
    """Signed inventory changes that give back the reservation's nights (from `day`)."""
    return [(r.unit_type_id, d, -r.quantity) for d, _ in nights if day is None or d >= day]


async def confirm(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, *, actor: Actor | None = None
) -> ReservationView:
    """A hold becomes a booking (payment arrived, or staff vouch for the guest). A hold
    that already expired is sold again while its dates are still free."""
    repo = BookingRepository(db, tenant_id)
    async with lock_conflicts():
        row = await _locked(repo, reservation_id)
        r = row.Reservation
        if r.status == ReservationStatus.CONFIRMED:
            return reservation_view(row)
        if r.status == ReservationStatus.EXPIRED:
            await _take_back(repo, r)
        elif r.status != ReservationStatus.HELD:
            raise WrongStatus()
        now = now_utc()
        await repo.update(
            r.id,
            status=ReservationStatus.CONFIRMED,
            hold_expires_at=None,
            confirmed_at=now,
            updated_at=now,
        )
        await _audit(db, tenant_id, "confirm", r, actor)
    return dataclasses.replace(
        reservation_view(row), status=ReservationStatus.CONFIRMED, hold_expires_at=None
    )


async def _take_back(repo: BookingRepository, r: Any) -> None:
    """A hold that expired (its nights released) is sold again if there is still room."""
    nights = await repo.nights(r.id)
    try:
        await repo.shift([(r.unit_type_id, d, r.quantity) for d, _ in nights])
    except InventoryShortage:
        raise SoldOut("The hold expired and the dates are now sold out.") from None


async def modify(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    *,
    arrival: date | None = None,
    departure: date | None = None,
    unit_type_id: uuid.UUID | None = None,
    adults: int | None = None,
    children: int | None = None,
    quantity: int | None = None,
    actor: Actor | None = None,
) -> ReservationView:
    """New dates, type, party or number of units, re-priced under the same plan. Old
    nights are given back and new ones taken in one locked pass, so a change never loses
    the room it had when the new dates are not available."""
    repo = BookingRepository(db, tenant_id)
    async with lock_conflicts():
        row = await _locked(repo, reservation_id)
        r = row.Reservation
        if r.status not in ACTIVE:
            raise WrongStatus()
        new_arrival, new_departure = arrival or r.arrival, departure or r.departure
        new_type = unit_type_id or r.unit_type_id
        if r.status == ReservationStatus.CHECKED_IN and (
            new_arrival != r.arrival or new_type != r.unit_type_id
        ):
            raise WrongStatus("A guest in house can only change the departure date.")
        old = await repo.nights(r.id)
        own = {d: r.quantity for d, _ in old} if new_type == r.unit_type_id else {}
        units = quantity or r.quantity
        q = await quote(
            repo,
            unit_type_id=new_type,
            rate_plan_id=r.rate_plan_id,
            arrival=new_arrival,
            departure=new_departure,
            adults=adults if adults is not None else r.adults,
            children=children if children is not None else r.children,
            quantity=units,
            own=own,
        )
        changes = _nights_from(r, old) + [(new_type, d, units) for d, _ in q.nights]
        try:
            await repo.shift(changes)
        except InventoryShortage:
            raise SoldOut() from None
        await repo.replace_nights(r.id, new_type, list(q.nights))
        values = {
            "arrival": new_arrival,
            "departure": new_departure,
            "unit_type_id": new_type,
            "adults": adults if adults is not None else r.adults,
            "children": children if children is not None else r.children,
            "quantity": units,
            "total_fen": q.total_fen,
            "deposit_fen": q.deposit_fen,
            "updated_at": now_utc(),
        }
        await repo.update(r.id, **values)
        await _audit(
            db,
            tenant_id,
            "modify",
            r,
            actor,
            arrival=new_arrival,
            departure=new_departure,
            total_fen=q.total_fen,
        )
    return await get_reservation(db, tenant_id, reservation_id)


async def cancel(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    *,
    reason: str,
    now: datetime | None = None,
    actor: Actor | None = None,
    waive_fee: bool = False,
) -> Cancellation:
    """Cancel under the rate plan's policy: the fee is kept, what was paid beyond it is
    refundable (payments refunds it), and the nights go back on sale. `waive_fee`: the
    enterprise itself cancels (a voyage called off), so no fee is kept."""
    now = now or now_utc()
    repo = BookingRepository(db, tenant_id)
    async with lock_conflicts():
        row = await _locked(repo, reservation_id)
        r = row.Reservation
        if r.status not in OPEN:
            raise WrongStatus()
        nights = await repo.nights(r.id)
        plan = await repo.plan(r.rate_plan_id)
        assert plan is not None
        fee = 0
        if r.status == ReservationStatus.CONFIRMED and not waive_fee:
            fee = domain.cancellation_fee(
                terms(plan), nights, arrival=r.arrival, now=now, quantity=r.quantity
            )
        fee = min(fee, r.total_fen)
        await repo.shift(_nights_from(r, nights))
        await repo.update(
            r.id,
            status=ReservationStatus.CANCELLED,
            cancellation_fee_fen=fee,
            cancelled_at=now,
            cancel_reason=reason.strip()[:500],
            hold_expires_at=None,
            updated_at=now,
        )
        await _audit(db, tenant_id, "cancel", r, actor, fee_fen=fee, reason=reason.strip()[:200])
        for listener in _ON_CANCELLED:
            await listener(db, tenant_id, r.id, reason.strip()[:300])
    view = dataclasses.replace(
        reservation_view(row, nights),
        status=ReservationStatus.CANCELLED,
        cancellation_fee_fen=fee,
        hold_expires_at=None,
    )
    return Cancellation(
        reservation=view, fee_fen=fee, refundable_fen=domain.refundable(r.paid_fen, fee)
    )


async def mark_no_show(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, *, actor: Actor | None = None
) -> ReservationView:
    """The guest never came: the no-show fee is due and tonight's room goes back on sale."""
    repo = BookingRepository(db, tenant_id)
    now = now_utc()
    today = china_today(now)
    async with lock_conflicts():
        row = await _locked(repo, reservation_id)
        r = row.Reservation
        if r.status not in OPEN:
            raise WrongStatus()
        if r.arrival > today:
            raise Conflict("A guest can only be marked as a no-show from the arrival date.")
        nights = await repo.nights(r.id)
        plan = await repo.plan(r.rate_plan_id)
        assert plan is not None
        fee = min(r.total_fen, domain.no_show_fee(terms(plan), nights, r.quantity))
        await repo.shift(_nights_from(r, nights, today))
        await repo.update(
            r.id,
            status=ReservationStatus.NO_SHOW,
            cancellation_fee_fen=fee,
            hold_expires_at=None,
            updated_at=now,
        )
        await _audit(db, tenant_id, "no_show", r, actor, fee_fen=fee)
    return dataclasses.replace(
        reservation_view(row, nights),
        status=ReservationStatus.NO_SHOW,
        cancellation_fee_fen=fee,
        hold_expires_at=None,
    )


async def set_payment_state(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, state: str, paid_fen: int
) -> None:
    """Payments reports money moved: `paid_fen` is the guest's total paid NET of refunds
    (not an increment), so a replayed webhook sets the same value twice harmlessly.
    A held reservation whose deposit is now covered is confirmed (an expired hold too,
    while its dates are still free)."""
    if state not in PAYMENT_STATES:
        raise Invalid.field("payment_state", "Unknown payment state.")
    if paid_fen < 0:
        raise Invalid.field("paid_fen", "The amount paid cannot be negative.")
    repo = BookingRepository(db, tenant_id)
    async with lock_conflicts():
        row = await _locked(repo, reservation_id)
        r = row.Reservation
        now = now_utc()
        values: dict[str, Any] = {"payment_state": state, "paid_fen": paid_fen, "updated_at": now}
        covered = paid_fen > 0 and paid_fen >= r.deposit_fen
        if r.status in (ReservationStatus.HELD, ReservationStatus.EXPIRED) and covered:
            try:
                if r.status == ReservationStatus.EXPIRED:
                    await _take_back(repo, r)
                values.update(
                    status=ReservationStatus.CONFIRMED, hold_expires_at=None, confirmed_at=now
                )
            except SoldOut:
                log.warning("paid after the hold expired and sold out: %s", r.code)
        await repo.update(r.id, **values)


async def mark_checked_in(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, unit_id: uuid.UUID
) -> None:
    """The front desk checked the guest into a unit (again with another unit: a move)."""
    repo = BookingRepository(db, tenant_id)
    row = await _locked(repo, reservation_id)
    r = row.Reservation
    unit = await repo.unit(unit_id)
    if unit is None:
        raise NotFound()
    if unit.status == UnitStatus.OUT_OF_ORDER:
        raise Conflict("This room is out of order.")
    if r.status not in ACTIVE:
        raise WrongStatus()
    now = now_utc()
    values: dict[str, Any] = {"unit_id": unit_id, "updated_at": now}
    if r.status != ReservationStatus.CHECKED_IN:
        values.update(status=ReservationStatus.CHECKED_IN, checked_in_at=now, hold_expires_at=None)
    await repo.update(r.id, **values)


async def mark_checked_out(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID
) -> None:
    """The guest left; nights from today on (an early departure) go back on sale, and the
    booking's total drops by the nights not slept, as the front desk's bill does (the
    first night stays owed once the guest had the key)."""
    repo = BookingRepository(db, tenant_id)
    async with lock_conflicts():
        row = await _locked(repo, reservation_id)
        r = row.Reservation
        if r.status == ReservationStatus.CHECKED_OUT:
            return
        if r.status != ReservationStatus.CHECKED_IN:
            raise WrongStatus()
        now = now_utc()
        today = china_today(now)
        nights = await repo.nights(r.id)
        await repo.shift(_nights_from(r, nights, today))
        owed_from = max(today, r.arrival + timedelta(days=1))
        unused = sum(price for day, price in nights if day >= owed_from) * r.quantity
        await repo.update(
            r.id,
            status=ReservationStatus.CHECKED_OUT,
            checked_out_at=now,
            updated_at=now,
            total_fen=r.total_fen - unused,
        )


async def expire_holds(db: AsyncSession, tenant_id: TenantId, now: datetime | None = None) -> int:
    """Release every hold whose time is up; how many were released."""
    repo = BookingRepository(db, tenant_id)
    released = 0
    async with lock_conflicts():
        while True:
            n = await repo.expire_holds(now or now_utc())
            released += n
            if n < 500:
                return released


async def get_reservation(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID
) -> ReservationView:
    repo = BookingRepository(db, tenant_id)
    row = await repo.view(reservation_id)
    if row is None:
        raise NotFound()
    return reservation_view(row, await repo.nights(reservation_id))


async def cancellation_preview(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, now: datetime | None = None
) -> int | None:
    """The fee a cancellation would cost now (None when it cannot be cancelled), so
    staff can tell the guest before they confirm."""
    repo = BookingRepository(db, tenant_id)
    row = await repo.view(reservation_id)
    if row is None:
        raise NotFound()
    r = row.Reservation
    if r.status == ReservationStatus.HELD:
        return 0
    if r.status != ReservationStatus.CONFIRMED:
        return None
    plan = await repo.plan(r.rate_plan_id)
    assert plan is not None
    fee = domain.cancellation_fee(
        terms(plan),
        await repo.nights(r.id),
        arrival=r.arrival,
        now=now or now_utc(),
        quantity=r.quantity,
    )
    return min(fee, r.total_fen)
