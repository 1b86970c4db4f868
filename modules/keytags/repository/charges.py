"""SQL of charges on a tag: the outlet's hot path (one statement reads what a charge is judged
on, one writes it with the tab's guarded move), voids, the POS tag look-up, offline conflicts.

The hot statements go straight on the driver's connection in the session's transaction
(`fetch_row`), as the gangway's do (modules/boarding/repository/scans.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update

from app.db.engine import fetch_row
from modules.keytags.models import Charge, ChargeConflict, Outlet, OutletItem, Visit
from tenants.repository import TenantScopedRepository

# What a charge is judged on, in one statement: the outlet (by the calling key, or by id for
# the POS page), the tag and the visit holding it (else the status of the last visit it was
# bound to), the device's earlier charge under the same sequence number with its visit, and
# the outlet's active items among the codes asked for.
_FACTS = """
SELECT o.id AS outlet_id, o.name AS outlet_name, o.active AS outlet_active,
    t.id AS tag_id, t.status AS tag_status,
    v.id AS visit_id, v.number AS visit_number, v.guest_name, v.tab_fen, v.limit_fen,
    lv.status AS last_visit_status, lv.id AS last_visit_id,
    e.id AS e_id, e.visit_id AS e_visit_id, e.tag_id AS e_tag_id, e.outlet_id AS e_outlet_id,
    e.kind AS e_kind, e.amount_fen AS e_amount_fen, e.lines AS e_lines,
    e.occurred_at AS e_occurred_at, ev.number AS e_visit_number, ev.guest_name AS e_guest_name,
    ev.tab_fen AS e_tab_fen, ev.limit_fen AS e_limit_fen,
    (SELECT coalesce(json_agg(json_build_object('id', i.id, 'code', i.code, 'name', i.name,
            'unit', i.unit, 'price_fen', i.price_fen)), '[]')
     FROM spa_outlet_items i
     WHERE i.tenant_id = $1 AND i.outlet_id = o.id AND i.active AND i.code = ANY($6::text[])
    ) AS items
FROM spa_outlets o
LEFT JOIN key_tags t ON t.tenant_id = $1 AND t.uid = $5
LEFT JOIN spa_visits v ON v.tenant_id = $1 AND v.active_tag_id = t.id AND v.status = 'open'
LEFT JOIN LATERAL (
    SELECT lv.id, lv.status FROM spa_visit_tags b
    JOIN spa_visits lv ON lv.tenant_id = $1 AND lv.id = b.visit_id
    WHERE b.tenant_id = $1 AND b.tag_id = t.id
    ORDER BY b.bound_at DESC LIMIT 1
) lv ON true
LEFT JOIN spa_charges e ON e.tenant_id = $1 AND e.device_id = $3 AND e.device_seq = $4
LEFT JOIN spa_visits ev ON ev.tenant_id = $1 AND ev.id = e.visit_id
WHERE o.tenant_id = $1 AND {outlet}
"""
_FACTS_BY_KEY = _FACTS.format(outlet="o.api_key_id = $2")
_FACTS_BY_OUTLET = _FACTS.format(outlet="o.id = $2")

_CHARGE_COLUMNS = """tenant_id, id, visit_id, tag_id, outlet_id, kind, description, lines,
    amount_fen, device_id, device_seq, occurred_at, recorded_at, offline, api_key_id, user_id,
    approved_by, reason, voids_charge_id"""

# The charge and the tab's guarded move in one statement: the visit's row is locked only while
# it is open, holds the scanned tag and has room for the amount (a racing outlet that moved it
# first makes this one wait, then re-read it: the limit holds); the charge is written only
# then, and the tab moved only when it was (the device's sequence number may be taken by a
# replay that committed first: then nothing moves).
_APPLY = f"""
WITH free AS (
    SELECT id FROM spa_visits
    WHERE tenant_id = $1 AND id = $3 AND status = 'open'
        AND ($20::bool OR (active_tag_id = $4 AND tab_fen + $9 <= limit_fen))
    FOR UPDATE
), written AS (
    INSERT INTO spa_charges ({_CHARGE_COLUMNS})
    SELECT $1, $2, free.id, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16,
        $17, $18, $19
    FROM free
    ON CONFLICT DO NOTHING
    RETURNING visit_id
), moved AS (
    UPDATE spa_visits SET tab_fen = spa_visits.tab_fen + $9
    FROM written
    WHERE spa_visits.tenant_id = $1 AND spa_visits.id = written.visit_id
    RETURNING spa_visits.tab_fen, spa_visits.limit_fen
)
SELECT (SELECT count(*) FROM free) AS free, (SELECT count(*) FROM written) AS written,
    (SELECT tab_fen FROM moved) AS tab_fen, (SELECT limit_fen FROM moved) AS limit_fen
