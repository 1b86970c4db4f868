"""What every part of the module asks of the resort's set-up: its key-tag rules, a ticket
type's price on a date (by the calendar's kind of day), its time rule."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import NotFound
from app.i18n import use_locale
from modules.keytags import domain
from modules.keytags.models import TicketType
from modules.keytags.repository.catalog import CatalogRepository


@dataclass(frozen=True, slots=True)
class KeytagRules:
    lost_tag_fee_fen: int = 5000
    default_deposit_fen: int = 50000
    exit_window_minutes: int = 30
    outlet_void_minutes: int = 10


async def rules(db: AsyncSession, tenant_id: TenantId) -> KeytagRules:
    """The resort's rules, or the defaults until a manager saves its own."""
    row = await CatalogRepository(db, tenant_id).settings()
    if row is None:
        return KeytagRules()
    return KeytagRules(
        lost_tag_fee_fen=row.lost_tag_fee_fen,
        default_deposit_fen=row.default_deposit_fen,
        exit_window_minutes=row.exit_window_minutes,
        outlet_void_minutes=row.outlet_void_minutes,
    )


async def ticket_type(db: AsyncSession, tenant_id: TenantId, id_: uuid.UUID) -> TicketType:
    found = await CatalogRepository(db, tenant_id).ticket_type(id_)
    if found is None:
        raise NotFound()
    return found


async def day_kinds(
    db: AsyncSession, tenant_id: TenantId, start: date, end: date
) -> dict[date, domain.DayKind]:
    """Each date of [start, end] with its kind (the calendar's, else by weekday)."""
    overrides = {
        day: domain.DayKind(kind)
        for day, kind in (await CatalogRepository(db, tenant_id).day_kinds(start, end)).items()
    }
    span = (end - start).days
    days = (date.fromordinal(start.toordinal() + n) for n in range(span + 1))
    return {day: domain.day_kind(day, overrides) for day in days}


def prices(ticket: TicketType) -> domain.TicketPrices:
    return domain.TicketPrices(
        ticket.price_weekday_fen, ticket.price_weekend_fen, ticket.price_holiday_fen
    )


def time_rule(ticket: TicketType) -> domain.TimeRule:
    return domain.TimeRule(ticket.base_minutes, ticket.grace_minutes, ticket.overage_fen_per_hour)


async def admission_price(
    db: AsyncSession, tenant_id: TenantId, ticket: TicketType, day: date
) -> int:
    """The ticket's price on that date: weekday, weekend or holiday by the calendar."""
    kind = (await day_kinds(db, tenant_id, day, day))[day]
    return prices(ticket).on(kind)


@asynccontextmanager
async def in_resort_language(db: AsyncSession, tenant_id: TenantId) -> AsyncIterator[str]:
    """Text stored on a bill or a folio (a lost-tag fee, a void, the spa line on the room's
    folio) is written in the resort's language, not in the language of whoever pressed the
    button or of a job with none."""
    with use_locale(await CatalogRepository(db, tenant_id).locale()) as locale:
        yield locale
