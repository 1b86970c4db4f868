"""The night audit (夜审): closing a business day.

Once a day has ended, bookings that should have arrived and did not are marked no-show
(the reservations module takes the fee per the rate plan), and the day's figures are
computed from the folio and the bookings, all in integers, into one row per day.

Running it again for the same day changes nothing when nothing changed; after a
correction (a late charge, an adjustment) it recomputes the row. Two runs of one day
queue on that row's lock, so a no-show is never marked twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Invalid
from modules.frontdesk import domain
from modules.frontdesk.models import DailyFigures
from modules.frontdesk.repository.audit import AuditRepository
from modules.frontdesk.schemas import AuditResult, DailyFiguresView
from modules.reservations import service as reservations
from tenants.service import record_audit

__all__ = ["audit_days_due", "daily_figures", "run_night_audit"]

CATCH_UP_DAYS = 7

FIGURES = (
    "rooms",
    "room_nights_available",
    "room_nights_sold",
    "occupancy_bp",
    "adr_fen",
    "revpar_fen",
    "room_revenue_fen",
    "fnb_revenue_fen",
    "other_revenue_fen",
    "revenue_by_source",
    "arrivals",
    "departures",
    "in_house_guests",
    "guests_domestic",
    "guests_foreign",
    "no_shows",
    "cancellations",
)


def figures_view(row: DailyFigures) -> DailyFiguresView:
    return DailyFiguresView(
        business_date=row.business_date,
        computed_at=row.computed_at,
        **{name: getattr(row, name) for name in FIGURES},
    )


async def _mark_no_shows(
    db: AsyncSession, tenant_id: TenantId, day: date, actor: Actor
) -> tuple[str, ...]:
    """Confirmed room bookings due on or before the closed day that never checked in."""
    who = reservations.Actor(user_id=actor.user_id, ip=actor.ip)
    codes = []
    for reservation_id in await reservations.missed_arrivals(db, tenant_id, day):
        try:
            r = await reservations.mark_no_show(db, tenant_id, reservation_id, actor=who)
        except reservations.WrongStatus:  # checked in or cancelled meanwhile
            continue
        codes.append(r.code)
    return tuple(codes)


async def _compute(db: AsyncSession, tenant_id: TenantId, day: date, tz: str) -> dict[str, object]:
    repo = AuditRepository(db, tenant_id)
    start, end = domain.day_bounds(day, tz)
    counts = await reservations.day_counts(db, tenant_id, day, tz=tz)
    nights = await repo.room_nights(day)
    by_source = await repo.other_revenue(start, end)
    arrived, departed = await repo.movements(start, end)
    party = await reservations.parties(db, tenant_id, {*nights.reservation_ids, *arrived})
    fnb, other = domain.split_revenue(by_source)
    arriving = [party[r] for r in arrived if r in party]
    domestic = sum(p.guests for p in arriving if domain.is_domestic(p.id_type))
    # A day with no calendar still had its rooms; never more sold than available.
    available = max(counts.room_nights_available or counts.rooms, nights.sold)
    return {
        "rooms": counts.rooms,
        "room_nights_available": available,
        "room_nights_sold": nights.sold,
        "occupancy_bp": domain.ratio(nights.sold, available, 10000),
        "adr_fen": domain.ratio(nights.revenue_fen, nights.sold),
        "revpar_fen": domain.ratio(nights.revenue_fen, available),
        "room_revenue_fen": nights.revenue_fen,
        "fnb_revenue_fen": fnb,
        "other_revenue_fen": other,
        "revenue_by_source": by_source,
        "arrivals": len(arrived),
        "departures": departed,
        "in_house_guests": sum(party[r].guests for r in nights.reservation_ids if r in party),
        "guests_domestic": domestic,
        "guests_foreign": sum(p.guests for p in arriving) - domestic,
        "no_shows": counts.no_shows,
        "cancellations": counts.cancellations,
    }


async def run_night_audit(
    db: AsyncSession,
    tenant_id: TenantId,
    day: date,
    *,
    actor: Actor,
    tz: str,
    now: datetime | None = None,
) -> AuditResult:
    """Close `day`: no-shows marked, the day's figures written (or left alone when they
    are already exactly these). Refused for a day that has not ended where the hotel is."""
    now = now or clock.now()
    if day >= domain.business_date(tz, now):
        raise Invalid.field("day", "This day has not ended yet; close it after midnight.")
    repo = AuditRepository(db, tenant_id)
    row = await repo.locked_day(day)
    marked = await _mark_no_shows(db, tenant_id, day, actor)
    values = await _compute(db, tenant_id, day, tz)
    changed = any(getattr(row, name) != value for name, value in values.items())
    if changed:
        for name, value in values.items():
            setattr(row, name, value)
        row.computed_at, row.computed_by = now, actor.user_id
        await repo.flush()
    if changed or marked:
        await record_audit(
            db,
            tenant_id,
            "frontdesk.night_audit",
            actor_user_id=actor.user_id,
            subject_type="business_day",
            subject_id=row.id,
            data={"day": day.isoformat(), "no_shows": list(marked), **_summary(values)},
            ip=actor.ip,
        )
    return AuditResult(figures=figures_view(row), no_shows_marked=marked, changed=changed)


def _summary(values: dict[str, object]) -> dict[str, object]:
    keys = ("room_nights_sold", "occupancy_bp", "room_revenue_fen")
    return {k: values[k] for k in keys}


async def daily_figures(
    db: AsyncSession, tenant_id: TenantId, day: date
) -> DailyFiguresView | None:
    """The audited figures of a day (None until the day is closed)."""
    row = await AuditRepository(db, tenant_id).day(day)
    return figures_view(row) if row else None


async def audit_days_due(
    db: AsyncSession, tenant_id: TenantId, *, tz: str, now: datetime | None = None
) -> list[date]:
    """The days the scheduled audit should close now, oldest first: the last ended day,
    and the days since the last audited one when the worker missed some (at most a week
    back; a hotel never audited starts with the last day only)."""
    last = domain.last_closed_day(tz, now or clock.now())
    latest = await AuditRepository(db, tenant_id).latest_day()
    if latest is None:
        return [last]
    first = max(latest + timedelta(days=1), last - timedelta(days=CATCH_UP_DAYS - 1))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
