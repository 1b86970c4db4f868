"""Demo inventory for `make run` (never production): what a Chongqing hotel, a Yangtze
cruise line and a hot-spring resort sell, so the booking page and the front desk have
something real to work with.

- hotel (解放碑): 高级大床房, 豪华江景双床房, 行政套房 and 家庭房, rooms numbered by
  floor (1201…, 1601…, 2801…), river-view rooms high up; rack, member, corporate and
  distributor-net plans; weekend prices on Friday and Saturday nights.
- cruise: the line's rate plans only; its ships, voyages and cabins (each voyage's grades
  and cabins are unit types and units with the voyage's id) come from the boarding demo.
- hot-spring resort (北碚缙云): its own rooms, not the city hotel's: 温泉大床房 and
  温泉双床房 with a balcony spring pool, 汤屋庭院套房 round a private courtyard bath and
  缙云山景别墅; weekend prices on Friday and Saturday nights. Its day tickets are not made
  here: they are the keytags module's ticket types, kept in step with a unit type each by
  keytags (its demo calls `sync_online_ticket`).

Idempotent: what exists (by code) is left alone; each run only extends the calendars
to DAYS_AHEAD days from today, so a demo started again weeks later is still bookable.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from modules.payments import service as payments
from modules.reservations import service
from modules.reservations.repository import SetupRepository

log = logging.getLogger("zhilv.reservations")

DAYS_AHEAD = 180
FRIDAY, SATURDAY, SUNDAY = 4, 5, 6


@dataclass(frozen=True, slots=True)
class DemoType:
    code: str
    name: str
    capacity: int
    price_yuan: int
    weekend_yuan: int
    rooms: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    kind: str = "room"
    description: str = ""
    total: int | None = None  # tickets on sale per day when there are no rooms


HOTEL_TYPES = (
    DemoType(
        "SUP-K",
        "高级大床房",
        2,
        688,
        788,
        tuple(f"{f}{n:02d}" for f in (12, 13, 14, 15) for n in range(1, 9)),
        description="35㎡，1.8米大床，可看解放碑街景",
    ),
    DemoType(
        "DLX-RV-T",
        "豪华江景双床房",
        2,
        888,
        1088,
        tuple(f"{f}{n:02d}" for f in (16, 18, 20, 22) for n in range(1, 7)),
        ("river_view", "high_floor"),
        description="42㎡，两张1.35米床，可望长江与嘉陵江交汇",
    ),
    DemoType(
        "FAM",
        "家庭房",
        4,
        1088,
        1288,
        ("1109", "1110", "1111", "1112"),
        ("quiet", "connecting"),
        description="两间相通，适合带孩子出游",
    ),
    DemoType(
        "EXEC-S",
        "行政套房",
        2,
        1688,
        1888,
        tuple(f"28{n:02d}" for n in range(1, 7)),
        ("river_view", "high_floor", "balcony"),
        description="80㎡，独立客厅，含行政酒廊礼遇",
    ),
)
HOTEL_PLANS = (
    service.RatePlanInput("rack", "门市价", free_cancel_hours=24, cancel_fee_kind="first_night"),
    service.RatePlanInput(
        "member",
        "会员价",
        kind="member",
        discount_bp=1200,
        free_cancel_hours=48,
        cancel_fee_kind="first_night",
    ),
    service.RatePlanInput(
        "corporate",
        "协议价",
        kind="corporate",
        discount_bp=1500,
        free_cancel_hours=6,
        cancel_fee_kind="first_night",
    ),
    service.RatePlanInput(
        "ota-net",
        "分销净价",
        kind="distributor_net",
        net_price_fen=52000,
        free_cancel_hours=72,
        cancel_fee_kind="full",
        deposit_kind="full",
    ),
    service.RatePlanInput(
        "prepaid",
        "提前预付优惠",
        kind="member",
        discount_bp=1000,
        free_cancel_hours=0,
        cancel_fee_kind="full",
        deposit_kind="full",
    ),
)
CRUISE_PLANS = (
    service.RatePlanInput(
        "rack",
        "官网价",
        free_cancel_hours=168,
        cancel_fee_kind="percent",
        cancel_fee_bp=3000,
        deposit_kind="percent",
        deposit_bp=3000,
    ),
    service.RatePlanInput(
        "agency-net",
        "旅行社净价",
        kind="distributor_net",
        net_price_fen=120000,
        free_cancel_hours=336,
        cancel_fee_kind="full",
        deposit_kind="full",
    ),
)
# A hotel that is also a hot spring: low buildings on the slope of 缙云山, every room with
# its own spring water; two day tickets a night are in the price (the keytags desk admits
# a guest of the stay on the package).
RESORT_TYPES = (
    DemoType(
        "SPR-K",
        "温泉大床房",
        2,
        888,
        1088,
        tuple(f"{f}{n:02d}" for f in (2, 3) for n in range(1, 13)),
        ("balcony",),
        description="38㎡，1.8米大床，阳台私享温泉泡池，含双人温泉门票",
    ),
    DemoType(
        "SPR-T",
        "温泉双床房",
        2,
        888,
        1088,
        tuple(f"{f}{n:02d}" for f in (2, 3) for n in range(13, 21)),
        ("balcony",),
        description="40㎡，两张1.35米床，阳台温泉泡池，含双人温泉门票",
    ),
    DemoType(
        "SPR-SUITE",
        "汤屋庭院套房",
        2,
        1688,
        1988,
        tuple(f"T{n:02d}" for n in range(1, 9)),
        ("quiet",),
        description="65㎡，独立庭院与私家汤屋，含双人温泉门票与早餐",
    ),
    DemoType(
        "VILLA",
        "缙云山景别墅",
        4,
        3680,
        4280,
        ("V01", "V02", "V03", "V04"),
        ("quiet", "balcony"),
        description="独栋两居，露天私汤，远眺缙云山，含四人温泉门票与早餐",
    ),
)
SPRING_PLANS = (
    service.RatePlanInput("rack", "门市价", free_cancel_hours=0, cancel_fee_kind="none"),
)


async def seed_demo(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...] = (), *, today: date | None = None
) -> None:
    """Inventory for each of the tenant's kinds (hotel, cruise, hot_spring); a hotel that is
    also a hot spring gets the resort's rooms."""
    today = today or clock.today()
    if "hotel" in kinds:
        await _plans(db, tenant_id, HOTEL_PLANS)
        rooms = RESORT_TYPES if "hot_spring" in kinds else HOTEL_TYPES
        for order, t in enumerate(rooms):
            await _type(db, tenant_id, t, today, order=order)
    if "cruise" in kinds:  # the voyages and their cabins come from boarding's demo
        await _plans(db, tenant_id, CRUISE_PLANS)
    if "hot_spring" in kinds:  # the day tickets come from keytags' ticket types
        await _plans(db, tenant_id, SPRING_PLANS)


