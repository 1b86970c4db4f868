"""Reconciliation of redemptions against orders, per month (the supplier's dates): what was
sold through distributors but never redeemed (no check-in, boarding or admission although
the date has passed), and what was redeemed as a distribution booking without a live order
(cancelled, or never placed). Operators otherwise do this by hand, and it is where revenue
goes unreported.

An order counts as redeemed when its reservation was checked in (read through the
reservations service) or when a redemption event (check-in, boarding, admission) marked it
(`redeemed_at`, distribution's event handlers)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid
from app.i18n import gettext
from modules.distribution.repository.reconciliation import OrderRow, ReconciliationRepository
from modules.distribution.schemas.settlement import Reconciliation, ReconciliationLine
from modules.distribution.service.settlement import period_of
from modules.reservations import service as reservations
from tenants.service import tenant_settings

REDEEMED = ("checked_in", "checked_out")
PAGE = 500
ORDER_STATUS_LABELS = {
    "confirmed": "Confirmed",
    "cancelled": "Cancelled",
    "redeemed": "Redeemed",
    "": "No order",
}
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)


def month_of(text: str | None, today: date) -> tuple[date, date]:
    """The month `YYYY-MM` as [start, end); this month when not given."""
    if not text:
        return period_of(today, "monthly")
    found = _MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise Invalid.field("period", gettext("A month is written YYYY-MM."))
    return period_of(date(int(found[1]), int(found[2]), 1), "monthly")


async def _redeemed_reservations(
    db: AsyncSession, tid: TenantId, start: date, end: date
) -> list[reservations.ReservationView]:
    """Distribution bookings arriving in the period and checked in (or out)."""
    found: list[reservations.ReservationView] = []
    for status in REDEEMED:
        page = 1
        while True:
            rows = await reservations.search_reservations(
                db, tid, status=status, arrival_from=start,
                arrival_to=date.fromordinal(end.toordinal() - 1), page=page, per_page=PAGE,
            )  # fmt: skip
            found += [r for r in rows if r.source == "distribution"]
            if len(rows) < PAGE:
                break
            page += 1
    return found


def _line(o: OrderRow, reservation_code: str, reservation_status: str) -> ReconciliationLine:
    return ReconciliationLine(
        order_number=o.number,
        reservation_code=reservation_code,
        guest_name=o.guest_name,
        arrival=o.arrival,
        departure=o.departure,
        agreement_number=o.agreement_number,
        distributor_name=o.distributor_name,
        order_status=o.status,
        reservation_status=reservation_status,
        settlement_fen=o.settlement_fen,
    )


async def reconcile_month(
    db: AsyncSession, tid: TenantId, period: str | None = None
) -> Reconciliation:
    """The two lists for a month: sold-but-not-redeemed (dates passed) and
    redeemed-but-not-sold."""
    today = clock.today(clock.tz_of(await tenant_settings(db, tid)))
    start, end = month_of(period, today)
    orders = await ReconciliationRepository(db, tid).orders(start, end)
    redeemed = await _redeemed_reservations(db, tid, start, end)
    by_reservation = {r.id: r for r in redeemed}
    sold_not_redeemed = [
        _line(o, "", "")
        for o in orders
        if o.status == "confirmed"
        and o.redeemed_at is None
        and o.arrival < today
        and (o.reservation_id is None or o.reservation_id not in by_reservation)
    ]
    live = {o.reservation_id for o in orders if o.reservation_id and o.status != "cancelled"}
    elsewhere = await ReconciliationRepository(db, tid).orders_of(
        [r.id for r in redeemed if r.id not in live]
    )
    redeemed_not_sold = [
        _orphan(r, elsewhere.get(r.id, ""))
        for r in redeemed
        if r.id not in live and elsewhere.get(r.id, "") in ("", "cancelled")
    ]
    redeemed_not_sold += [
        _line(o, "", "") for o in orders if o.status == "cancelled" and o.redeemed_at is not None
    ]
    return Reconciliation(
        period_start=start,
        period_end=end,
        sold_not_redeemed=tuple(sold_not_redeemed),
        redeemed_not_sold=tuple(redeemed_not_sold),
        orders=sum(1 for o in orders if o.status != "cancelled"),
        redeemed=len(redeemed),
    )


def _orphan(r: reservations.ReservationView, order_status: str) -> ReconciliationLine:
    return ReconciliationLine(
        order_number="",
        reservation_code=r.code,
        guest_name=r.guest_name,
        arrival=r.arrival,
        departure=r.departure,
        agreement_number="",
        distributor_name=r.channel,
        order_status=order_status,
        reservation_status=r.status,
        settlement_fen=0,
    )
