"""SQL of the ticket types and the holiday calendar (the console's set-up and the online sale)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete, select

from modules.keytags.models import CalendarDay, TicketType
from tenants.repository import TenantScopedRepository


class TicketsRepository(TenantScopedRepository):
    async def ticket_types(self, *, online_only: bool = False) -> list[TicketType]:
        """Every ticket type (inactive ones too, last), in the resort's order."""
        stmt = self.scoped(TicketType).order_by(
            TicketType.active.desc(), TicketType.sort_order, TicketType.code
        )
        if online_only:
            stmt = stmt.where(TicketType.sold_online.is_(True), TicketType.active.is_(True))
        return list((await self.db.execute(stmt)).scalars())

    async def ticket_type(
        self, ticket_type_id: uuid.UUID, *, lock: bool = False
    ) -> TicketType | None:
        stmt = self.scoped(TicketType).where(TicketType.id == ticket_type_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def code_taken(self, code: str, other_than: uuid.UUID | None) -> bool:
        stmt = select(TicketType.id).where(
            TicketType.tenant_id == self.tenant_id, TicketType.code == code
        )
        if other_than is not None:
            stmt = stmt.where(TicketType.id != other_than)
        return (await self.db.execute(stmt)).first() is not None

    async def by_unit_type(self, unit_type_id: uuid.UUID) -> TicketType | None:
        stmt = self.scoped(TicketType).where(TicketType.unit_type_id == unit_type_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def calendar_days(self, start: date, end: date) -> list[CalendarDay]:
        stmt = (
            self.scoped(CalendarDay)
            .where(CalendarDay.day >= start, CalendarDay.day <= end)
            .order_by(CalendarDay.day)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def set_days(self, days: list[date], kind: str, name: str) -> None:
        """Each date takes the kind and name (an earlier row for it is replaced)."""
        await self.remove_days(days)
        for day in days:
            self.add(CalendarDay(day=day, kind=kind, name=name))
        await self.db.flush()

    async def remove_days(self, days: list[date]) -> int:
        result = await self.db.execute(
            delete(CalendarDay).where(
                CalendarDay.tenant_id == self.tenant_id, CalendarDay.day.in_(days)
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def flush(self) -> None:
        await self.db.flush()
