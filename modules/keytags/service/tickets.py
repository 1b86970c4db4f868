"""The resort's ticket types (成人票, 儿童票, 长者票, 夜场票: prices by kind of day, the time
they cover, the overage rate, the tab's credit limit) and its holiday calendar (国庆节, 调休
working weekends). Every change re-prices the online sale, so a guest never pays another price
online than the desk would charge."""

from __future__ import annotations

import uuid
from calendar import Calendar
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.keytags.domain import DayKind, TicketCategory
from modules.keytags.models import TicketType
from modules.keytags.repository.tickets import TicketsRepository
from modules.keytags.schemas.tickets import DayCell, TicketInput
from modules.keytags.service.catalog import day_kinds, prices
from modules.keytags.service.online import sync_all_online_tickets, sync_online_ticket

MAX_CALENDAR_RANGE = 31  # one holiday at a time (春节 is the longest, 8 or 9 days)


async def list_ticket_types(db: AsyncSession, tenant_id: TenantId) -> list[TicketType]:
    """Every ticket type, those on sale first, in the resort's order."""
    return await TicketsRepository(db, tenant_id).ticket_types()


async def create_ticket_type(
    db: AsyncSession, tenant_id: TenantId, data: TicketInput
) -> TicketType:
    """A new ticket type; sold online, it goes on sale at once for the next 180 days."""
    repo = TicketsRepository(db, tenant_id)
    if await repo.code_taken(data.code, None):
        raise Invalid.field("code", "This code is already used.", "taken")
    ticket = TicketType(**_values(data))
    repo.add(ticket)
    await repo.flush()
    await sync_online_ticket(db, tenant_id, ticket)
    return ticket


async def update_ticket_type(
    db: AsyncSession, tenant_id: TenantId, ticket_type_id: uuid.UUID, data: TicketInput
) -> TicketType:
    """The ticket type changed; the online sale follows its new prices (what was sold keeps
    the price it was sold at) or stops when it is no longer sold online."""
    repo = TicketsRepository(db, tenant_id)
    ticket = await repo.ticket_type(ticket_type_id, lock=True)
    if ticket is None:
        raise NotFound()
    if await repo.code_taken(data.code, ticket.id):
        raise Invalid.field("code", "This code is already used.", "taken")
    was_selling = ticket.sold_online and ticket.active
    for field, value in _values(data).items():
        setattr(ticket, field, value)
    await repo.flush()
    await sync_online_ticket(db, tenant_id, ticket, reopen=not was_selling)
    return ticket


def _values(data: TicketInput) -> dict[str, object]:
    return {
        "code": data.code,
        "name": data.name,
        "name_en": data.name_en,
        "category": str(data.category),
        "price_weekday_fen": data.price_weekday_fen,
        "price_weekend_fen": data.price_weekend_fen,
        "price_holiday_fen": data.price_holiday_fen,
        "base_minutes": data.base_minutes,
        "grace_minutes": data.grace_minutes,
        "overage_fen_per_hour": data.overage_fen_per_hour,
        "credit_limit_fen": data.credit_limit_fen,
        "sold_from": data.sold_from,
        "description": data.description,
        "sold_online": data.sold_online,
        "sort_order": data.sort_order,
        "active": data.active,
    }


# The calendar -------------------------------------------------------------------------------


def _range(start: date, end: date) -> list[date]:
    if end < start or (end - start).days >= MAX_CALENDAR_RANGE:
        raise Invalid.field("end", "Choose an end date on or after the start, within 31 days.")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


async def add_calendar_days(
    db: AsyncSession, tenant_id: TenantId, *, start: date, end: date, kind: str, name: str
) -> int:
    """Mark [start, end] as a public holiday (国庆节 10-01…10-07) or as working days on a
    weekend (调休), then re-price the online sale. Returns the dates marked."""
    found = DayKind.parse(kind)
    if found is None or found is DayKind.WEEKEND:
        raise Invalid.field("kind", "Choose a public holiday or a working weekend.")
    if not name.strip():
        raise Invalid.field("name", "Enter the holiday's name, such as 国庆节.", "required")
    if len(name.strip()) > 40:
        raise Invalid.field("name", "Use at most 40 characters.", "too_long")
    days = _range(start, end)
    await TicketsRepository(db, tenant_id).set_days(days, str(found), name.strip())
    await sync_all_online_tickets(db, tenant_id)
    return len(days)


async def remove_calendar_days(
    db: AsyncSession, tenant_id: TenantId, *, start: date, end: date
) -> int:
    """The dates go back to their weekday's own kind; the online sale is re-priced."""
    removed = await TicketsRepository(db, tenant_id).remove_days(_range(start, end))
    await sync_all_online_tickets(db, tenant_id)
    return removed


async def calendar_month(
    db: AsyncSession, tenant_id: TenantId, year: int, month: int
) -> list[list[DayCell]]:
    """The month as weeks (Monday first): each date's kind, its holiday name and the adult
    ticket's price that day (the first active adult ticket type)."""
    weeks = Calendar().monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    repo = TicketsRepository(db, tenant_id)
    kinds = await day_kinds(db, tenant_id, first, last)
    named = {c.day: c.name for c in await repo.calendar_days(first, last)}
    adult = next(
        (t for t in await repo.ticket_types() if t.active and t.category == TicketCategory.ADULT),
        None,
    )
    return [
        [
            DayCell(
                day=d,
                kind=kinds[d],
                name=named.get(d, ""),
                marked=d in named,
                price_fen=prices(adult).on(kinds[d]) if adult else None,
                in_month=d.month == month,
            )
            for d in week
        ]
        for week in weeks
    ]


async def calendar_marks(
    db: AsyncSession, tenant_id: TenantId, start: date, end: date
) -> list[tuple[date, str, str]]:
    """The calendar's rows in [start, end]: date, kind, name."""
    rows = await TicketsRepository(db, tenant_id).calendar_days(start, end)
    return [(r.day, r.kind, r.name) for r in rows]
