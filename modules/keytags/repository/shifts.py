"""SQL of cashier and outlet shifts: the open shift (one per person, a partial unique index),
opening it safely under races, locking it to close, and the tenders it took."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from modules.keytags.models import Shift
from tenants.repository import TenantScopedRepository


@dataclass(frozen=True, slots=True)
class TenderSum:
    kind: str
    method: str
    count: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class ShiftRow:
    shift: Shift
    user_name: str
    outlet_name: str | None


_SUMS = text(
    """
    SELECT kind, method, count(*) AS n, coalesce(sum(amount_fen), 0) AS amount
    FROM spa_tenders
    WHERE tenant_id = :tenant AND shift_id = :shift
    GROUP BY kind, method
    ORDER BY kind, method
    """
)

_LIST = text(
    """
    SELECT s.id, coalesce(nullif(u.display_name, ''), u.email) AS user_name,
           o.name AS outlet_name
    FROM spa_shifts s
    JOIN users u ON u.id = s.user_id
    LEFT JOIN spa_outlets o ON o.tenant_id = s.tenant_id AND o.id = s.outlet_id
    WHERE s.tenant_id = :tenant
      AND s.opened_at < :end_at
      AND (s.closed_at IS NULL OR s.closed_at >= :start_at)
    ORDER BY s.opened_at DESC
    LIMIT :limit
    """
)


class ShiftRepository(TenantScopedRepository):
    async def open_shift(self, user_id: uuid.UUID, *, lock: str | None = None) -> Shift | None:
        """The person's open shift. `lock="share"` holds it open until the transaction ends
        (a tender being taken: closing waits for it); `lock="update"` to close it. A lock
        that had to wait re-reads the row: a shift closed meanwhile is not returned."""
        stmt = self.scoped(Shift).where(Shift.user_id == user_id, Shift.closed_at.is_(None))
        if lock == "share":
            stmt = stmt.with_for_update(read=True)
        elif lock == "update":
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def insert_open(
        self, user_id: uuid.UUID, *, at: datetime, outlet_id: uuid.UUID | None, float_fen: int
    ) -> bool:
        """Open a shift unless the person has one (the partial unique index decides, so two
        requests racing open one); True when this call opened it."""
        stmt = (
            insert(Shift)
            .values(
                tenant_id=self.tenant_id,
                user_id=user_id,
                outlet_id=outlet_id,
                opened_at=at,
                opening_float_fen=float_fen,
            )
            .on_conflict_do_nothing(
                index_elements=["tenant_id", "user_id"], index_where=Shift.closed_at.is_(None)
            )
            .returning(Shift.id)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none() is not None

    async def start(
        self, user_id: uuid.UUID, *, at: datetime, outlet_id: uuid.UUID | None, float_fen: int
    ) -> Shift:
        shift = Shift(
            user_id=user_id, outlet_id=outlet_id, opened_at=at, opening_float_fen=float_fen
        )
        self.add(shift)
        await self.db.flush()
        return shift

    async def shift(self, shift_id: uuid.UUID) -> Shift | None:
        return await self.get(Shift, shift_id)

    async def tender_sums(self, shift_id: uuid.UUID) -> list[TenderSum]:
        rows = await self.db.execute(_SUMS, {"tenant": self.tenant_id, "shift": shift_id})
        return [TenderSum(r.kind, r.method, int(r.n), int(r.amount)) for r in rows]

    async def shifts_between(
        self, start_at: datetime, end_at: datetime, *, limit: int = 500
    ) -> list[ShiftRow]:
        """Shifts open at some moment of [start_at, end_at), newest first."""
        rows = list(
            await self.db.execute(
                _LIST,
                {"tenant": self.tenant_id, "start_at": start_at, "end_at": end_at, "limit": limit},
            )
        )
        found = {s.id: s for s in await self._shifts([r.id for r in rows])}
        return [ShiftRow(found[r.id], r.user_name, r.outlet_name) for r in rows]

    async def names(self, shift: Shift) -> tuple[str, str | None]:
        row = (
            await self.db.execute(
                text(
                    """
                    SELECT coalesce(nullif(u.display_name, ''), u.email) AS user_name,
                           (SELECT o.name FROM spa_outlets o
                             WHERE o.tenant_id = :tenant AND o.id = :outlet) AS outlet_name
                    FROM users u WHERE u.id = :user
                    """
                ),
                {"tenant": self.tenant_id, "outlet": shift.outlet_id, "user": shift.user_id},
            )
        ).one()
        return row.user_name, row.outlet_name

    async def _shifts(self, ids: list[uuid.UUID]) -> list[Shift]:
        if not ids:
            return []
        stmt = self.scoped(Shift).where(Shift.id.in_(ids))
        return list((await self.db.execute(stmt)).scalars())
