"""SQL of what can be sold: unit types, units, voyages, rate plans and the inventory
calendar that staff edit in the console."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, text, update

from app.db.base import uuid7
from modules.reservations.models import InventoryDay, RatePlan, Unit, UnitType, Voyage
from tenants.repository import TenantScopedRepository

# Bulk calendar edit: create missing dates, update the given fields of existing ones.
# A NULL parameter leaves that field as it is (new dates take the type's defaults).
_UPSERT_DAYS = text(
    """
    WITH p AS (
        SELECT CAST(:total AS int) AS total, CAST(:price AS bigint) AS price,
               CAST(:closed AS boolean) AS closed, CAST(:cta AS boolean) AS cta,
               CAST(:min_stay AS smallint) AS min_stay
    )
    INSERT INTO inventory_days (id, tenant_id, unit_type_id, day, total, sold, price_fen,
                                closed, closed_to_arrival, min_stay, created_at)
    SELECT x.id, :t, :ut, x.day, coalesce(p.total, CAST(:default_total AS int)), 0,
           coalesce(p.price, CAST(:default_price AS bigint)), coalesce(p.closed, false),
           coalesce(p.cta, false), coalesce(p.min_stay, 1), now()
    FROM p, unnest(CAST(:ids AS uuid[]), CAST(:days AS date[])) AS x(id, day)
    ON CONFLICT (tenant_id, unit_type_id, day) DO UPDATE SET
        total = coalesce(CAST(:total AS int), inventory_days.total),
        price_fen = coalesce(CAST(:price AS bigint), inventory_days.price_fen),
        closed = coalesce(CAST(:closed AS boolean), inventory_days.closed),
        closed_to_arrival = coalesce(CAST(:cta AS boolean), inventory_days.closed_to_arrival),
        min_stay = coalesce(CAST(:min_stay AS smallint), inventory_days.min_stay)
    """
)
# The most already sold on any of the dates, with the rows locked in booking order so a
# concurrent booking cannot slip in between this check and the update.
_LOCK_SOLD = text(
    """
    SELECT coalesce(max(sold), 0) FROM (
        SELECT sold FROM inventory_days
        WHERE tenant_id = :t AND unit_type_id = :ut AND day = ANY(CAST(:days AS date[]))
        ORDER BY day FOR UPDATE
    ) s
    """
)


class SetupRepository(TenantScopedRepository):
    # Unit types ---------------------------------------------------------------------
    async def unit_types(
        self,
        *,
        kind: str | None = None,
        voyage_id: uuid.UUID | None = None,
        active_only: bool = False,
    ) -> Sequence[UnitType]:
        stmt = self.scoped(UnitType)
        if kind:
            stmt = stmt.where(UnitType.kind == kind)
        if voyage_id:
            stmt = stmt.where(UnitType.voyage_id == voyage_id)
        if active_only:
            stmt = stmt.where(UnitType.active.is_(True))
        stmt = stmt.order_by(UnitType.sort_order, UnitType.code)
        return (await self.db.execute(stmt)).scalars().all()

    async def unit_type(self, unit_type_id: uuid.UUID) -> UnitType | None:
        return await self.get(UnitType, unit_type_id)

    async def unit_type_by_code(self, code: str) -> UnitType | None:
        stmt = self.scoped(UnitType).where(UnitType.code == code)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def unit_counts(self) -> dict[uuid.UUID, int]:
        stmt = (
            select(Unit.unit_type_id, func.count())
            .where(Unit.tenant_id == self.tenant_id, Unit.active.is_(True))
            .group_by(Unit.unit_type_id)
        )
        return {ut: n for ut, n in (await self.db.execute(stmt)).all()}

    # Voyages ------------------------------------------------------------------------
    async def voyages(self, *, upcoming_from: date | None = None) -> Sequence[Voyage]:
        stmt = self.scoped(Voyage)
        if upcoming_from:
            stmt = stmt.where(Voyage.depart_on >= upcoming_from)
        return (await self.db.execute(stmt.order_by(Voyage.depart_on))).scalars().all()

    async def voyage(self, voyage_id: uuid.UUID) -> Voyage | None:
        return await self.get(Voyage, voyage_id)

    async def voyage_by_code(self, code: str) -> Voyage | None:
        stmt = self.scoped(Voyage).where(Voyage.code == code)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    # Units --------------------------------------------------------------------------
    async def units(self, *, unit_type_id: uuid.UUID | None = None) -> Sequence[Row[Any]]:
        stmt = (
            select(
                Unit,
                UnitType.code.label("unit_type_code"),
                UnitType.name.label("unit_type_name"),
                UnitType.kind.label("kind"),
            )
            .join(UnitType, UnitType.id == Unit.unit_type_id)
            .where(Unit.tenant_id == self.tenant_id, Unit.active.is_(True))
        )
        if unit_type_id:
            stmt = stmt.where(Unit.unit_type_id == unit_type_id)
        stmt = stmt.order_by(Unit.voyage_id.nulls_first(), Unit.floor, Unit.number)
        return (await self.db.execute(stmt)).all()

    async def unit_row(self, unit_id: uuid.UUID) -> Row[Any] | None:
        stmt = (
            select(
                Unit,
                UnitType.code.label("unit_type_code"),
                UnitType.name.label("unit_type_name"),
                UnitType.kind.label("kind"),
            )
            .join(UnitType, UnitType.id == Unit.unit_type_id)
            .where(Unit.tenant_id == self.tenant_id, Unit.id == unit_id)
        )
        return (await self.db.execute(stmt)).one_or_none()

    async def unit_by_number(self, number: str, voyage_id: uuid.UUID | None) -> Unit | None:
        stmt = self.scoped(Unit).where(
            Unit.number == number,
            Unit.voyage_id == voyage_id if voyage_id else Unit.voyage_id.is_(None),
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def set_unit_status(self, unit_id: uuid.UUID, status: str, now: datetime) -> None:
        await self.db.execute(
            update(Unit)
            .where(Unit.tenant_id == self.tenant_id, Unit.id == unit_id)
            .values(status=status, status_changed_at=now)
        )

    # Rate plans ---------------------------------------------------------------------
    async def rate_plans(self, *, active_only: bool = False) -> Sequence[RatePlan]:
        stmt = self.scoped(RatePlan)
        if active_only:
            stmt = stmt.where(RatePlan.active.is_(True))
        return (await self.db.execute(stmt.order_by(RatePlan.code))).scalars().all()

    async def rate_plan(self, rate_plan_id: uuid.UUID) -> RatePlan | None:
        return await self.get(RatePlan, rate_plan_id)

    async def rate_plan_by_code(self, code: str) -> RatePlan | None:
        stmt = self.scoped(RatePlan).where(RatePlan.code == code)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    # Calendar -----------------------------------------------------------------------
    async def calendar(
        self, start: date, end: date, *, unit_type_ids: Sequence[uuid.UUID] | None = None
    ) -> Sequence[InventoryDay]:
        """Inventory rows for [start, end), by type then date."""
        stmt = self.scoped(InventoryDay).where(InventoryDay.day >= start, InventoryDay.day < end)
        if unit_type_ids is not None:
            stmt = stmt.where(InventoryDay.unit_type_id.in_(list(unit_type_ids)))
        stmt = stmt.order_by(InventoryDay.unit_type_id, InventoryDay.day)
        return (await self.db.execute(stmt)).scalars().all()

    async def last_day(self, unit_type_id: uuid.UUID) -> date | None:
        """The last date the type is on the calendar (None: never put on sale)."""
        stmt = select(func.max(InventoryDay.day)).where(
            InventoryDay.tenant_id == self.tenant_id, InventoryDay.unit_type_id == unit_type_id
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def most_sold(self, unit_type_id: uuid.UUID, days: list[date]) -> int:
        params = {"t": self.tenant_id, "ut": unit_type_id, "days": days}
        return int(await self.db.scalar(_LOCK_SOLD, params) or 0)

    async def upsert_days(
        self,
        unit_type: UnitType,
        days: list[date],
        *,
        default_total: int,
        total: int | None = None,
        price_fen: int | None = None,
        closed: bool | None = None,
        closed_to_arrival: bool | None = None,
        min_stay: int | None = None,
    ) -> None:
        await self.db.execute(
            _UPSERT_DAYS,
            {
                "t": self.tenant_id,
                "ut": unit_type.id,
                "ids": [uuid7() for _ in days],
                "days": days,
                "total": total,
                "default_total": default_total,
                "price": price_fen,
                "default_price": unit_type.base_price_fen,
                "closed": closed,
                "cta": closed_to_arrival,
                "min_stay": min_stay,
            },
        )

    async def flush(self) -> None:
        await self.db.flush()
