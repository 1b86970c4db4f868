"""A package's parts at their suppliers: what the agency may put in a package (its
suppliers' authorised products), and booking or cancelling one part through the booking
service (`place_order`, `cancel_order`), in the supplier's binding (`acting_for`, opened by
the caller)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from modules.distribution.models import Agreement, Package, PackagePart
from modules.distribution.repository.agreements import authorised_products, partner_agreements
from modules.distribution.schemas.booking import OrderRequest, PassengerIn
from modules.distribution.schemas.packages import PartRequest, ProductChoice, Traveller
from modules.distribution.service import booking, orders
from modules.reservations import service as reservations
from tenants.counterparty import acting_for
from tenants.service.directory import enterprise_names

KIND_ORDER = {"room": 0, "cabin": 1, "admission": 2}


@dataclass(frozen=True, slots=True)
class Placed:
    order_id: uuid.UUID
    number: str
    sale_fen: int
    settlement_fen: int


async def product_choices(db: AsyncSession, tid: TenantId) -> list[ProductChoice]:
    """The products the agency may sell in a package: each supplier's authorised products
    under an agreement in force naming the agency (first level: the agency books itself)."""
    agreements = [
        a
        for a in await partner_agreements(db, tid)
        if a.partner_tenant_id == tid and a.status == "active"
    ]
    names = await enterprise_names(db, [a.tenant_id for a in agreements])
    out: list[ProductChoice] = []
    for agreement in agreements:
        async with acting_for(db, agreement, own=tid) as supplier:
            out.extend(await _choices(db, supplier, agreement, names.get(agreement.tenant_id, "")))
    return sorted(out, key=lambda c: (KIND_ORDER.get(c.kind, 9), c.supplier_name, c.label))


async def _choices(
    db: AsyncSession, supplier: TenantId, agreement: Agreement, supplier_name: str
) -> list[ProductChoice]:
    products = await authorised_products(db, supplier, agreement.id, on=clock.today())
    if not products:
        return []
    types = {t.id: t for t in await reservations.list_unit_types(db, supplier)}
    plans = {p.id: p for p in await reservations.list_rate_plans(db, supplier)}
    voyages = {v.id: v for v in await reservations.list_voyages(db, supplier)}
    out = []
    for product in products:
        unit_type = types.get(product.unit_type_id)
        if unit_type is None or not unit_type.active:
            continue
        label = unit_type.name
        if product.rate_plan_id in plans:
            label = f"{label} · {plans[product.rate_plan_id].name}"
        if product.voyage_id in voyages:
            voyage = voyages[product.voyage_id]
            label = f"{voyage.route or voyage.code} {voyage.depart_on:%m-%d} · {label}"
        out.append(
            ProductChoice(
                f"{agreement.id}:{product.id}",
                agreement.tenant_id,
                supplier_name,
                label,
                unit_type.kind,
            )
        )
    return out


async def place(
    db: AsyncSession,
    agreement: Agreement,
    part: PackagePart,
    request: PartRequest,
    key: str,
    package: Package,
) -> Placed:
    """Books one part at its supplier (the caller has bound the supplier): rooms for the
    lead tourist, a cruise cabin with every traveller real-name, spa tickets for the date.
    The key `<package id>:<seq>` makes a resumed saga find the order it already placed."""
    travellers = [Traveller(t["name"], t["id_number"]) for t in part.request["travellers"]]
    lead = travellers[0]
    order = await booking.place_order(
        db,
        TenantId(agreement.tenant_id),
        agreement,
        OrderRequest(
            product_id=request.product_id,
            arrival=request.arrival,
            departure=request.departure if request.nights else None,
            quantity=request.quantity,
            adults=len(travellers),
            guest_name=lead.name,
            guest_phone=str(part.request.get("phone", "")),
            id_number=lead.id_number,
            passengers=tuple(
                PassengerIn(
                    name=t.name,
                    id_number=t.id_number,
                    phone=str(part.request.get("phone", "")) if n == 0 else "",
                )
                for n, t in enumerate(travellers)
            ),
            idempotency_key=key,
            external_ref=package.number,
            notes=package.name,
        ),
        package_id=package.id,
    )
    return Placed(order.id, order.number, order.sale_fen, order.settlement_fen)


async def cancel(
    db: AsyncSession, agreement: Agreement, order_id: uuid.UUID, *, waive_fee: bool, reason: str
) -> int:
    """Cancels one part's order at its supplier (the caller has bound the supplier), with
    the fee waived for a compensation; answers the fee the supplier kept."""
    view = await orders.cancel_order(
        db,
        TenantId(agreement.tenant_id),
        agreement,
        order_id,
        reason=reason[:200],
        waive_fee=waive_fee,
    )
    return view.cancellation_fee_fen
