"""SQL of the keytags demo (`make run`, never production): what is there already, so a second
run adds nothing, and bulk inserts for last month's few hundred visits (one statement per
table instead of one round trip per row)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from app.db.base import Base
from modules.keytags.models import (
    KeyTag,
    Locker,
    LockerSection,
    Member,
    Outlet,
    OutletItem,
    TicketType,
    Visit,
    VisitTag,
)
from tenants.repository import TenantScopedRepository


class DemoRepository(TenantScopedRepository):
    async def ticket_types(self) -> dict[str, TicketType]:
        rows = (await self.db.execute(self.scoped(TicketType))).scalars()
        return {t.code: t for t in rows}

    async def sections(self) -> dict[str, LockerSection]:
        rows = (await self.db.execute(self.scoped(LockerSection))).scalars()
        return {s.code: s for s in rows}

    async def locker_counts(self) -> dict[uuid.UUID, int]:
        stmt = (
            select(Locker.section_id, func.count())
            .where(Locker.tenant_id == self.tenant_id)
            .group_by(Locker.section_id)
        )
        return {section_id: int(n) for section_id, n in (await self.db.execute(stmt)).all()}

    async def free_lockers(self, section_id: uuid.UUID) -> list[Locker]:
        stmt = (
            self.scoped(Locker)
            .where(Locker.section_id == section_id, Locker.status == "free")
            .order_by(Locker.number)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def tags(self, uid_prefix: str) -> list[KeyTag]:
        stmt = self.scoped(KeyTag).where(KeyTag.uid.startswith(uid_prefix)).order_by(KeyTag.uid)
        return list((await self.db.execute(stmt)).scalars())

    async def outlets(self) -> dict[str, Outlet]:
        rows = (await self.db.execute(self.scoped(Outlet))).scalars()
        return {o.code: o for o in rows}

    async def items(self) -> dict[tuple[uuid.UUID, str], OutletItem]:
        rows = (await self.db.execute(self.scoped(OutletItem))).scalars()
        return {(i.outlet_id, i.code): i for i in rows}

    async def members(self) -> dict[str, Member]:
        rows = (await self.db.execute(self.scoped(Member))).scalars()
        return {m.card_no: m for m in rows}

    async def visits_by_day(self, first: date, last: date) -> dict[date, int]:
        stmt = (
            select(Visit.business_date, func.count())
            .where(
                Visit.tenant_id == self.tenant_id,
                Visit.business_date >= first,
                Visit.business_date <= last,
            )
            .group_by(Visit.business_date)
        )
        return {day: int(n) for day, n in (await self.db.execute(stmt)).all()}

    async def visits_on(self, day: date) -> list[Visit]:
        stmt = self.scoped(Visit).where(Visit.business_date == day).order_by(Visit.number)
        return list((await self.db.execute(stmt)).scalars())

    async def insert_many(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
        """Rows of one table in one statement (each row names its own id)."""
        if rows:
            await self.db.execute(
                insert(model), [{**row, "tenant_id": self.tenant_id} for row in rows]
            )

    async def insert_missing(
        self, model: type[Base], rows: Sequence[dict[str, Any]], key: Sequence[str]
    ) -> None:
        """Rows whose unique `key` (with the tenant) is not there yet; the others are left."""
        if rows:
            stmt = insert(model).on_conflict_do_nothing(index_elements=["tenant_id", *key])
            await self.db.execute(stmt, [{**row, "tenant_id": self.tenant_id} for row in rows])

    async def link_outlet_key(self, outlet_id: uuid.UUID, api_key_id: uuid.UUID) -> None:
        await self.db.execute(
            update(Outlet)
            .where(Outlet.tenant_id == self.tenant_id, Outlet.id == outlet_id)
            .values(api_key_id=api_key_id)
            .execution_options(synchronize_session="fetch")
        )

    async def backdate_visit(self, visit_id: uuid.UUID, at: datetime) -> None:
        """A guest admitted through the desk's service now, as if they came at `at`."""
        await self.db.execute(
            update(Visit)
            .where(Visit.tenant_id == self.tenant_id, Visit.id == visit_id)
            .values(opened_at=at, gate_in_at=at)
            .execution_options(synchronize_session="fetch")
        )
        await self.db.execute(
            update(VisitTag)
            .where(VisitTag.tenant_id == self.tenant_id, VisitTag.visit_id == visit_id)
            .values(bound_at=at)
            .execution_options(synchronize_session="fetch")
        )
        await self.db.execute(
            update(Locker)
            .where(Locker.tenant_id == self.tenant_id, Locker.visit_id == visit_id)
            .values(status_changed_at=at)
            .execution_options(synchronize_session="fetch")
        )

    async def backdate_exit(
        self, visit_id: uuid.UUID, settled_at: datetime, exit_at: datetime
    ) -> None:
        """A guest settled and let out now, as if a little while ago."""
        await self.db.execute(
            update(Visit)
            .where(Visit.tenant_id == self.tenant_id, Visit.id == visit_id)
            .values(settled_at=settled_at, exit_at=exit_at)
            .execution_options(synchronize_session="fetch")
        )
        await self.db.execute(
            update(VisitTag)
            .where(
                VisitTag.tenant_id == self.tenant_id,
                VisitTag.visit_id == visit_id,
                VisitTag.release_reason == "exit",
            )
            .values(released_at=exit_at)
            .execution_options(synchronize_session="fetch")
        )

    async def backdate_replacement(self, visit_id: uuid.UUID, at: datetime) -> None:
        """A lost tag blocked and replaced now, as if at `at`: the bindings and the tags (the
        fee's charge row is append-only: it keeps the time it was written)."""
        await self.db.execute(
            update(VisitTag)
            .where(
                VisitTag.tenant_id == self.tenant_id,
                VisitTag.visit_id == visit_id,
                VisitTag.release_reason == "lost",
            )
            .values(released_at=at)
            .execution_options(synchronize_session="fetch")
        )
        await self.db.execute(
            update(VisitTag)
            .where(
                VisitTag.tenant_id == self.tenant_id,
                VisitTag.visit_id == visit_id,
                VisitTag.released_at.is_(None),
            )
            .values(bound_at=at)
            .execution_options(synchronize_session="fetch")
        )
        await self.db.execute(
            update(KeyTag)
            .where(
                KeyTag.tenant_id == self.tenant_id,
                KeyTag.id.in_(
                    select(VisitTag.tag_id).where(
                        VisitTag.tenant_id == self.tenant_id, VisitTag.visit_id == visit_id
                    )
                ),
                KeyTag.status.in_(("blocked", "in_use")),
            )
            .values(status_changed_at=at)
            .execution_options(synchronize_session="fetch")
        )
