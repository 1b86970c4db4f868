"""A distributor's orders after they are placed: reading them, changing dates (re-priced,
the ledger moved by the difference) and cancelling them under the reservation's own
cancellation policy (the fee it keeps, in proportion, is what the distributor pays).

Same binding rule as `booking`: the caller is bound to the supplier, and an order is only
found through the agreement it was placed under (another distributor's order is NotFound).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from app.i18n import gettext as _
from modules.distribution.models import Agreement, DistributionOrder
from modules.distribution.repository.agreements import AgreementsRepository, partner_agreements
from modules.distribution.repository.booking import OrdersRepository
from modules.distribution.schemas.booking import ChangeRequest, OrderRequest, OrderView
from modules.distribution.service import callbacks, ledger
from modules.distribution.service.booking import order_view
from modules.distribution.service.booking_products import (
    Product,
    check_request,
    price_for,
    product_of,
    stay_dates,
    supplier_today,
    units_of,
    upline_price,
)
from modules.reservations import service as reservations
from tenants.counterparty import acting_for
from tenants.service.directory import enterprise_names

PAGE = 50


class OrderNotOpen(Conflict):
    code = "order_not_open"
    message = "Only a confirmed order can be changed or cancelled."


class ChangeTooLate(Conflict):
    code = "change_too_late"
    message = (
        "Past the free-cancellation deadline a booking can no longer be made smaller: "
        "cancel it under the supplier's policy instead."
    )


class NotChangeable(Conflict):
    code = "not_changeable"
    message = "This order cannot be changed this way: cancel it and book again."


async def _order(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    ref: uuid.UUID | str,
    *,
    lock: bool = False,
) -> DistributionOrder:
    found = await OrdersRepository(db, tid).of_agreement(agreement.id, ref, lock=lock)
    if found is None:
        raise NotFound()
    return found


async def order_status(
    db: AsyncSession, supplier_tid: TenantId, agreement: Agreement, ref: uuid.UUID | str
) -> OrderView:
    """One order of the agreement by id or number (NotFound for any other's)."""
    return await order_view(db, supplier_tid, await _order(db, supplier_tid, agreement, ref))


async def list_orders(
    db: AsyncSession, supplier_tid: TenantId, agreement: Agreement, *, page: int = 1
) -> list[OrderView]:
    rows = await OrdersRepository(db, supplier_tid).list_of_agreement(
        agreement.id, limit=PAGE, offset=max(0, page - 1) * PAGE
    )
    return [await order_view(db, supplier_tid, o) for o in rows]


# Cancelling ---------------------------------------------------------------------------------


def fee_share(settlement_fen: int, sale_fen: int, fee_fen: int) -> int:
    """The reservation's fee (on the sale price) in the distributor's terms: the same share
    of its settlement price, rounded half up to the fen."""
    if sale_fen <= 0 or fee_fen <= 0:
        return 0
    return min(settlement_fen, (settlement_fen * fee_fen * 2 + sale_fen) // (2 * sale_fen))


async def cancellation_preview(
    db: AsyncSession, supplier_tid: TenantId, agreement: Agreement, ref: uuid.UUID | str
) -> int | None:
    """What cancelling the order now would cost the distributor (None: it cannot be)."""
    order = await _order(db, supplier_tid, agreement, ref)
    if order.status != "confirmed" or order.reservation_id is None:
        return None
    fee = await reservations.cancellation_preview(db, supplier_tid, order.reservation_id)
    return None if fee is None else fee_share(order.settlement_fen, order.sale_fen, fee)


async def cancel_order(
    db: AsyncSession,
    supplier_tid: TenantId,
    agreement: Agreement,
    ref: uuid.UUID | str,
    *,
    actor: Actor | None = None,
    reason: str = "",
    waive_fee: bool = False,
) -> OrderView:
    """Cancels the order's reservation under its own policy (`waive_fee`: the supplier's or
    a failed package's doing, no fee); the distributor is refunded its settlement price less
    its share of the fee, which the supplier keeps. Cancelling again changes nothing."""
    order = await _order(db, supplier_tid, agreement, ref, lock=True)
    if order.status == "cancelled":
        return await order_view(db, supplier_tid, order)
    if order.status != "confirmed":
        raise OrderNotOpen()
    order.status, order.cancelled_at = "cancelled", clock.now()
    await db.flush()  # the reservation's cancel listener below then leaves the order alone
    fee = 0
    if order.reservation_id is not None:
        done = await reservations.cancel(
            db,
            supplier_tid,
            order.reservation_id,
            reason=reason or _("Cancelled by the distributor"),
            actor=actor,
            waive_fee=waive_fee,
        )
        fee = fee_share(order.settlement_fen, order.sale_fen, done.fee_fen)
    return await _refund(db, supplier_tid, agreement, order, fee, actor)


async def _refund(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    order: DistributionOrder,
    fee: int,
    actor: Actor | None,
) -> OrderView:
    """The cancelled order's ledger entries (the sale reversed, the fee charged) and its
    `order.cancelled` callback."""
    if order.settlement_fen > 0:
        await ledger.post_cancellation(
            db,
            tid,
            agreement,
            order_id=order.id,
            refund_fen=order.settlement_fen - fee,
            fee_fen=fee,
            created_by=actor.user_id if actor else None,
            memo=order.number,
        )
    order.cancellation_fee_fen = fee
    await db.flush()
    return await _tell(db, tid, order, callbacks.ORDER_CANCELLED)


async def _reservation_cancelled(
    db: AsyncSession, tid: TenantId, reservation_id: uuid.UUID, _reason: str
) -> None:
    """The supplier cancelled a distributor's booking itself (at its desk, or a voyage
    called off): the order is cancelled with it in the same transaction, the distributor
    refunded less its share of the fee the reservation kept, and told — so the ledger never
    charges for a booking that no longer exists."""
    order = await OrdersRepository(db, tid).for_reservation(reservation_id, lock=True)
    if order is None or order.status != "confirmed":
        return
    agreement = await AgreementsRepository(db, tid).agreement(order.agreement_id)
    if agreement is None:
        return
    kept = (await reservations.get_reservation(db, tid, reservation_id)).cancellation_fee_fen
    order.status, order.cancelled_at = "cancelled", clock.now()
    await _refund(
        db, tid, agreement, order, fee_share(order.settlement_fen, order.sale_fen, kept), None
    )


reservations.on_cancelled(_reservation_cancelled)


async def _tell(db: AsyncSession, tid: TenantId, order: DistributionOrder, event: str) -> OrderView:
    view = await order_view(db, tid, order)
    await callbacks.enqueue_callback(
        db,
        tid,
        distributor_id=order.distributor_id,
        order_id=order.id,
        event_type=event,
        data=view.callback_data(),
    )
    return view


# Changing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Priced:
    settle: int
    upline: int | None


async def _priced(
    db: AsyncSession, tid: TenantId, agreement: Agreement, product: Product, sale: int, units: int
) -> _Priced:
    upline = await upline_price(db, tid, agreement, product.row, sale, units)
    return _Priced(price_for(product.row, sale, units), upline)


async def change_order(
    db: AsyncSession,
    supplier_tid: TenantId,
    agreement: Agreement,
    ref: uuid.UUID | str,
    change: ChangeRequest,
    *,
    actor: Actor | None = None,
) -> OrderView:
    """New dates or number of rooms or tickets (a cabin sails on its voyage with its
    passengers: cancel and book again), re-priced under the same plan by the reservation's
    own change (the old nights given back, the new taken, in one locked pass); the ledger
    moves by the difference of the settlement price (a sale entry for more, a cancellation
    for less). Past the free-cancellation deadline (the reservation's policy would keep a
    fee) a change may not make it cheaper, or it would escape the fee."""
    order = await _order(db, supplier_tid, agreement, ref, lock=True)
    if order.status != "confirmed" or order.reservation_id is None:
        raise OrderNotOpen()
    product = await product_of(db, supplier_tid, agreement, order.product_id)
    if product.kind == "cabin":
        raise NotChangeable()
    count = change.quantity or order.quantity
    arrival, departure = stay_dates(
        product, change.arrival or order.arrival, change.departure or order.departure
    )
    today = await supplier_today(db, supplier_tid)
    probe = OrderRequest(
        product_id=order.product_id, arrival=arrival, departure=departure, quantity=count
    )
    check_request(probe, product, arrival, departure, today)
    before = await _priced(
        db,
        supplier_tid,
        agreement,
        product,
        order.sale_fen,
        units_of(product, order.arrival, order.departure, order.quantity),
    )
    late = await reservations.cancellation_preview(db, supplier_tid, order.reservation_id)
    moved = await reservations.modify(
        db,
        supplier_tid,
        order.reservation_id,
        arrival=arrival,
        departure=departure,
        quantity=count,
        adults=count if product.kind == "admission" else None,
        actor=actor,
    )
    after = await _priced(
        db,
        supplier_tid,
        agreement,
        product,
        moved.total_fen,
        units_of(product, arrival, departure, count),
    )
    if late and after.settle < before.settle:
        raise ChangeTooLate()
    await _post_difference(db, supplier_tid, agreement, order, before, after, actor)
    order.arrival, order.departure, order.quantity = arrival, departure, count
    order.sale_fen, order.settlement_fen = moved.total_fen, after.settle
    await db.flush()
    return await _tell(db, supplier_tid, order, callbacks.ORDER_CHANGED)


async def _post_difference(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    order: DistributionOrder,
    before: _Priced,
    after: _Priced,
    actor: Actor | None,
) -> None:
    diff = after.settle - before.settle
    by = actor.user_id if actor else None
    if diff > 0:
        upline = None
        if after.upline is not None and before.upline is not None:
            upline = max(0, min(diff, after.upline - before.upline))
        await ledger.post_sale(
            db,
            tid,
            agreement,
            order_id=order.id,
            settlement_fen=diff,
            upline_fen=upline,
            created_by=by,
            memo=order.number,
        )
    elif diff < 0:
        await ledger.post_cancellation(
            db,
            tid,
            agreement,
            order_id=order.id,
            refund_fen=-diff,
            fee_fen=0,
            created_by=by,
            memo=order.number,
        )


# The distributor's side: its orders across its suppliers ------------------------------------


@dataclass(frozen=True, slots=True)
class SupplierOrders:
    """A supplier the distributor buys from, under one agreement, with its orders."""

    agreement_id: uuid.UUID
    agreement_number: str
    supplier_id: uuid.UUID
    supplier_name: str
    orders: tuple[OrderView, ...]


async def my_orders(db: AsyncSession, own: TenantId) -> list[SupplierOrders]:
    """Every order the distributor placed, supplier by supplier (one binding at a time:
    each supplier's orders are read inside `acting_for` its agreement)."""
    agreements = [a for a in await partner_agreements(db, own) if a.partner_tenant_id == own]
    names = await enterprise_names(db, [a.tenant_id for a in agreements])
    out = []
    for agreement in agreements:
        async with acting_for(db, agreement, own=own) as supplier:
            found = await list_orders(db, supplier, agreement)
        out.append(
            SupplierOrders(
                agreement.id,
                agreement.number,
                agreement.tenant_id,
                names.get(agreement.tenant_id, ""),
                tuple(found),
            )
        )
    return out
