"""Booking for a distributor: the one path every channel takes (the agency's 分销采购 page,
the partner API, an agency's package).

The caller is bound to the SUPPLIER (`supplier_tid`): its own key for an external partner,
or `acting_for` around the call for an agency, with the agreement it loaded under its own
binding. Everything here reads and writes the supplier's rows, and only what the agreement
authorises (`authorised_product`: another product, or another supplier's, is NotFound).

An order lands as a reservation of the supplier's through the reservations service (rooms,
and spa day tickets the way online tickets are sold: an admission unit type for one date) or
boarding's cabin booking (every passenger real-name), with source 'distribution' and the
distributor's name as its channel; then the sale is posted to the ledger at the settlement
price (refused when the prepaid balance or credit line would be overdrawn) and the
distributor is told (`order.confirmed`), all in the caller's transaction: any refusal rolls
the whole order back.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.boarding import service as boarding
from modules.distribution.models import Agreement, DistributionOrder
from modules.distribution.repository.agreements import AgreementsRepository
from modules.distribution.repository.agreements import authorised_products as _authorised
from modules.distribution.repository.booking import OrdersRepository
from modules.distribution.schemas.booking import (
    CatalogItem,
    OrderRequest,
    OrderView,
    QuoteView,
)
from modules.distribution.service import callbacks, ledger
from modules.distribution.service.booking_products import (
    Product,
    check_request,
    describe,
    offer_for,
    plans_of,
    price_for,
    product_of,
    stay_dates,
    supplier_today,
    units_of,
    upline_price,
)
from modules.reservations import service as reservations

SOURCE = "distribution"
_KEY_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtextextended('dist_order_key:' || :t || ':' || :k, 0))"
)


class IdempotencyMismatch(Conflict):
    code = "idempotency_key_reused"
    message = "This idempotency key was used for a different order."


async def order_view(db: AsyncSession, tid: TenantId, order: DistributionOrder) -> OrderView:
    """An order as its distributor sees it, with the supplier's booking code (and, for a
    cabin, the cabin and who sails)."""
    code, label, kind, cabin = "", "", "room", ""
    people: tuple[str, ...] = ()
    if order.reservation_id is not None:
        r = await reservations.get_reservation(db, tid, order.reservation_id)
        code, kind = r.code, r.kind
        label = f"{r.unit_type_name} · {r.rate_plan_name}" if kind == "room" else r.unit_type_name
        if kind == "cabin":
            sailing = await boarding.passengers_of_reservation(db, tid, r.id)
            cabin = sailing[0].cabin_number if sailing else ""
            people = tuple(p.name for p in sailing)
    return OrderView(
        id=order.id,
        number=order.number,
        status=order.status,
        supplier_id=order.tenant_id,
        agreement_id=order.agreement_id,
        distributor_id=order.distributor_id,
        product_id=order.product_id,
        kind=kind,
        label=label,
        arrival=order.arrival,
        departure=order.departure,
        quantity=order.quantity,
        sale_fen=order.sale_fen,
        settlement_fen=order.settlement_fen,
        cancellation_fee_fen=order.cancellation_fee_fen,
        guest_name=order.guest_name,
        external_ref=order.external_ref,
        reservation_id=order.reservation_id,
        reservation_code=code,
        created_at=order.created_at,
        cancelled_at=order.cancelled_at,
        redeemed_at=order.redeemed_at,
        cabin_number=cabin,
        passengers=people,
    )


# Catalogue and precheck ---------------------------------------------------------------------


async def catalog(
    db: AsyncSession,
    supplier_tid: TenantId,
    agreement: Agreement,
    *,
    arrival: date,
    departure: date | None = None,
    quantity: int = 1,
) -> list[CatalogItem]:
    """The agreement's authorised products with what is left for the dates, the sale price
    of the stay and the distributor's own settlement price (cabins on their voyage's dates,
    tickets for the arrival date)."""
    today = await supplier_today(db, supplier_tid)
    rows = await _authorised(db, supplier_tid, agreement.id, on=today)
    plans = await plans_of(db, supplier_tid)
    voyages = {v.id: v for v in await reservations.list_voyages(db, supplier_tid)}
    items: list[CatalogItem] = []
    for row in rows:
        product = await describe(db, supplier_tid, row, plans, voyages)
        if product is None:
            continue
        a, d = stay_dates(product, arrival, departure)
        offer = await offer_for(db, supplier_tid, product, a, d) if a >= today and d > a else None
        sale = offer.total_fen * (1 if product.kind == "cabin" else quantity) if offer else None
        settle = None
        if sale is not None:
            settle = price_for(row, sale, units_of(product, a, d, quantity))
        items.append(
            CatalogItem(
                product_id=row.id,
                agreement_id=agreement.id,
                kind=product.kind,
                label=product.label,
                arrival=a,
                departure=d,
                available=offer.available if offer else 0,
                sale_fen=sale,
                settlement_fen=settle,
                price_mode=row.price_mode,
                net_price_fen=row.net_price_fen,
                commission_bp=row.commission_bp,
                needs_passengers=product.kind == "cabin",
                capacity=product.unit_type.capacity,
            )
        )
    order = {"room": 0, "cabin": 1, "admission": 2}
    return sorted(items, key=lambda i: (order.get(i.kind, 9), i.label))


async def quote(
    db: AsyncSession,
    supplier_tid: TenantId,
    agreement: Agreement,
    *,
    product_id: uuid.UUID,
    arrival: date,
    departure: date | None = None,
    quantity: int = 1,
) -> QuoteView:
    """The precheck before an order (the API's /precheck, the page's preview): whether the
    product is available for the dates, its sale and settlement price, and the balance or
    credit left before and after."""
    product = await product_of(db, supplier_tid, agreement, product_id)
    a, d = stay_dates(product, arrival, departure)
    request = OrderRequest(product_id=product_id, arrival=a, departure=d, quantity=quantity)
    check_request(request, product, a, d, await supplier_today(db, supplier_tid))
    offer = await offer_for(db, supplier_tid, product, a, d)
    count = 1 if product.kind == "cabin" else quantity
    sale = offer.total_fen * count if offer else 0
    settle = price_for(product.row, sale, units_of(product, a, d, quantity)) if offer else 0
    balance = await ledger.balance_of(db, supplier_tid, agreement)
    problem = ""
    if offer is None or offer.available < count:
        problem = _("Not available for these dates.")
    elif settle > balance.available_fen:
        problem = _("The balance is not enough for this.")
    return QuoteView(
        product_id=product.row.id,
        kind=product.kind,
        label=product.label,
        arrival=a,
        departure=d,
        quantity=count,
        available=offer.available if offer else 0,
        sale_fen=sale,
        settlement_fen=settle,
        terms=balance.terms,
        balance_fen=balance.balance_fen,
        available_fen=balance.available_fen,
        available_after_fen=balance.available_fen - settle,
        bookable=not problem,
        problem=problem,
    )


# Placing an order ---------------------------------------------------------------------------


async def place_order(
    db: AsyncSession,
    supplier_tid: TenantId,
    agreement: Agreement,
    request: OrderRequest,
    *,
    actor: Actor | None = None,
    package_id: uuid.UUID | None = None,
) -> OrderView:
    """Books `request` under `agreement` and charges the distributor its settlement price.

    Idempotent on (distributor, idempotency key): the same key with the same request gives
    back the first order; with a different request it is refused (409). Refusals: NotFound
    (a product the agreement does not authorise), Invalid (dates, the tourist's details),
    SoldOut, InsufficientBalance (nothing is written: let the transaction roll back)."""
    first = await _first_under_key(db, supplier_tid, agreement, request)
    if first is not None:
        return await order_view(db, supplier_tid, first)
    distributor = await AgreementsRepository(db, supplier_tid).distributor(agreement.distributor_id)
    if distributor is None:
        raise NotFound()
    product = await product_of(db, supplier_tid, agreement, request.product_id)
    arrival, departure = stay_dates(product, request.arrival, request.departure)
    today = await supplier_today(db, supplier_tid)
    check_request(request, product, arrival, departure, today)
    reservation = await _reserve(db, supplier_tid, product, request, distributor.name, actor)
    sale = reservation.total_fen
    units = units_of(product, arrival, departure, reservation.quantity)
    settle = price_for(product.row, sale, units)
    upline = await upline_price(db, supplier_tid, agreement, product.row, sale, units)
    orders = OrdersRepository(db, supplier_tid)
    await orders.number_lock(today)
    order = DistributionOrder(
        number=await orders.next_number(today),
        agreement_id=agreement.id,
        distributor_id=distributor.id,
        product_id=product.row.id,
        reservation_id=reservation.id,
        idempotency_key=request.idempotency_key,
        request_digest=request.digest(),
        external_ref=request.external_ref,
        package_id=package_id,
        quantity=reservation.quantity,
        arrival=arrival,
        departure=departure,
        sale_fen=sale,
        settlement_fen=settle,
        guest_name=reservation.guest_name,
        created_by=actor.user_id if actor else None,
    )
    orders.add(order)
    await orders.flush()
    return await _charge_and_tell(db, supplier_tid, agreement, order, upline, actor)


async def _first_under_key(
    db: AsyncSession, tid: TenantId, agreement: Agreement, request: OrderRequest
) -> DistributionOrder | None:
    """The order already placed under the request's key (the key is locked for the
    transaction first, so two requests with one key queue instead of both booking)."""
    if not request.idempotency_key:
        raise Invalid.field("idempotency_key", "An idempotency key is required.", "required")
    key = f"{agreement.distributor_id}:{request.idempotency_key}"
    await db.execute(_KEY_LOCK, {"t": str(tid), "k": key})
    first = await OrdersRepository(db, tid).by_key(
        agreement.distributor_id, request.idempotency_key
    )
    if first is not None and (
        first.request_digest != request.digest() or first.agreement_id != agreement.id
    ):
        raise IdempotencyMismatch()
    return first


async def _charge_and_tell(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    order: DistributionOrder,
    upline: int | None,
    actor: Actor | None,
) -> OrderView:
    """The sale entry at the settlement price (refused when it would overdraw the balance
    or credit line) and the `order.confirmed` callback."""
    if order.settlement_fen > 0:
        await ledger.post_sale(
            db,
            tid,
            agreement,
            order_id=order.id,
            settlement_fen=order.settlement_fen,
            upline_fen=None if upline is None else min(upline, order.settlement_fen),
            created_by=actor.user_id if actor else None,
            memo=order.number,
        )
    view = await order_view(db, tid, order)
    await callbacks.enqueue_callback(
        db,
        tid,
        distributor_id=order.distributor_id,
        order_id=order.id,
        event_type=callbacks.ORDER_CONFIRMED,
        data=view.callback_data(),
    )
    return view


async def _reserve(
    db: AsyncSession,
    tid: TenantId,
    product: Product,
    request: OrderRequest,
    channel: str,
    actor: Actor | None,
) -> reservations.ReservationView:
    """The supplier's own booking, through its module's service, marked with the channel."""
    if product.kind == "cabin":
        booked = await boarding.book_cabin(
            db,
            tid,
            voyage_id=product.voyage.id if product.voyage else product.unit_type.id,
            unit_type_id=product.unit_type.id,
            passengers=[
                boarding.PassengerInput(
                    name=p.name,
                    id_type=p.id_type,
                    id_number=p.id_number,
                    sex=p.sex,
                    birth_date=p.birth_date,
                    phone=p.phone,
                    nationality=p.nationality,
                )
                for p in request.passengers
            ],
            source=SOURCE,
            rate_plan_code=product.plan.code,
            notes=request.notes,
            actor=actor,
            channel=channel,
        )
        return booked.reservation
    arrival, departure = stay_dates(product, request.arrival, request.departure)
    tickets = product.kind == "admission"
    return await reservations.book(
        db,
        tid,
        unit_type_id=product.unit_type.id,
        rate_plan_id=product.plan.id,
        arrival=arrival,
        departure=departure,
        adults=request.quantity if tickets else max(1, request.adults),
        guest=reservations.GuestDetails(
            name=request.guest_name,
            phone=request.guest_phone,
            id_type=request.id_type or "resident_id",
            id_number=request.id_number,
            notes=request.notes,
        ),
        source=SOURCE,
        quantity=request.quantity,
        channel=channel,
    )
