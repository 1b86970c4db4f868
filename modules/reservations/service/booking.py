"""Holds and bookings: a stay quoted, then sold in one locked statement.

The API's hot path (`sell_once`) claims the Idempotency-Key in the quote's round trip
and stores its answer in the sale's, so a booking costs two statements of its own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import Invalid
from app.identifiers import resident_id_problem
from modules.reservations import domain
from modules.reservations.domain import PaymentState, ReservationStatus
from modules.reservations.repository import BookingRepository, InventoryShortage
from modules.reservations.repository.booking import NewReservation
from modules.reservations.schemas import (
    ID_TYPES,
    SOURCES,
    UNIT_FEATURES,
    GuestDetails,
    NightPrice,
    ReservationView,
)
from modules.reservations.service.errors import Busy, SoldOut
from modules.reservations.service.idempotency import checked_key, replay_stored, request_hash
from modules.reservations.service.quoting import Quote, check_request, price_rows, quote
from modules.reservations.service.views import now_utc

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RETRYABLE = {"40P01", "40001", "55P03"}  # deadlock, serialization failure, lock timeout
PREFERENCES = (*UNIT_FEATURES, "same_floor")


@dataclass(frozen=True, slots=True)
class Stay:
    """What a guest asks to book; `hold_minutes` None books it confirmed at once."""

    unit_type_id: uuid.UUID
    rate_plan_id: uuid.UUID
    arrival: date
    departure: date
    adults: int
    children: int
    guest: GuestDetails
    source: str
    quantity: int = 1
    hold_minutes: int | None = None
    channel: str = ""  # the distributor's name, for source 'distribution'

    def quote_args(self) -> dict[str, Any]:
        return {
            "unit_type_id": self.unit_type_id,
            "rate_plan_id": self.rate_plan_id,
            "arrival": self.arrival,
            "departure": self.departure,
            "adults": self.adults,
            "children": self.children,
            "quantity": self.quantity,
        }


@asynccontextmanager
async def lock_conflicts() -> AsyncIterator[None]:
    """A deadlock or serialization failure is a 409 the client retries, never a 500."""
    try:
        yield
    except DBAPIError as exc:
        if _sqlstate(exc) in RETRYABLE:
            raise Busy() from exc
        raise


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def guest_errors(guest: GuestDetails) -> list[dict[str, str]]:
    """Field errors of the booker's details (resident ID by its GB 11643 check digit)."""
    errors: list[dict[str, str]] = []

    def add(field: str, message: str, code: str = "invalid") -> None:
        errors.append({"field": field, "code": code, "message": message})

    if not guest.name.strip():
        add("guest_name", "Enter the guest's name.", "required")
    elif len(guest.name.strip()) > 100:
        add("guest_name", "Use at most 100 characters.", "too_long")
    if not PHONE.match(guest.phone.strip()):
        add("guest_phone", "Enter a phone number, such as 13800138000.")
    if guest.email and not EMAIL.match(guest.email.strip()):
        add("guest_email", "Enter a valid e-mail address.")
    if guest.id_type not in ID_TYPES:
        add("id_type", "Choose an ID document type.")
    elif guest.id_type == "resident_id" and guest.id_number.strip():
        problem = resident_id_problem(guest.id_number)
        if problem:
            add("id_number", problem)
    elif guest.id_type != "resident_id" and len(guest.id_number.strip()) > 40:
        add("id_number", "Use at most 40 characters.", "too_long")
    if any(p not in PREFERENCES for p in guest.preferences):
        add("preferences", "Choose preferences from the list.")
    return errors


def _validate(stay: Stay) -> None:
    errors = guest_errors(stay.guest)
    if stay.source not in SOURCES:
        errors.append({"field": "source", "code": "invalid", "message": "Unknown source."})
    if len(stay.channel) > 100 or not stay.channel.isprintable():
        errors.append({"field": "channel", "code": "invalid", "message": "Unknown channel."})
    if errors:
        raise Invalid(errors=errors)


async def sell(db: AsyncSession, tenant_id: TenantId, stay: Stay) -> ReservationView:
    """Hold or confirm a stay: two round trips — the quote and the locked sale (and only
    when the type looks sold out, a sweep of its expired holds and one more try)."""
    _validate(stay)
    repo = BookingRepository(db, tenant_id)
    now = now_utc()
    try:
        q = await quote(repo, **stay.quote_args())
    except SoldOut:
        q = await _after_sweep(repo, stay, now)
    new = _new_reservation(stay, q, now)
    await _reserve(repo, new, None, now)
    return _new_view(new, q)


