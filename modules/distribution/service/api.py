"""The partner API's behaviour: an external distributor (an OTA, a wholesaler) calls with an
API key OF THE SUPPLIER, which binds the supplier's tenant; the key's distributor
(`distributors.api_key_id`) and its agreement in force decide what it may see and book.
Everything else is the booking service's, the same path the agency's page takes.

A key that no distributor holds (or whose distributor has no agreement in force) is 403
`no_agreement`: the key is the supplier's own, so this says nothing about other tenants.
An order is found only among the key holder's agreements (another's number is 404).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Forbidden, Invalid, NotFound
from modules.distribution.models import Agreement
from modules.distribution.repository.agreements import agreements_for_api_key
from modules.distribution.repository.booking import OrdersRepository
from modules.distribution.schemas.api import OrderIn
from modules.distribution.schemas.booking import (
    MAX_NIGHTS,
    CatalogItem,
    ChangeRequest,
    OrderView,
    QuoteView,
)
from modules.distribution.service import booking, orders

MAX_KEY = 100


class NoAgreement(Forbidden):
    code = "no_agreement"
    message = "This key belongs to no distributor with an agreement in force."


async def _agreements(db: AsyncSession, tid: TenantId, actor: Actor) -> Sequence[Agreement]:
    if actor.api_key_id is None:
        raise NoAgreement()
    today = await booking.supplier_today(db, tid)
    found = await agreements_for_api_key(db, tid, actor.api_key_id, on=today)
    if not found:
        raise NoAgreement()
    return found


async def _agreement(db: AsyncSession, tid: TenantId, actor: Actor) -> Agreement:
    """The key holder's newest agreement in force: the one it books under."""
    return (await _agreements(db, tid, actor))[0]


async def products(
    db: AsyncSession,
    tid: TenantId,
    actor: Actor,
    *,
    arrival: date,
    departure: date | None,
    quantity: int,
) -> list[CatalogItem]:
    """The authorised products with availability, sale and settlement prices for the dates."""
    if not 1 <= quantity <= 20:
        raise Invalid.field("quantity", "Book 1 to 20.")
    if departure is not None and departure <= arrival:
        raise Invalid.field("departure", "The departure comes after the arrival.")
    if departure is not None and (departure - arrival).days > MAX_NIGHTS:
        raise Invalid.field("departure", "Stay 1 to 30 nights.")
    agreement = await _agreement(db, tid, actor)
    return await booking.catalog(
        db, tid, agreement, arrival=arrival, departure=departure, quantity=quantity
    )


async def precheck(
    db: AsyncSession,
    tid: TenantId,
    actor: Actor,
    *,
    product_id: uuid.UUID,
    arrival: date,
    departure: date | None,
    quantity: int,
) -> QuoteView:
    """Availability, price, settlement price and balance, before an order."""
    agreement = await _agreement(db, tid, actor)
    return await booking.quote(
        db,
        tid,
        agreement,
        product_id=product_id,
        arrival=arrival,
        departure=departure,
        quantity=quantity,
    )


def _checked_key(key: str | None) -> str:
    cleaned = (key or "").strip()
    if not cleaned:
        raise Invalid.field("Idempotency-Key", "An idempotency key is required.", "required")
    if len(cleaned) > MAX_KEY or not cleaned.isascii() or not cleaned.isprintable():
        raise Invalid.field(
            "Idempotency-Key", "An idempotency key is at most 100 printable ASCII characters."
        )
    return cleaned


async def place(
    db: AsyncSession, tid: TenantId, actor: Actor, order: OrderIn, idempotency_key: str | None
) -> OrderView:
    """Books under the key holder's agreement; idempotent on the `Idempotency-Key`."""
    request = order.request(_checked_key(idempotency_key))
    agreement = await _agreement(db, tid, actor)
    return await booking.place_order(db, tid, agreement, request, actor=actor)


async def _owning(db: AsyncSession, tid: TenantId, actor: Actor, number: str) -> Agreement:
    """The key holder's agreement the order was placed under (404 for any other order)."""
    if not number or len(number) > 24:
        raise NotFound()
    repo = OrdersRepository(db, tid)
    for agreement in await _agreements(db, tid, actor):
        if await repo.of_agreement(agreement.id, number) is not None:
            return agreement
    raise NotFound()


async def status(db: AsyncSession, tid: TenantId, actor: Actor, number: str) -> OrderView:
    agreement = await _owning(db, tid, actor, number)
    return await orders.order_status(db, tid, agreement, number)


async def change(
    db: AsyncSession, tid: TenantId, actor: Actor, number: str, change: ChangeRequest
) -> OrderView:
    agreement = await _owning(db, tid, actor, number)
    return await orders.change_order(db, tid, agreement, number, change, actor=actor)


async def cancel(
    db: AsyncSession, tid: TenantId, actor: Actor, number: str, *, reason: str
) -> OrderView:
    """Cancels under the reservation's own policy; cancelling again answers the same."""
    agreement = await _owning(db, tid, actor, number)
    return await orders.cancel_order(db, tid, agreement, number, actor=actor, reason=reason)
