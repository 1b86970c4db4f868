"""SQL of the resort's set-up: locker sections and lockers, tag stock, outlets and price
lists, the key-tag settings row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert

from modules.keytags.models import (
    KeyTag,
    Locker,
    LockerSection,
    Outlet,
    OutletItem,
    SpaSettings,
    Visit,
)
from tenants.models import ApiKey
from tenants.repository import TenantScopedRepository


class SetupRepository(TenantScopedRepository):
    # Lockers ------------------------------------------------------------------------------
    async def occupancy(self) -> Sequence[Row[Any]]:
        """Each section with its lockers counted by status, in the desk's order."""
        counts = (
            select(
                Locker.section_id,
                func.count().label("total"),
                func.count().filter(Locker.status == "free").label("free"),
                func.count().filter(Locker.status == "occupied").label("occupied"),
                func.count().filter(Locker.status == "out_of_order").label("out_of_order"),
            )
            .where(Locker.tenant_id == self.tenant_id)
            .group_by(Locker.section_id)
            .subquery()
        )
        stmt = (
            select(
                LockerSection,
                func.coalesce(counts.c.total, 0).label("total"),
                func.coalesce(counts.c.free, 0).label("free"),
                func.coalesce(counts.c.occupied, 0).label("occupied"),
                func.coalesce(counts.c.out_of_order, 0).label("out_of_order"),
            )
            .outerjoin(counts, counts.c.section_id == LockerSection.id)
            .where(LockerSection.tenant_id == self.tenant_id)
            .order_by(LockerSection.sort_order, LockerSection.code)
        )
        return (await self.db.execute(stmt)).all()

    async def section(self, section_id: uuid.UUID) -> LockerSection | None:
        return await self.get(LockerSection, section_id)

    async def section_by_code(self, code: str) -> LockerSection | None:
        stmt = self.scoped(LockerSection).where(LockerSection.code == code)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def lockers(self, section_id: uuid.UUID) -> Sequence[Locker]:
        stmt = (
            self.scoped(Locker)
            .where(Locker.section_id == section_id)
            .order_by(func.length(Locker.number), Locker.number)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def locker(self, locker_id: uuid.UUID) -> Locker | None:
        return await self.get(Locker, locker_id)

    async def add_lockers(self, section_id: uuid.UUID, numbers: list[str]) -> int:
        """Inserts the numbers the section does not have yet; how many were new."""
        if not numbers:
            return 0
        rows = [
            {"tenant_id": self.tenant_id, "section_id": section_id, "number": n} for n in numbers
        ]
        stmt = (
            insert(Locker)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["tenant_id", "section_id", "number"])
            .returning(Locker.id)
        )
        return len((await self.db.execute(stmt)).all())

    async def move_locker(
        self, locker_id: uuid.UUID, *, from_status: str, to_status: str, at: datetime
    ) -> bool:
        """Moves a locker between free and out of order only from the status expected, so a
        locker the desk just gave a guest is never taken out under them."""
        stmt = (
            update(Locker)
            .where(
                Locker.tenant_id == self.tenant_id,
                Locker.id == locker_id,
                Locker.status == from_status,
            )
            .values(status=to_status, status_changed_at=at)
            .returning(Locker.id)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none() is not None

    # Tags ---------------------------------------------------------------------------------
    async def existing_uids(self, uids: list[str]) -> set[str]:
        stmt = select(KeyTag.uid).where(KeyTag.tenant_id == self.tenant_id, KeyTag.uid.in_(uids))
        return set((await self.db.execute(stmt)).scalars().all())

    async def add_tags(self, rows: list[dict[str, str]]) -> int:
        if not rows:
            return 0
        values = [{"tenant_id": self.tenant_id, **row} for row in rows]
        stmt = (
            insert(KeyTag)
            .values(values)
            .on_conflict_do_nothing(index_elements=["tenant_id", "uid"])
            .returning(KeyTag.id)
        )
        return len((await self.db.execute(stmt)).all())

    async def tags(
        self, *, status: str | None, search: str, limit: int, offset: int
    ) -> tuple[Sequence[KeyTag], int]:
        stmt = self.scoped(KeyTag)
        if status:
            stmt = stmt.where(KeyTag.status == status)
        if search:
            like = f"%{search}%"
            stmt = stmt.where(KeyTag.uid.ilike(like) | KeyTag.label.ilike(like))
        total = await self.db.scalar(select(func.count()).select_from(stmt.subquery()))
        page = stmt.order_by(KeyTag.label, KeyTag.uid).limit(limit).offset(offset)
        return (await self.db.execute(page)).scalars().all(), int(total or 0)

    async def tag_counts(self) -> dict[str, int]:
        stmt = (
            select(KeyTag.status, func.count())
            .where(KeyTag.tenant_id == self.tenant_id)
            .group_by(KeyTag.status)
        )
        return {status: n for status, n in (await self.db.execute(stmt)).all()}

    async def tag(self, tag_id: uuid.UUID) -> KeyTag | None:
        return await self.get(KeyTag, tag_id)

    async def move_tag(
        self,
        tag_id: uuid.UUID,
        *,
        from_statuses: tuple[str, ...],
        to_status: str,
        at: datetime,
        unless_held: bool = False,
    ) -> bool:
        """Moves a tag from one of the expected statuses; with `unless_held`, only when no
        open visit holds it (a blocked tag found again must not be a visit's live tag)."""
        stmt = update(KeyTag).where(
            KeyTag.tenant_id == self.tenant_id,
            KeyTag.id == tag_id,
            KeyTag.status.in_(from_statuses),
        )
        if unless_held:
            held = exists().where(
                Visit.tenant_id == self.tenant_id,
                Visit.active_tag_id == KeyTag.id,
                Visit.status == "open",
            )
            stmt = stmt.where(~held)
        stmt = stmt.values(status=to_status, status_changed_at=at, blocked_reason=None).returning(
            KeyTag.id
        )
        return (await self.db.execute(stmt)).scalar_one_or_none() is not None

    # Outlets ------------------------------------------------------------------------------
    async def outlets(self) -> Sequence[Row[Any]]:
        """Outlets with their item counts and API key's name (when linked)."""
        items = (
            select(OutletItem.outlet_id, func.count().label("n"))
            .where(OutletItem.tenant_id == self.tenant_id, OutletItem.active.is_(True))
            .group_by(OutletItem.outlet_id)
            .subquery()
        )
        stmt = (
            select(
                Outlet,
                func.coalesce(items.c.n, 0).label("item_count"),
                ApiKey.name.label("key_name"),
                ApiKey.revoked_at.label("key_revoked_at"),
            )
            .outerjoin(items, items.c.outlet_id == Outlet.id)
            .outerjoin(
                ApiKey, (ApiKey.id == Outlet.api_key_id) & (ApiKey.tenant_id == Outlet.tenant_id)
            )
            .where(Outlet.tenant_id == self.tenant_id)
            .order_by(Outlet.sort_order, Outlet.code)
        )
        return (await self.db.execute(stmt)).all()

    async def outlet(self, outlet_id: uuid.UUID, *, lock: bool = False) -> Outlet | None:
        stmt = self.scoped(Outlet).where(Outlet.id == outlet_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def outlet_by_code(self, code: str) -> Outlet | None:
        stmt = self.scoped(Outlet).where(Outlet.code == code)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def items(self, outlet_id: uuid.UUID) -> Sequence[OutletItem]:
        stmt = (
            self.scoped(OutletItem)
            .where(OutletItem.outlet_id == outlet_id)
            .order_by(OutletItem.active.desc(), OutletItem.sort_order, OutletItem.code)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def item(self, item_id: uuid.UUID) -> OutletItem | None:
        return await self.get(OutletItem, item_id)

    async def item_by_code(self, outlet_id: uuid.UUID, code: str) -> OutletItem | None:
        stmt = self.scoped(OutletItem).where(
            OutletItem.outlet_id == outlet_id, OutletItem.code == code
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    # Settings -----------------------------------------------------------------------------
    async def save_settings(self, values: dict[str, int]) -> None:
        """One row per enterprise: inserted the first time, updated after."""
        stmt = (
            insert(SpaSettings)
            .values(tenant_id=self.tenant_id, **values)
            .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
        )
        await self.db.execute(stmt)