async def sell_once(
    db: AsyncSession,
    tenant_id: TenantId,
    stay: Stay,
    *,
    key: str | None,
    method: str,
    path: str,
    payload: Any,
    status_code: int,
) -> tuple[int, Any]:
    """`sell` for the API under an Idempotency-Key: (status, JSON body: encoded bytes
    the first time, the stored answer when the key was used before). The key is
    claimed in the quote's statement and the answer written in the sale's, so replay
    safety costs no extra round trip."""
    _validate(stay)
    check_request(stay.arrival, stay.departure, stay.quantity)
    digest = request_hash(method, path, payload)
    repo = BookingRepository(db, tenant_id)
    claim = (checked_key(key), method, path, digest)
    claimed, rows = await repo.claim_and_quote(
        claim, stay.unit_type_id, stay.rate_plan_id, stay.arrival, stay.departure
    )
    if claimed is None:
        return await replay_stored(db, tenant_id, key=claim[0], request_hash=digest)
    now = now_utc()
    args = stay.quote_args()
    try:
        q = price_rows(rows, **{k: v for k, v in args.items() if k not in _IDS})
    except SoldOut:
        q = await _after_sweep(repo, stay, now)
    new = _new_reservation(stay, q, now)
    body = msgspec.json.encode(_new_view(new, q))
    await _reserve(repo, new, (claimed, status_code, body.decode()), now)
    return status_code, body


_IDS = ("unit_type_id", "rate_plan_id")


async def _after_sweep(repo: BookingRepository, stay: Stay, now: datetime) -> Quote:
    """Expired holds may still count as sold: release the type's and quote once more."""
    async with lock_conflicts():
        if not await repo.expire_holds(now, stay.unit_type_id):
            raise SoldOut()
    return await quote(repo, **stay.quote_args())


async def _reserve(
    repo: BookingRepository,
    new: NewReservation,
    answer: tuple[uuid.UUID, int, str] | None,
    now: datetime,
) -> None:
    async with lock_conflicts():
        try:
            await repo.reserve(new, answer)
        except InventoryShortage:
            # Someone took the last units since the quote, or expired holds hold them.
            if not await repo.expire_holds(now, new.unit_type_id):
                raise SoldOut() from None
            try:
                await repo.reserve(new, answer)
            except InventoryShortage:
                raise SoldOut() from None


def _new_reservation(stay: Stay, q: Quote, now: datetime) -> NewReservation:
    guest = stay.guest
    held = stay.hold_minutes is not None
    return NewReservation(
        id=uuid7(),
        code=domain.new_code(),
        status=ReservationStatus.HELD if held else ReservationStatus.CONFIRMED,
        unit_type_id=q.unit_type_id,
        rate_plan_id=q.rate_plan_id,
        quantity=stay.quantity,
        arrival=stay.arrival,
        departure=stay.departure,
        adults=stay.adults,
        children=stay.children,
        guest_name=guest.name.strip(),
        guest_phone=guest.phone.strip(),
        guest_email=(guest.email or "").strip() or None,
        id_type=guest.id_type,
        id_number=guest.id_number.strip().upper(),
        preferences=tuple(guest.preferences),
        notes=guest.notes.strip(),
        total_fen=q.total_fen,
        deposit_fen=q.deposit_fen,
        source=stay.source,
        channel=stay.channel.strip(),
        hold_expires_at=now + timedelta(minutes=stay.hold_minutes or 0) if held else None,
        confirmed_at=None if held else now,
        created_at=now,
        nights=q.nights,
    )


def _new_view(new: NewReservation, q: Quote) -> ReservationView:
    return ReservationView(
        id=new.id,
        code=new.code,
        status=new.status,
        unit_type_id=new.unit_type_id,
        unit_type_name=q.unit_type_name,
        rate_plan_id=new.rate_plan_id,
        arrival=new.arrival,
        departure=new.departure,
        nights=len(new.nights),
        adults=new.adults,
        children=new.children,
        guest_name=new.guest_name,
        guest_phone=new.guest_phone,
        id_type=new.id_type,
        id_number_masked=domain.mask_id(new.id_number),
        total_fen=new.total_fen,
        deposit_fen=new.deposit_fen,
        paid_fen=0,
        payment_state=PaymentState.UNPAID,
        hold_expires_at=new.hold_expires_at,
        created_at=new.created_at,
        kind=q.kind,
        unit_type_code=q.unit_type_code,
        rate_plan_code=q.rate_plan_code,
        rate_plan_name=q.rate_plan_name,
        source=new.source,
        channel=new.channel,
        guest_email=new.guest_email,
        preferences=new.preferences,
        notes=new.notes,
        voyage_id=q.voyage_id,
        quantity=new.quantity,
        night_prices=tuple(NightPrice(d, p) for d, p in new.nights),
    )
