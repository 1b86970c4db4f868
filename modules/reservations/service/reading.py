"""Finding reservations: by code, the front desk's day, the console's search."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import NotFound
from modules.reservations.repository import BookingRepository
from modules.reservations.schemas import STATUSES, DayLists, ReservationView
from modules.reservations.service.views import reservation_view


async def find_by_code(db: AsyncSession, tenant_id: TenantId, code: str) -> ReservationView:
    """A guest's confirmation code (case and spaces forgiven); NotFound otherwise."""
    repo = BookingRepository(db, tenant_id)
    row = await repo.view_by_code(code.replace(" ", ""))
    if row is None:
        raise NotFound()
    return reservation_view(row, await repo.nights(row.Reservation.id))


async def list_day(db: AsyncSession, tenant_id: TenantId, day: date) -> DayLists:
    """Who arrives (held, confirmed or already checked in), who is in house, who leaves
    (in house or already checked out) on `day`."""
    repo = BookingRepository(db, tenant_id)
    return DayLists(
        day=day,
        arrivals=tuple(reservation_view(r) for r in await repo.arriving(day)),
        in_house=tuple(reservation_view(r) for r in await repo.in_house()),
        departures=tuple(reservation_view(r) for r in await repo.departing(day)),
    )


async def search_reservations(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    term: str = "",
    status: str | None = None,
    arrival_from: date | None = None,
    arrival_to: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> list[ReservationView]:
    """The console's list: newest arrivals first, filtered by code, name or phone."""
    repo = BookingRepository(db, tenant_id)
    rows = await repo.search(
        term=term[:100],
        status=status if status in STATUSES else None,
        arrival_from=arrival_from,
        arrival_to=arrival_to,
        limit=per_page,
        offset=max(0, page - 1) * per_page,
    )
    return [reservation_view(r) for r in rows]
