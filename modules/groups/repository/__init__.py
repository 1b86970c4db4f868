"""All SQL of the groups module, filtered by the tenant it was built for (row-level
security is the second lock)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from modules.groups.models import GroupContract, GroupDay, GroupFiling, GroupVehicle, TourGroup
from tenants.repository import TenantScopedRepository

ACTIVE_CONTRACT_INDEX = "uq_group_contracts_tenant_id_contract_id_active"
GROUP_NO_UNIQUE = "uq_tour_groups_tenant_id_group_no"


def violated(exc: IntegrityError) -> str | None:
    """The name of the constraint an INSERT or UPDATE broke (asyncpg reports it)."""
    cause = getattr(exc.orig, "__cause__", None)
    return getattr(cause, "constraint_name", None) or getattr(exc.orig, "constraint_name", None)


class GroupRepository(TenantScopedRepository):
    async def group(self, group_id: uuid.UUID, *, for_update: bool = False) -> TourGroup | None:
        """`for_update` serialises edits and filing of one group: two agents pressing
        "file" at once make one filing, not two."""
        stmt = self.scoped(TourGroup).where(TourGroup.id == group_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def any_group(self) -> bool:
        stmt = select(TourGroup.id).where(TourGroup.tenant_id == self.tenant_id).limit(1)
        return (await self.db.execute(stmt)).first() is not None

    async def group_by_no(self, group_no: str) -> TourGroup | None:
        stmt = self.scoped(TourGroup).where(TourGroup.group_no == group_no)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def numbers_starting(self, stem: str) -> list[str]:
        stmt = select(TourGroup.group_no).where(
            TourGroup.tenant_id == self.tenant_id, TourGroup.group_no.startswith(stem)
        )
        return list((await self.db.execute(stmt)).scalars().all())

    async def not_returned(self, today: date, limit: int) -> Sequence[TourGroup]:
        """Groups still to leave or on the road, soonest first."""
        stmt = (
            self.scoped(TourGroup)
            .where(TourGroup.end_date >= today)
            .order_by(TourGroup.start_date, TourGroup.group_no)
            .limit(limit)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def recent_past(self, before: date, limit: int) -> Sequence[TourGroup]:
        stmt = (
            self.scoped(TourGroup)
            .where(TourGroup.end_date < before)
            .order_by(TourGroup.start_date.desc(), TourGroup.group_no)
            .limit(limit)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def insert_group(self, group: TourGroup) -> None:
        self.add(group)
        await self.db.flush()

    async def contracts(self, group_id: uuid.UUID) -> Sequence[GroupContract]:
        stmt = (
            self.scoped(GroupContract)
            .where(GroupContract.group_id == group_id)
            .order_by(GroupContract.e_number)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def groups_holding(
        self, contract_ids: Iterable[uuid.UUID], *, besides: uuid.UUID | None
    ) -> dict[uuid.UUID, str]:
        """Contract id → group number, for contracts already in another active group."""
        wanted = list(contract_ids)
        if not wanted:
            return {}
        stmt = (
            select(GroupContract.contract_id, TourGroup.group_no)
            .join(TourGroup, TourGroup.id == GroupContract.group_id)
            .where(
                GroupContract.tenant_id == self.tenant_id,
                GroupContract.active,
                GroupContract.contract_id.in_(wanted),
            )
        )
        if besides is not None:
            stmt = stmt.where(GroupContract.group_id != besides)
        return {row[0]: row[1] for row in (await self.db.execute(stmt)).all()}

    async def active_contract_ids(self) -> set[uuid.UUID]:
        stmt = select(GroupContract.contract_id).where(
            GroupContract.tenant_id == self.tenant_id, GroupContract.active
        )
        return set((await self.db.execute(stmt)).scalars().all())

    async def replace_contracts(self, group_id: uuid.UUID, rows: list[GroupContract]) -> None:
        """Delete and re-insert in one flush; the partial unique index refuses a contract
        that another agent put into another active group meanwhile."""
        await self.db.execute(
            delete(GroupContract).where(
                GroupContract.tenant_id == self.tenant_id, GroupContract.group_id == group_id
            )
        )
        for row in rows:
            self.add(row)
        await self.db.flush()

    async def deactivate_contracts(self, group_id: uuid.UUID) -> None:
        await self.db.execute(
            update(GroupContract)
            .where(GroupContract.tenant_id == self.tenant_id, GroupContract.group_id == group_id)
            .values(active=False)
        )

    async def days(self, group_id: uuid.UUID) -> Sequence[GroupDay]:
        stmt = self.scoped(GroupDay).where(GroupDay.group_id == group_id).order_by(GroupDay.day)
        return (await self.db.execute(stmt)).scalars().all()

    async def replace_days(self, group_id: uuid.UUID, rows: list[GroupDay]) -> None:
        await self.db.execute(
            delete(GroupDay).where(
                GroupDay.tenant_id == self.tenant_id, GroupDay.group_id == group_id
            )
        )
        for row in rows:
            self.add(row)
        await self.db.flush()

    async def vehicles(self, group_id: uuid.UUID) -> Sequence[GroupVehicle]:
        stmt = (
            self.scoped(GroupVehicle)
            .where(GroupVehicle.group_id == group_id)
            .order_by(GroupVehicle.position, GroupVehicle.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def replace_vehicles(self, group_id: uuid.UUID, rows: list[GroupVehicle]) -> None:
        await self.db.execute(
            delete(GroupVehicle).where(
                GroupVehicle.tenant_id == self.tenant_id, GroupVehicle.group_id == group_id
            )
        )
        for row in rows:
            self.add(row)
        await self.db.flush()

    async def filings(self, group_id: uuid.UUID) -> Sequence[GroupFiling]:
        stmt = (
            self.scoped(GroupFiling)
            .where(GroupFiling.group_id == group_id)
            .order_by(GroupFiling.created_at, GroupFiling.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def group_filing_ids(self, group_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """Group id → the id of its own (kind "group") filing, for the list page."""
        wanted = list(group_ids)
        if not wanted:
            return {}
        stmt = select(GroupFiling.group_id, GroupFiling.filing_id).where(
            GroupFiling.tenant_id == self.tenant_id,
            GroupFiling.kind == "group",
            GroupFiling.group_id.in_(wanted),
        )
        return {row[0]: row[1] for row in (await self.db.execute(stmt)).all()}

    async def add_filing(self, row: GroupFiling) -> None:
        self.add(row)
        await self.db.flush()
