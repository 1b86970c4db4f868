"""分销采购, the agency's side of booking: its suppliers (the agreements naming it as the
distributor), each supplier's authorised products for chosen dates with its settlement
prices, booking for a tourist, its balance or credit, its orders.

Every function takes the agency's own tenant (`own`), loads the agreement under that
binding (found only if it names the agency; a sub-distributor's upline only reads its own
agreement, it never books on the sub's), and does the supplier-side work inside
`acting_for`, one supplier at a time. An agreement id the agency does not hold is
NotFound; one the caller owns as its supplier answers `None`, so the page can send it to
the supplier's own page instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import NotFound
from modules.distribution.models import Agreement
from modules.distribution.repository.agreements import (
    AgreementsRepository,
    agreement_for_partner,
    partner_agreements,
)
from modules.distribution.schemas.booking import CatalogItem, OrderRequest, OrderView, QuoteView
from modules.distribution.service import booking, ledger, orders
from tenants.counterparty import acting_for
from tenants.service.directory import enterprise_names

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Supplier:
    """One supplier the agency buys from, under one agreement, with its balance there."""

    agreement_id: uuid.UUID
    number: str
    supplier_id: uuid.UUID
    name: str
    status: str
    terms: str
    balance: ledger.Balance


@dataclass(frozen=True, slots=True)
class CatalogPage:
    supplier: Supplier
    items: list[CatalogItem]


@dataclass(frozen=True, slots=True)
class BookingPage:
    supplier: Supplier
    item: CatalogItem
    quote: QuoteView


@dataclass(frozen=True, slots=True)
class OrderPage:
    supplier: Supplier
    order: OrderView
    cancellation_fee_fen: int | None  # what cancelling now would cost (None: cannot)


async def _agreement(db: AsyncSession, own: TenantId, agreement_id: uuid.UUID) -> Agreement | None:
    try:
        found = await agreement_for_partner(db, own, agreement_id)
    except NotFound:
        if await AgreementsRepository(db, own).agreement(agreement_id) is not None:
            return None  # the caller is the supplier
        raise
    if found.partner_tenant_id != own:
        raise NotFound()  # an upline reads its sub's agreement elsewhere, never books on it
    return found


async def _supplier(db: AsyncSession, supplier_tid: TenantId, agreement: Agreement) -> Supplier:
    names = await enterprise_names(db, [agreement.tenant_id])
    return Supplier(
        agreement.id,
        agreement.number,
        agreement.tenant_id,
        names.get(agreement.tenant_id, ""),
        agreement.status,
        agreement.payment_terms,
        await ledger.balance_of(db, supplier_tid, agreement),
    )


async def _as_distributor(
    db: AsyncSession,
    own: TenantId,
    agreement_id: uuid.UUID,
    work: Callable[[TenantId, Agreement], Awaitable[T]],
) -> T | None:
    agreement = await _agreement(db, own, agreement_id)
    if agreement is None:
        return None
    async with acting_for(db, agreement, own=own) as supplier:
        return await work(supplier, agreement)


async def my_suppliers(db: AsyncSession, own: TenantId) -> list[Supplier]:
    """The agency's suppliers with its balance or credit at each (one binding at a time)."""
    out = []
    for agreement in await partner_agreements(db, own):
        if agreement.partner_tenant_id != own:
            continue
        async with acting_for(db, agreement, own=own) as supplier:
            out.append(await _supplier(db, supplier, agreement))
    return out


async def catalog_page(
    db: AsyncSession,
    own: TenantId,
    agreement_id: uuid.UUID,
    *,
    arrival: date,
    departure: date,
    quantity: int = 1,
) -> CatalogPage | None:
    async def work(supplier: TenantId, agreement: Agreement) -> CatalogPage:
        items = await booking.catalog(
            db, supplier, agreement, arrival=arrival, departure=departure, quantity=quantity
        )
        return CatalogPage(await _supplier(db, supplier, agreement), items)

    return await _as_distributor(db, own, agreement_id, work)


async def booking_page(
    db: AsyncSession,
    own: TenantId,
    agreement_id: uuid.UUID,
    *,
    product_id: uuid.UUID,
    arrival: date,
    departure: date,
    quantity: int = 1,
) -> BookingPage | None:
    """The booking form's facts: the product, its price and the balance before and after."""

    async def work(supplier: TenantId, agreement: Agreement) -> BookingPage:
        items = await booking.catalog(
            db, supplier, agreement, arrival=arrival, departure=departure, quantity=quantity
        )
        item = next((i for i in items if i.product_id == product_id), None)
        if item is None:
            raise NotFound()
        q = await booking.quote(
            db,
            supplier,
            agreement,
            product_id=product_id,
            arrival=arrival,
            departure=departure,
            quantity=quantity,
        )
        return BookingPage(await _supplier(db, supplier, agreement), item, q)

    return await _as_distributor(db, own, agreement_id, work)


async def book(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID, request: OrderRequest, actor: Actor
) -> OrderView:
    """Books for a tourist at the supplier; the order is the supplier's row."""

    async def work(supplier: TenantId, agreement: Agreement) -> OrderView:
        return await booking.place_order(db, supplier, agreement, request, actor=actor)

    placed = await _as_distributor(db, own, agreement_id, work)
    if placed is None:
        raise NotFound()
    return placed


async def order_page(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID, number: str
) -> OrderPage | None:
    async def work(supplier: TenantId, agreement: Agreement) -> OrderPage:
        order = await orders.order_status(db, supplier, agreement, number)
        fee = await orders.cancellation_preview(db, supplier, agreement, number)
        return OrderPage(await _supplier(db, supplier, agreement), order, fee)

    return await _as_distributor(db, own, agreement_id, work)


async def cancel(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID, number: str, actor: Actor
) -> OrderView:
    async def work(supplier: TenantId, agreement: Agreement) -> OrderView:
        return await orders.cancel_order(db, supplier, agreement, number, actor=actor)

    done = await _as_distributor(db, own, agreement_id, work)
    if done is None:
        raise NotFound()
    return done
