"""What a distributor may book, and at what price: an agreement's authorised product as the
supplier sells it (its unit type, rate plan and voyage), the dates it is sold for, and its
settlement price (net per room and night, per cabin, per ticket; or the sale price less a
commission), a sub-distributor's upline price for the same sale. Read through the
reservations service only, bound to the supplier."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.distribution import domain
from modules.distribution.models import Agreement, AgreementProduct
from modules.distribution.repository.agreements import AgreementsRepository, authorised_product
from modules.distribution.schemas.booking import MAX_NIGHTS, MAX_QUANTITY, OrderRequest
from modules.reservations import service as reservations
from tenants.service import tenant_settings

PUBLIC_PLAN = "rack"  # cabins and day tickets sell on the public rate, as online


@dataclass(frozen=True, slots=True)
class Product:
    """An authorised product with what the supplier sells it as."""

    row: AgreementProduct
    unit_type: reservations.UnitTypeView
    plan: reservations.RatePlanView
    voyage: reservations.VoyageView | None
    label: str

    @property
    def kind(self) -> str:
        return self.unit_type.kind


async def plans_of(db: AsyncSession, tid: TenantId) -> dict[uuid.UUID, reservations.RatePlanView]:
    return {p.id: p for p in await reservations.list_rate_plans(db, tid)}


async def describe(
    db: AsyncSession,
    tid: TenantId,
    row: AgreementProduct,
    plans: dict[uuid.UUID, reservations.RatePlanView],
    voyages: dict[uuid.UUID, reservations.VoyageView],
) -> Product | None:
    try:
        unit_type = await reservations.get_unit_type(db, tid, row.unit_type_id)
    except NotFound:
        return None
    plan = plans.get(row.rate_plan_id) if row.rate_plan_id else None
    if plan is None:
        plan = next((p for p in plans.values() if p.code == PUBLIC_PLAN and p.active), None)
    voyage = voyages.get(row.voyage_id) if row.voyage_id else None
    if not unit_type.active or plan is None or (row.voyage_id and voyage is None):
        return None
    label = unit_type.name
    if unit_type.kind == "room":
        label = f"{label} · {plan.name}"
    if voyage is not None:
        label = f"{voyage.route or voyage.code} {voyage.depart_on:%m-%d} · {label}"
    return Product(row, unit_type, plan, voyage, label)


async def product_of(
    db: AsyncSession, tid: TenantId, agreement: Agreement, product_id: uuid.UUID
) -> Product:
    """One product the agreement authorises today, on sale at the supplier; NotFound for
    anything else (the supplier's other products, another supplier's, a withdrawn one)."""
    row = await authorised_product(db, tid, agreement, product_id, on=await supplier_today(db, tid))
    voyages = {v.id: v for v in await reservations.list_voyages(db, tid)} if row.voyage_id else {}
    found = await describe(db, tid, row, await plans_of(db, tid), voyages)
    if found is None:
        raise NotFound()
    return found


def stay_dates(product: Product, arrival: date, departure: date | None) -> tuple[date, date]:
    """Cabins sail on their voyage's dates; a day ticket is one date; rooms as asked."""
    if product.voyage is not None:
        return product.voyage.depart_on, product.voyage.arrive_on
    if product.kind == "admission" or departure is None:
        return arrival, arrival + timedelta(days=1)
    return arrival, departure


def units_of(product: Product, arrival: date, departure: date, quantity: int) -> int:
    """How many times a net price counts: per room and night, per cabin, per ticket."""
    if product.kind == "room":
        return quantity * max(1, (departure - arrival).days)
    if product.kind == "cabin":
        return 1
    return quantity


def price_for(row: AgreementProduct, sale_fen: int, units: int) -> int:
    """The settlement price of a sale under one authorised product (never above the sale)."""
    net = row.net_price_fen * units if row.net_price_fen is not None else None
    return domain.settlement_price(
        sale_fen, row.price_mode, net_fen=net, commission_bp=row.commission_bp
    )


async def upline_price(
    db: AsyncSession,
    tid: TenantId,
    agreement: Agreement,
    row: AgreementProduct,
    sale: int,
    units: int,
) -> int | None:
    """A sub-distributor's sale: what its upline pays the supplier for the same sale (the
    upline's own authorised price), so the difference is the upline's commission."""
    if agreement.parent_id is None:
        return None
    upline = await AgreementsRepository(db, tid).product_for_unit(
        agreement.parent_id, row.unit_type_id, row.rate_plan_id, row.voyage_id
    )
    if upline is None:
        raise NotFound()
    return price_for(upline, sale, units)


async def offer_for(
    db: AsyncSession, tid: TenantId, product: Product, arrival: date, departure: date
) -> reservations.Offer | None:
    """The supplier's offer for one unit of the product on these dates (None: not on sale)."""
    try:
        offers = await reservations.search_availability(
            db,
            tid,
            arrival=arrival,
            departure=departure,
            adults=1,
            kind=product.kind,
            voyage_id=product.row.voyage_id,
            rate_plan_code=product.plan.code,
        )
    except Invalid:
        return None
    return next((o for o in offers if o.unit_type_id == product.unit_type.id), None)


async def supplier_today(db: AsyncSession, tid: TenantId) -> date:
    """The supplier's business date (its time zone): what "today" means for its products."""
    return clock.today(clock.tz_of(await tenant_settings(db, tid)))


def check_request(
    request: OrderRequest, product: Product, arrival: date, departure: date, today: date
) -> None:
    errors = []
    if arrival < today:
        errors.append(
            {"field": "arrival", "code": "invalid", "message": "Choose today or a later date."}
        )
    if product.kind == "room" and not 0 < (departure - arrival).days <= MAX_NIGHTS:
        errors.append({"field": "departure", "code": "invalid", "message": "Stay 1 to 30 nights."})
    if not 1 <= request.quantity <= MAX_QUANTITY:
        errors.append({"field": "quantity", "code": "invalid", "message": "Book 1 to 20."})
    if errors:
        raise Invalid(errors=errors)