"""

_VISIT_NOW = """
SELECT v.id, v.number, v.guest_name, v.tab_fen, v.limit_fen, v.status, v.active_tag_id
FROM spa_visits v WHERE v.tenant_id = $1 AND v.id = $2
"""

_EARLIER = """
SELECT e.id AS e_id, e.visit_id AS e_visit_id, e.tag_id AS e_tag_id, e.outlet_id AS e_outlet_id,
    e.kind AS e_kind, e.amount_fen AS e_amount_fen, e.lines AS e_lines,
    e.occurred_at AS e_occurred_at, ev.number AS e_visit_number, ev.guest_name AS e_guest_name,
    ev.tab_fen AS e_tab_fen, ev.limit_fen AS e_limit_fen
FROM spa_charges e JOIN spa_visits ev ON ev.tenant_id = $1 AND ev.id = e.visit_id
WHERE e.tenant_id = $1 AND e.device_id = $2 AND e.device_seq = $3
"""

_TAG = """
SELECT t.status AS tag_status, v.id AS visit_id, v.number, v.guest_name, v.tab_fen, v.limit_fen
FROM key_tags t
LEFT JOIN spa_visits v ON v.tenant_id = $1 AND v.active_tag_id = t.id AND v.status = 'open'
WHERE t.tenant_id = $1 AND t.uid = $2
"""

_CONFLICT = """
INSERT INTO spa_charge_conflicts (tenant_id, id, device_id, device_seq, outlet_id, tag_uid,
    visit_id, lines, amount_fen, occurred_at, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)
