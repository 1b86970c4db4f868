"""Demo payments: the demo enterprises' upcoming and in-house bookings show deposits taken
the way Chongqing guests pay at the desk (WeChat Pay, Alipay, cash).

Run after the reservations and front-desk demo seeds, with the tenant bound. Idempotent:
a booking that already has a payment is left alone."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from modules.payments.service import payments_for, record_manual_payment
from modules.reservations import service as reservations
from modules.reservations.service import ReservationView

DAYS_AHEAD = 14
METHODS = ("wechat", "alipay", "cash")


async def seed_demo(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...] = (), *, today: date | None = None
) -> int:
    """Record a desk deposit on each unpaid confirmed or in-house booking from today on;
    returns how many were recorded."""
    today = today or date.today()
    methods = itertools.cycle(METHODS)
    recorded = 0
    for r in await _upcoming(db, tenant_id, today):
        if r.paid_fen or r.total_fen <= 0 or r.status not in ("confirmed", "checked_in"):
            continue
        if await payments_for(db, tenant_id, "reservation", r.id):
            continue
        await record_manual_payment(
            db,
            tenant_id,
            subject_type="reservation",
            subject_id=r.id,
            amount_fen=_deposit(r),
            method=next(methods),
            kind="deposit",
            description=f"{r.code} 定金",
        )
        recorded += 1
    return recorded


async def _upcoming(db: AsyncSession, tenant_id: TenantId, today: date) -> list[ReservationView]:
    seen: dict[object, ReservationView] = {}
    for offset in range(DAYS_AHEAD):
        day = await reservations.list_day(db, tenant_id, today + timedelta(days=offset))
        for r in (*day.in_house, *day.arrivals):
            seen.setdefault(r.id, r)
    return list(seen.values())


def _deposit(r: ReservationView) -> int:
    """The plan's deposit, else the first night, else the whole stay."""
    if 0 < r.deposit_fen <= r.total_fen:
        return r.deposit_fen
    if r.night_prices and r.night_prices[0].price_fen > 0:
        return min(r.night_prices[0].price_fen, r.total_fen)
    return r.total_fen // r.nights if r.nights > 1 else r.total_fen
