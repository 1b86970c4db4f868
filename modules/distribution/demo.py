"""The demo's distribution network, through the module's own services.

巴渝国旅 (the demo agency) distributes three demo suppliers' products under prepaid, monthly
agreements at net prices: 解放碑酒店's rooms on the rack plan, 峡云游轮's cabin grades on its
coming voyages, 缙云温泉's day tickets. It topped up each prepaid balance at the start of last
month and sold through the month (orders for coming stays, sailings and spa days, one
cancelled); last month's period is settled, and both sides confirmed its statement, so it is
closed. This month has orders of its own. 同程旅行 (an external OTA, on credit with the
hotel, weekly, a commission off the sale price) has an API key 「分销 <code> 同程旅行（演示）」
and a callback address on this machine (`python -m devtools.webhook_receiver <secret>` receives
them).

Last month's business is recorded as of its own dates (`app.clock.as_of`): the ledger dates
each entry on the day it happened, so the statements are the ledger's. Everything is made
once: a supplier that already distributes through the agency is left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import SYSTEM
from app.db.engine import TenantId, bind_tenant
from app.identifiers import id_check_char, make_uscc
from modules.distribution.models import Agreement
from modules.distribution.repository.agreements import AgreementsRepository
from modules.distribution.schemas.agreements import AgreementTerms, Price, ProductChoice
from modules.distribution.schemas.booking import OrderRequest, OrderView, PassengerIn
from modules.distribution.service import (
    agreements,
    booking,
    distributors,
    funds,
    orders,
    settlement,
)

AGENCY = "bayu-travel"
HOTEL = "jiefangbei-hotel"
CRUISE = "xiayun-cruises"
SPRING = "jinyun-springs"
SUPPLIERS = (HOTEL, CRUISE, SPRING)
OTA_NAME = "同程旅行（演示）"
RECEIVER_URL = "http://127.0.0.1:8765/zhilv/callbacks"
TOP_UP_FEN = {HOTEL: 3_000_000, CRUISE: 5_000_000, SPRING: 1_000_000}
NET_SHARE = {HOTEL: 85, CRUISE: 88, SPRING: 80}  # percent of the sale price
AGENCY_CONTACT = distributors.Contact(
    name="刘晓燕", phone="13883012345", email="sales@bayu-travel.demo"
)
OTA_CONTACT = distributors.Contact(name="周敏", phone="13902287654", email="hotel@ctrip.demo")
LIU_FANG = date(1974, 8, 19)
GUESTS = (
    ("王建国", "13508301122", date(1972, 3, 14), True),
    ("陈晓梅", "13983456789", date(1985, 7, 2), False),
    ("李志强", "13627651234", date(1990, 11, 23), True),
    ("张丽华", "15023334455", date(1968, 5, 30), False),
    ("赵明", "18623190088", date(1995, 1, 9), True),
)


@dataclass(slots=True)
class DistributionDemo:
    """What `make run` points at."""

    agreements: list[str] = field(default_factory=list)
    statements_closed: int = 0
    ota_secret: str = ""
    ota_key: str = ""


def resident_id(area: str, born: date, serial: int, male: bool) -> str:
    """A valid invented GB 11643 number (Chongqing area codes, the sex in the serial)."""
    seq = serial * 2 + (1 if male else 0)
    first17 = f"{area}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), clock.zone())


async def seed_network(db: AsyncSession, slugs: Mapping[str, TenantId]) -> DistributionDemo:
    """The agency's agreements with the three suppliers and the OTA's with the hotel; once."""
    demo = DistributionDemo()
    agency = slugs.get(AGENCY)
    if agency is None:
        return demo
    today = clock.today()
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    for slug in SUPPLIERS:
        supplier = slugs.get(slug)
        if supplier is None:
            continue
        await bind_tenant(db, supplier)
        number = await _supplier(db, supplier, agency, slug, last_month, today)
        if number:
            demo.agreements.append(number)
    hotel = slugs.get(HOTEL)
    if hotel is not None:
        await bind_tenant(db, hotel)
        demo.ota_key, demo.ota_secret = await _ota(db, hotel, last_month)
    for slug in SUPPLIERS:
        supplier = slugs.get(slug)
        if supplier is not None:
            await bind_tenant(db, supplier)
            demo.statements_closed += await _close_last_month(db, supplier, last_month)
    await bind_tenant(db, None)
    return demo


async def _supplier(
    db: AsyncSession,
    supplier: TenantId,
    agency: TenantId,
    slug: str,
    last_month: date,
    today: date,
) -> str:
    repo = AgreementsRepository(db, supplier)
    if await repo.distributor_for_partner(agency) is not None:
        return ""
    with clock.as_of(_at(last_month, 9)):
        d = await distributors.add_agency(db, supplier, agency, AGENCY_CONTACT)
        view = await agreements.create_agreement(
            db,
            supplier,
            d.id,
            AgreementTerms(
                valid_from=last_month,
                valid_to=date(last_month.year + 1, 12, 31),
                payment_terms="prepaid",
                credit_limit_fen=0,
                cycle="monthly",
                may_appoint=False,
                platform_fee_bp=0,
                notes="巴渝国旅散客及团队采购，净价结算，月结。",
            ),
            actor=SYSTEM,
        )
        products = await _authorise(db, supplier, view.id, slug, today)
    with clock.as_of(_at(last_month + timedelta(days=1), 11)):
        await funds.record_receipt(
            db,
            supplier,
            view.id,
            amount_fen=TOP_UP_FEN[slug],
            reference=f"招商银行 转账 {last_month:%Y%m}02-{slug[:4].upper()}",
            memo="预付款充值",
            actor=SYSTEM,
        )
    agreement = await repo.agreement(view.id)
    assert agreement is not None
    await _sell(db, supplier, agreement, products, slug, last_month, today)
    return view.number


def _wanted(choices: list[ProductChoice], slug: str, today: date) -> list[ProductChoice]:
    if slug == HOTEL:
        return [c for c in choices if c.kind == "room" and "门市" in c.name][:4]
    if slug == CRUISE:
        return [c for c in choices if c.kind == "cabin"][:6]
    return [c for c in choices if c.kind == "admission"][:3]


async def _authorise(
    db: AsyncSession, supplier: TenantId, agreement_id: uuid.UUID, slug: str, today: date
) -> list[ProductChoice]:
    chosen = _wanted(await agreements.choices_for(db, supplier), slug, today)
    for c in chosen:
        net = max(100, c.sale_fen * NET_SHARE[slug] // 100 // 100 * 100)
        await agreements.set_price(
            db, supplier, agreement_id, c.key, Price(mode="net", net_fen=net, commission_bp=None)
        )
    return chosen


async def _sell(
    db: AsyncSession,
    supplier: TenantId,
    agreement: Agreement,
    products: list[ProductChoice],
    slug: str,
    last_month: date,
    today: date,
) -> None:
    """A few orders through last month (for coming dates) and one today; one cancelled."""
    ids = {(p.unit_type_id, p.rate_plan_id, p.voyage_id): p for p in products}
    authorised = [
        p
        for p in await agreements.agreement_products(db, supplier, agreement.id)
        if (p.unit_type_id, p.rate_plan_id, p.voyage_id) in ids
    ]
    days = (3, 9, 16, 24)
    placed: list[str] = []
    for n, day in enumerate(days):
        if not authorised:
            return
        product = authorised[n % len(authorised)]
        with clock.as_of(_at(last_month + timedelta(days=day - 1), 14)):
            view = await _order(db, supplier, agreement, product.id, slug, today, n)
            if view is not None:
                placed.append(view.number)
    if len(placed) > 1:
        with clock.as_of(_at(last_month + timedelta(days=26), 16)):
            await orders.cancel_order(
                db, supplier, agreement, placed[1], actor=SYSTEM, reason="游客行程变更"
            )
    await _order(db, supplier, agreement, authorised[0].id, slug, today, len(days))


async def _order(
    db: AsyncSession,
    supplier: TenantId,
    agreement: Agreement,
    product_id: uuid.UUID,
    slug: str,
    today: date,
    n: int,
) -> OrderView | None:
    name, phone, born, male = GUESTS[n % len(GUESTS)]
    person = resident_id("500103", born, 40 + n, male)
    arrival = today + timedelta(days=6 + 3 * n)
    request = OrderRequest(
        product_id=product_id,
        arrival=arrival,
        departure=arrival + timedelta(days=2) if slug == HOTEL else None,
        quantity=2 if slug == SPRING else 1,
        adults=2,
        guest_name=name,
        guest_phone=phone,
        id_type="resident_id",
        id_number=person,
        passengers=(
            PassengerIn(name=name, id_number=person, phone=phone),
            PassengerIn(
                name="刘芳", id_number=resident_id("500106", date(1974, 8, 19), 60 + n, False)
            ),
        )
        if slug == CRUISE
        else (),
        idempotency_key=f"demo-{slug}-{clock.today():%Y%m}-{n}",
    )
    try:
        return await booking.place_order(db, supplier, agreement, request, actor=SYSTEM)
    except Exception:
        return None


async def _ota(db: AsyncSession, hotel: TenantId, last_month: date) -> tuple[str, str]:
    """The OTA's agreement with the hotel, its key and its callback address: the key's name
    and the signing secret."""
    found = next(
        (d for d in await distributors.list_distributors(db, hotel) if d.name == OTA_NAME), None
    )
    if found is None:
        found = await distributors.add_external(
            db, hotel, OTA_NAME, make_uscc("310000", "MA1FL5LX", dept="9", kind="1"), OTA_CONTACT
        )
        view = await agreements.create_agreement(
            db,
            hotel,
            found.id,
            AgreementTerms(
                valid_from=last_month,
                valid_to=date(last_month.year + 1, 12, 31),
                payment_terms="credit",
                credit_limit_fen=5_000_000,
                cycle="weekly",
                may_appoint=False,
                platform_fee_bp=0,
                notes="携程酒店频道，佣金 12%，周结。",
            ),
            actor=SYSTEM,
        )
        for c in [c for c in await agreements.choices_for(db, hotel) if c.kind == "room"][:4]:
            await agreements.set_price(
                db,
                hotel,
                view.id,
                c.key,
                Price(mode="commission", net_fen=None, commission_bp=1200),
            )
        await distributors.issue_api_key(db, hotel, found.id, actor=SYSTEM)
        await distributors.set_callback_url(db, hotel, found.id, RECEIVER_URL)
    secret = await distributors.callback_secret(db, hotel, found.id) or ""
    return f"分销 {found.code} {found.name}"[:100], secret


async def _close_last_month(db: AsyncSession, supplier: TenantId, last_month: date) -> int:
    """Settle what has ended and close last month's statements (both sides confirm)."""
    await settlement.settle_period(db, supplier)
    closed = 0
    for s, _agreement, _name in await settlement.list_statements(db, supplier):
        if s.period_start != last_month:
            continue
        if s.status == "closed":
            closed += 1
            continue
        for side, by in (("supplier", "财务 李静"), ("distributor", "巴渝国旅 财务")):
            stamp = s.supplier_confirmed_at if side == "supplier" else s.distributor_confirmed_at
            if stamp is None:
                await settlement.confirm_statement(
                    db, supplier, s.id, side=side, by=by, open_disputes=0
                )
        closed += 1
    return closed