ON CONFLICT DO NOTHING
RETURNING id
"""

_EARLIER_CONFLICT = """
SELECT id, reason, status, amount_fen, tag_uid, lines, visit_id, occurred_at
FROM spa_charge_conflicts WHERE tenant_id = $1 AND device_id = $2 AND device_seq = $3
"""


def _json(value: Any) -> Any:
    if isinstance(value, bytes | str):
        return json.loads(value)
    return value


@dataclass(frozen=True, slots=True)
class EarlierCharge:
    """The charge a device already sent under a sequence number, with its visit now."""

    id: uuid.UUID
    visit_id: uuid.UUID
    tag_id: uuid.UUID | None
    outlet_id: uuid.UUID | None
    kind: str
    amount_fen: int
    lines: list[dict[str, Any]]
    occurred_at: datetime
    visit_number: str
    guest_name: str
    tab_fen: int
    limit_fen: int


def _earlier(row: Any) -> EarlierCharge | None:
    if row is None or row["e_id"] is None:
        return None
    return EarlierCharge(
        row["e_id"],
        row["e_visit_id"],
        row["e_tag_id"],
        row["e_outlet_id"],
        row["e_kind"],
        int(row["e_amount_fen"]),
        _json(row["e_lines"]) or [],
        row["e_occurred_at"],
        row["e_visit_number"],
        row["e_guest_name"],
        int(row["e_tab_fen"]),
        int(row["e_limit_fen"]),
    )


@dataclass(frozen=True, slots=True)
class PriceItem:
    id: uuid.UUID
    code: str
    name: str
    unit: str
    price_fen: int


@dataclass(frozen=True, slots=True)
class ChargeFacts:
    """All a charge is judged on (one statement)."""

    outlet_id: uuid.UUID
    outlet_name: str
    outlet_active: bool
    tag_id: uuid.UUID | None
    tag_status: str | None
    visit_id: uuid.UUID | None  # the open visit holding the tag
    visit_number: str
    guest_name: str
    tab_fen: int
    limit_fen: int
    last_visit_id: uuid.UUID | None  # the last visit the tag was bound to
    last_visit_status: str | None
    earlier: EarlierCharge | None
    items: dict[str, PriceItem]


@dataclass(frozen=True, slots=True)
class NewCharge:
    """A charge row to write (a sale, a void, or a posted conflict)."""

    id: uuid.UUID
    visit_id: uuid.UUID
    tag_id: uuid.UUID | None
    outlet_id: uuid.UUID | None
    kind: str
    description: str
    lines: list[dict[str, Any]]
    amount_fen: int
    device_id: str | None
    device_seq: int | None
    occurred_at: datetime
    recorded_at: datetime
    offline: bool = False
    api_key_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    approved_by: uuid.UUID | None = None
    reason: str = ""
    voids_charge_id: uuid.UUID | None = None

    def values(self, tenant_id: uuid.UUID) -> tuple[Any, ...]:
        return (
            tenant_id,
            self.id,
            self.visit_id,
            self.tag_id,
            self.outlet_id,
            self.kind,
            self.description,
            json.dumps(self.lines, ensure_ascii=False),
            self.amount_fen,
            self.device_id,
            self.device_seq,
            self.occurred_at,
            self.recorded_at,
            self.offline,
            self.api_key_id,
            self.user_id,
            self.approved_by,
            self.reason,
            self.voids_charge_id,
        )


@dataclass(frozen=True, slots=True)
class Applied:
    """What the writing statement did: the visit was open, held the tag and had room
    (`free`); the charge was written (not when the device's number was taken); the tab after."""

    free: bool
    written: bool
    tab_fen: int | None
    limit_fen: int | None


@dataclass(frozen=True, slots=True)
class VisitNow:
    id: uuid.UUID
    number: str
    guest_name: str
    tab_fen: int
    limit_fen: int
    status: str
    active_tag_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class EarlierConflict:
    id: uuid.UUID
    reason: str
    status: str
    amount_fen: int
    tag_uid: str
    lines: list[dict[str, Any]]
    visit_id: uuid.UUID | None
    occurred_at: datetime


class ChargeRepository(TenantScopedRepository):
    async def _row(self, sql: str, *args: object) -> Any:
        if self.db.new or self.db.dirty or self.db.deleted:
            await self.db.flush()
        return await fetch_row(self.db, sql, *args)

    async def facts(
        self,
        *,
        api_key_id: uuid.UUID | None,
        outlet_id: uuid.UUID | None,
        device_id: str,
        device_seq: int,
        tag_uid: str,
        codes: Sequence[str],
    ) -> ChargeFacts | None:
        """None when no outlet of this enterprise is the calling key's (or has this id)."""
        sql, outlet = (
            (_FACTS_BY_KEY, api_key_id) if api_key_id is not None else (_FACTS_BY_OUTLET, outlet_id)
        )
        if outlet is None:
            return None
        row = await self._row(sql, self.tenant_id, outlet, device_id, device_seq, tag_uid, codes)
        if row is None:
            return None
        items = {
            i["code"]: PriceItem(
                uuid.UUID(i["id"]), i["code"], i["name"], i["unit"], i["price_fen"]
            )
            for i in _json(row["items"])
        }
        return ChargeFacts(
            outlet_id=row["outlet_id"],
            outlet_name=row["outlet_name"],
            outlet_active=bool(row["outlet_active"]),
            tag_id=row["tag_id"],
            tag_status=row["tag_status"],
            visit_id=row["visit_id"],
            visit_number=row["visit_number"] or "",
            guest_name=row["guest_name"] or "",
            tab_fen=int(row["tab_fen"] or 0),
            limit_fen=int(row["limit_fen"] or 0),
            last_visit_id=row["last_visit_id"],
            last_visit_status=row["last_visit_status"],
            earlier=_earlier(row),
            items=items,
        )

    async def apply(self, charge: NewCharge, *, by_person: bool = False) -> Applied:
        """Write the charge and move the tab, only while the visit is open, holds the tag
        and the tab stays within its limit. `by_person`: a void, or a conflict a cashier
        posts (a person decided): only the visit being open is required."""
        row = await self._row(_APPLY, *charge.values(self.tenant_id), by_person)
        tab = row["tab_fen"]
        limit = row["limit_fen"]
        return Applied(
            bool(row["free"]),
            bool(row["written"]),
            int(tab) if tab is not None else None,
            int(limit) if limit is not None else None,
        )

    async def visit_now(self, visit_id: uuid.UUID) -> VisitNow | None:
        row = await self._row(_VISIT_NOW, self.tenant_id, visit_id)
        if row is None:
            return None
        return VisitNow(
            row["id"],
            row["number"],
            row["guest_name"],
            int(row["tab_fen"]),
            int(row["limit_fen"]),
            row["status"],
            row["active_tag_id"],
        )

    async def lock_device(self, device_id: str) -> None:
        """Hold the device's uploads one after another until the transaction ends: a batch
        sent again while the first is still running waits, then finds every sale done."""
        await self._row(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            f"keytags:{self.tenant_id}:{device_id}",
        )

    async def tag_and_visit(self, uid: str) -> Any:
        """The tag's status and the open visit holding it (one statement; None: no tag)."""
        return await self._row(_TAG, self.tenant_id, uid)

    async def earlier(self, device_id: str, device_seq: int) -> EarlierCharge | None:
        return _earlier(await self._row(_EARLIER, self.tenant_id, device_id, device_seq))

    async def earlier_conflict(self, device_id: str, device_seq: int) -> EarlierConflict | None:
        row = await self._row(_EARLIER_CONFLICT, self.tenant_id, device_id, device_seq)
        if row is None:
            return None
        return EarlierConflict(
            row["id"],
            row["reason"],
            row["status"],
            int(row["amount_fen"]),
            row["tag_uid"],
            _json(row["lines"]) or [],
            row["visit_id"],
            row["occurred_at"],
        )

    async def record_conflict(
        self,
        *,
        id_: uuid.UUID,
        device_id: str,
        device_seq: int,
        outlet_id: uuid.UUID,
        tag_uid: str,
        visit_id: uuid.UUID | None,
        lines: list[dict[str, Any]],
        amount_fen: int,
        occurred_at: datetime,
        reason: str,
    ) -> bool:
        """False when the device's number is already a conflict (a replay raced this one)."""
        row = await self._row(
            _CONFLICT,
            self.tenant_id,
            id_,
            device_id,
            device_seq,
            outlet_id,
            tag_uid,
            visit_id,
            json.dumps(lines, ensure_ascii=False),
            amount_fen,
            occurred_at,
            reason,
        )
        return row is not None

    # ---- reads for the POS, voids and the conflicts page (ORM, not hot) ----

    async def charge(self, charge_id: uuid.UUID) -> Charge | None:
        return await self.get(Charge, charge_id)

    async def void_of(self, charge_id: uuid.UUID) -> Charge | None:
        stmt = self.scoped(Charge).where(Charge.voids_charge_id == charge_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def outlet(self, outlet_id: uuid.UUID) -> Outlet | None:
        return await self.get(Outlet, outlet_id)

    async def outlet_for_key(self, api_key_id: uuid.UUID) -> Outlet | None:
        stmt = self.scoped(Outlet).where(Outlet.api_key_id == api_key_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def outlets(self) -> list[Outlet]:
        stmt = (
            self.scoped(Outlet)
            .where(Outlet.active.is_(True))
            .order_by(Outlet.sort_order, Outlet.code)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def items(self, outlet_id: uuid.UUID) -> list[OutletItem]:
        stmt = (
            self.scoped(OutletItem)
            .where(OutletItem.outlet_id == outlet_id, OutletItem.active.is_(True))
            .order_by(OutletItem.sort_order, OutletItem.code)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def visit(self, visit_id: uuid.UUID) -> Visit | None:
        return await self.get(Visit, visit_id)

    async def visit_by_number(self, number: str) -> Visit | None:
        stmt = self.scoped(Visit).where(Visit.number == number)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def recent(self, outlet_id: uuid.UUID, *, limit: int = 10) -> Sequence[Any]:
        """The outlet's latest sales with their visit and whether each is voided."""
        voids = Charge.__table__.alias("voids")
        stmt = (
            select(Charge, Visit.number, Visit.guest_name, voids.c.id.label("void_id"))
            .join(Visit, and_(Visit.tenant_id == Charge.tenant_id, Visit.id == Charge.visit_id))
            .outerjoin(
                voids,
                and_(voids.c.tenant_id == Charge.tenant_id, voids.c.voids_charge_id == Charge.id),
            )
            .where(
                Charge.tenant_id == self.tenant_id,
                Charge.outlet_id == outlet_id,
                Charge.kind == "charge",
            )
            .order_by(Charge.recorded_at.desc(), Charge.id.desc())
            .limit(limit)
        )
        return (await self.db.execute(stmt)).all()

    async def conflict(self, conflict_id: uuid.UUID) -> ChargeConflict | None:
        return await self.get(ChargeConflict, conflict_id)

    async def resolve_conflict(
        self,
        conflict_id: uuid.UUID,
        *,
        status: str,
        charge_id: uuid.UUID | None,
        by: uuid.UUID | None,
        at: datetime,
        note: str,
    ) -> bool:
        """Settle an open conflict; false when someone settled it first."""
        stmt = (
            update(ChargeConflict)
            .where(
                ChargeConflict.tenant_id == self.tenant_id,
                ChargeConflict.id == conflict_id,
                ChargeConflict.status == "open",
            )
            .values(
                status=status,
                charge_id=charge_id,
                resolved_by=by,
                resolved_at=at,
                resolution_note=note[:200],
            )
            .returning(ChargeConflict.id)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none() is not None

    async def conflicts(self, *, status: str | None, limit: int = 200) -> Sequence[Any]:
        """Offline conflicts with their outlet's name and their visit (when known)."""
        stmt = (
            select(ChargeConflict, Outlet.name, Visit.number, Visit.guest_name, Visit.status)
            .join(
                Outlet,
                and_(
                    Outlet.tenant_id == ChargeConflict.tenant_id,
                    Outlet.id == ChargeConflict.outlet_id,
                ),
            )
            .outerjoin(
                Visit,
                and_(
                    Visit.tenant_id == ChargeConflict.tenant_id, Visit.id == ChargeConflict.visit_id
                ),
            )
            .where(ChargeConflict.tenant_id == self.tenant_id)
            .order_by(ChargeConflict.occurred_at.desc())
            .limit(limit)
        )
        if status is not None:
            stmt = stmt.where(ChargeConflict.status == status)
        return (await self.db.execute(stmt)).all()
