"""Reads every part of the module shares: the resort's settings, a ticket type, the calendar's
kinds of day, an outlet by its API key."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from modules.keytags.models import CalendarDay, Outlet, SpaSettings, TicketType
from tenants.models import Tenant
from tenants.repository import TenantScopedRepository

_TENANT_LOCALE = select(Tenant.locale)


class CatalogRepository(TenantScopedRepository):
    async def settings(self) -> SpaSettings | None:
        return (await self.db.execute(self.scoped(SpaSettings))).scalar_one_or_none()

    async def locale(self) -> str:
        """The resort's own language: what text it stores for guests and bills is written in."""
        stmt = _TENANT_LOCALE.where(Tenant.id == self.tenant_id)
        return str((await self.db.execute(stmt)).scalar_one())

    async def ticket_type(self, ticket_type_id: uuid.UUID) -> TicketType | None:
        return await self.get(TicketType, ticket_type_id)

    async def ticket_types(self, *, active_only: bool = True) -> list[TicketType]:
        stmt = self.scoped(TicketType).order_by(TicketType.sort_order, TicketType.code)
        if active_only:
            stmt = stmt.where(TicketType.active.is_(True))
        return list((await self.db.execute(stmt)).scalars())

    async def day_kinds(self, start: date, end: date) -> dict[date, str]:
        """The calendar's rows for [start, end]: holidays and working weekends."""
        stmt = select(CalendarDay.day, CalendarDay.kind).where(
            CalendarDay.tenant_id == self.tenant_id,
            CalendarDay.day >= start,
            CalendarDay.day <= end,
        )
        return {day: kind for day, kind in (await self.db.execute(stmt)).all()}

    async def outlet_for_key(self, api_key_id: uuid.UUID) -> Outlet | None:
        stmt = self.scoped(Outlet).where(Outlet.api_key_id == api_key_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()
