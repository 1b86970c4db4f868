"""The availability and price calendar: one row per unit type and date, shown as a
grid and edited in bulk over date ranges (optionally only some weekdays)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.reservations.repository import SetupRepository
from modules.reservations.schemas import Calendar, CalendarCell, CalendarRow
from modules.reservations.service.inventory import field_error, list_unit_types

MAX_RANGE_DAYS = 400


async def calendar(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    start: date,
    days: int = 14,
    unit_type_id: uuid.UUID | None = None,
) -> Calendar:
    """Availability, price and restrictions per type and date, for the console grid."""
    repo = SetupRepository(db, tenant_id)
    dates = tuple(start + timedelta(days=i) for i in range(max(1, min(days, 62))))
    types = await list_unit_types(db, tenant_id)
    if unit_type_id is not None:
        types = [t for t in types if t.id == unit_type_id]
    rows = await repo.calendar(
        start, dates[-1] + timedelta(days=1), unit_type_ids=[t.id for t in types]
    )
    cells: dict[tuple[uuid.UUID, date], CalendarCell] = {
        (r.unit_type_id, r.day): CalendarCell(
            r.day, r.total, r.sold, r.price_fen, r.closed, r.closed_to_arrival, r.min_stay
        )
        for r in rows
    }
    grid = tuple(
        CalendarRow(t, tuple(cells.get((t.id, d)) for d in dates))
        for t in types
        if t.voyage_id is None or any((t.id, d) in cells for d in dates)
    )
    return Calendar(start=start, days=dates, rows=grid)


async def set_calendar(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    unit_type_id: uuid.UUID,
    start: date,
    end: date,
    weekdays: tuple[int, ...] = (),
    total: int | None = None,
    price_fen: int | None = None,
    closed: bool | None = None,
    closed_to_arrival: bool | None = None,
    min_stay: int | None = None,
) -> int:
    """Set the given fields on every date in [start, end] (only on `weekdays`, 0 =
    Monday, when given); dates not yet on sale are opened with the type's unit count and
    base price. Refuses a total below what is already sold. Returns the dates changed."""
    repo = SetupRepository(db, tenant_id)
    ut = await repo.unit_type(unit_type_id)
    if ut is None:
        raise NotFound()
    errors = []
    if end < start or (end - start).days >= MAX_RANGE_DAYS:
        errors.append(
            field_error("end", "Choose an end date on or after the start, within 400 days.")
        )
    if total is not None and not 0 <= total <= 10000:
        errors.append(field_error("total", "Between 0 and 10000."))
    if price_fen is not None and price_fen < 0:
        errors.append(field_error("price", "The price cannot be negative."))
    if min_stay is not None and not 1 <= min_stay <= 30:
        errors.append(field_error("min_stay", "Between 1 and 30 nights."))
    if errors:
        raise Invalid(errors=errors)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if not weekdays or d.weekday() in weekdays]
    if not days:
        return 0
    if total is not None and total < await repo.most_sold(ut.id, days):
        raise Invalid.field("total", "Some of these dates have sold more than that already.")
    units = (await repo.unit_counts()).get(ut.id, 0)
    await repo.upsert_days(
        ut,
        days,
        default_total=units,
        total=total,
        price_fen=price_fen,
        closed=closed,
        closed_to_arrival=closed_to_arrival,
        min_stay=min_stay,
    )
    return len(days)