async def _plans(
    db: AsyncSession, tenant_id: TenantId, plans: tuple[service.RatePlanInput, ...]
) -> None:
    existing = {p.code for p in await service.list_rate_plans(db, tenant_id)}
    for plan in plans:
        if plan.code not in existing:
            await service.create_rate_plan(db, tenant_id, plan)


async def _type(
    db: AsyncSession,
    tenant_id: TenantId,
    t: DemoType,
    today: date,
    *,
    order: int,
    voyage: service.VoyageView | None = None,
) -> None:
    code = f"{t.code}-{voyage.depart_on:%m%d}" if voyage else t.code
    repo = SetupRepository(db, tenant_id)
    found = await repo.unit_type_by_code(code)
    if found is None:
        ut = await service.create_unit_type(
            db,
            tenant_id,
            code=code,
            name=t.name,
            kind=t.kind,
            capacity=t.capacity,
            base_price_fen=t.price_yuan * 100,
            description=t.description,
            voyage_id=voyage.id if voyage else None,
            sort_order=order,
        )
        for number in t.rooms:
            await service.create_unit(
                db, tenant_id, unit_type_id=ut.id, number=number, features=t.features
            )
        type_id = ut.id
    else:
        type_id = found.id
    start, end = (
        (voyage.depart_on, voyage.arrive_on - timedelta(days=1))
        if voyage
        else (today, today + timedelta(days=DAYS_AHEAD - 1))
    )
    last = await repo.last_day(type_id)
    if last is not None and last >= end:
        return
    first = max(start, last + timedelta(days=1)) if last else start
    await service.set_calendar(
        db, tenant_id, unit_type_id=type_id, start=first, end=end, total=t.total
    )
    if t.weekend_yuan != t.price_yuan:
        weekend = (SATURDAY, SUNDAY) if t.kind == "admission" else (FRIDAY, SATURDAY)
        await service.set_calendar(
            db,
            tenant_id,
            unit_type_id=type_id,
            start=first,
            end=end,
            weekdays=weekend,
            price_fen=t.weekend_yuan * 100,
        )


# Deposits ---------------------------------------------------------------------------------
# The demo enterprises' upcoming and in-house bookings show deposits taken the way
# Chongqing guests pay at the desk (WeChat Pay, Alipay, cash). Run after the front desk's
# demo (its check-ins count), with the tenant bound.

DEPOSIT_DAYS_AHEAD = 14
DEPOSIT_METHODS = ("wechat", "alipay", "cash")


async def seed_deposits(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...] = (), *, today: date | None = None
) -> int:
    """Record a desk deposit on each unpaid confirmed or in-house booking from today on;
    returns how many were recorded. Idempotent: a booking that already has a payment is
    left alone."""
    today = today or clock.today()
    methods = itertools.cycle(DEPOSIT_METHODS)
    recorded = 0
    for r in await _upcoming(db, tenant_id, today):
        if r.paid_fen or r.total_fen <= 0 or r.status not in _DEPOSIT_STATUSES:
            continue
        if await payments.payments_for(db, tenant_id, service.RESERVATION, r.id):
            continue
        await payments.record_manual_payment(
            db,
            tenant_id,
            subject_type=service.RESERVATION,
            subject_id=r.id,
            amount_fen=_deposit(r),
            method=next(methods),
            kind="deposit",
            description=f"{r.code} 定金",
        )
        recorded += 1
    return recorded


_DEPOSIT_STATUSES = (service.ReservationStatus.CONFIRMED, service.ReservationStatus.CHECKED_IN)


async def _upcoming(
    db: AsyncSession, tenant_id: TenantId, today: date
) -> list[service.ReservationView]:
    seen: dict[object, service.ReservationView] = {}
    for offset in range(DEPOSIT_DAYS_AHEAD):
        day = await service.list_day(db, tenant_id, today + timedelta(days=offset))
        for r in (*day.in_house, *day.arrivals):
            seen.setdefault(r.id, r)
    return list(seen.values())


def _deposit(r: service.ReservationView) -> int:
    """The plan's deposit, else the first night, else the whole stay."""
    if 0 < r.deposit_fen <= r.total_fen:
        return r.deposit_fen
    if r.night_prices and r.night_prices[0].price_fen > 0:
        return min(r.night_prices[0].price_fen, r.total_fen)
    return r.total_fen // r.nights if r.nights > 1 else r.total_fen
