"""SQL of the gangway: scans (append-only), the passenger's movement counter, and the counts
the purser watches (aboard now, per port call, the all-aboard list, the muster)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select

from app.db.engine import fetch_row
from modules.boarding.models import Passenger, Scan, ShipCabin
from modules.boarding.repository.passes import (
    ON_FILE_COLUMNS,
    ON_FILE_JOINS,
    PassOnFile,
    pass_on_file,
)
from tenants.repository import TenantScopedRepository

CANCELLED = "cancelled"
ACCEPTED = "accepted"


@dataclass(frozen=True, slots=True)
class CallTimes:
    """A port call as the gangway places a scan: in order, with its arrival times."""

    id: uuid.UUID
    arrives_at: datetime | None
    arrived_at: datetime | None


@dataclass(frozen=True, slots=True)
class EarlierScan:
    """The scan a device already sent under a sequence number, with its passenger's name."""

    id: uuid.UUID
    voyage_id: uuid.UUID | None
    port_call_id: uuid.UUID | None
    passenger_id: uuid.UUID | None
    direction: str
    scanned_at: datetime
    outcome: str
    reason: str | None
    movement_no: int | None
    offline: bool
    code_digest: bytes | None
    name: str
    cabin_number: str


@dataclass(frozen=True, slots=True)
class GangwayFacts:
    """All a scan is judged on, read in one statement: the voyage's status and port calls,
    the passengers aboard it, the device's earlier scan under the same number, and the pass
    on file (with its passenger) when the code's signature held."""

    voyage_status: str
    calls: list[CallTimes]
    aboard: int
    earlier: EarlierScan | None
    on_file: PassOnFile | None


_FACTS = f"""
SELECT v.status AS voyage_status, c.ids AS call_ids, c.arrives AS call_arrives,
    c.arrived AS call_arrived,
    (SELECT count(*) FROM passengers a
     WHERE a.tenant_id = $1 AND a.voyage_id = v.id AND a.aboard) AS voyage_aboard,
    e.id AS e_id, e.voyage_id AS e_voyage_id, e.port_call_id AS e_port_call_id,
    e.passenger_id AS e_passenger_id, e.direction AS e_direction, e.scanned_at AS e_scanned_at,
    e.outcome AS e_outcome, e.reason AS e_reason, e.movement_no AS e_movement_no,
    e.offline AS e_offline, e.code_digest AS e_code_digest, ep.name AS e_name,
    ep.cabin_number AS e_cabin_number,
    {ON_FILE_COLUMNS}
FROM boarding_voyages v
CROSS JOIN LATERAL (
    SELECT array_agg(pc.id ORDER BY pc.seq) AS ids,
        array_agg(pc.arrives_at ORDER BY pc.seq) AS arrives,
        array_agg(pc.arrived_at ORDER BY pc.seq) AS arrived
    FROM boarding_port_calls pc WHERE pc.tenant_id = $1 AND pc.voyage_id = v.id
) c
LEFT JOIN boarding_scans e ON e.tenant_id = $1 AND e.device_id = $3 AND e.device_seq = $4
LEFT JOIN passengers ep ON ep.tenant_id = $1 AND ep.id = e.passenger_id
LEFT JOIN (boarding_passes b {ON_FILE_JOINS}) ON b.tenant_id = $1 AND b.id = $5
WHERE v.tenant_id = $1 AND v.id = $2
"""

_SCAN_COLUMNS = """tenant_id, id, voyage_id, port_call_id, passenger_id, pass_id, direction,
    device_id, device_seq, scanned_at, offline, code_digest, by_user_id"""

# The accepted scan and the passenger's move in one statement: the passenger's row is locked
# while their movement count is still the one read (another gate that moved them first makes
# this one wait, then find nothing to lock); the scan is written only then, and the passenger
# moved only when it was (the unique device sequence or movement number may refuse it).
_BOARD = f"""
WITH free AS (
    SELECT id FROM passengers
    WHERE tenant_id = $1 AND id = $5 AND movements = $14::int - 1 AND status <> 'cancelled'
    FOR UPDATE
), written AS (
    INSERT INTO boarding_scans ({_SCAN_COLUMNS}, outcome, movement_no)
    SELECT $1, $2, $3, $4, free.id, $6, $7, $8, $9, $10, $11, $12, $13, 'accepted', $14::int
    FROM free
    ON CONFLICT DO NOTHING
    RETURNING passenger_id
), moved AS (
    UPDATE passengers SET movements = $14::int, aboard = ($14::int % 2 = 1), last_moved_at = $10
    FROM written
    WHERE passengers.tenant_id = $1 AND passengers.id = written.passenger_id
        AND passengers.movements = $14::int - 1
    RETURNING passengers.id, passengers.reservation_id
)
SELECT (SELECT count(*) FROM free) AS free, (SELECT count(*) FROM written) AS written,
    (SELECT count(*) FROM moved) AS moved, (SELECT reservation_id FROM moved) AS reservation_id
"""

_REFUSE = f"""
INSERT INTO boarding_scans ({_SCAN_COLUMNS}, outcome, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT DO NOTHING
RETURNING id
"""


@dataclass(frozen=True, slots=True)
class NewScan:
    """A scan to write (its outcome decided by the statement that writes it)."""

    id: uuid.UUID
    voyage_id: uuid.UUID
    port_call_id: uuid.UUID
    passenger_id: uuid.UUID | None
    pass_id: uuid.UUID | None
    direction: str
    device_id: str
    device_seq: int
    scanned_at: datetime
    offline: bool
    code_digest: bytes
    by_user_id: uuid.UUID | None

    def values(self, tenant_id: uuid.UUID) -> tuple[Any, ...]:
        return (
            tenant_id,
            self.id,
            self.voyage_id,
            self.port_call_id,
            self.passenger_id,
            self.pass_id,
            self.direction,
            self.device_id,
            self.device_seq,
            self.scanned_at,
            self.offline,
            self.code_digest,
            self.by_user_id,
        )


@dataclass(frozen=True, slots=True)
class Boarded:
    """What the boarding statement did: the passenger was still where the scan found them
    (`free`), the scan was written (`written`: not when the device's number or the movement
    number was taken), the passenger moved, and the reservation they board under (read
    with the move, for the `boarding.boarded` event)."""

    free: bool
    written: bool
    moved: bool
    reservation_id: uuid.UUID | None = None


class ScanRepository(TenantScopedRepository):
    """The gangway's hot path (`facts`, `board`, `refuse`) is sent straight on the driver's
    connection in the session's transaction (`fetch_row`): one statement to read what a scan
    is judged on, one to write it. Pending ORM changes are flushed first."""

    async def _row(self, sql: str, *args: object) -> Any:
        if self.db.new or self.db.dirty or self.db.deleted:
            await self.db.flush()
        return await fetch_row(self.db, sql, *args)

    async def facts(
        self, voyage_id: uuid.UUID, device_id: str, device_seq: int, pass_id: uuid.UUID | None
    ) -> GangwayFacts | None:
        """None when the voyage is not this enterprise's."""
        row = await self._row(_FACTS, self.tenant_id, voyage_id, device_id, device_seq, pass_id)
        if row is None:
            return None
        ids = row["call_ids"] or []
        calls = [
            CallTimes(i, a, d)
            for i, a, d in zip(
                ids, row["call_arrives"] or [], row["call_arrived"] or [], strict=True
            )
        ]
        earlier = None
        if row["e_id"] is not None:
            earlier = EarlierScan(
                row["e_id"],
                row["e_voyage_id"],
                row["e_port_call_id"],
                row["e_passenger_id"],
                row["e_direction"],
                row["e_scanned_at"],
                row["e_outcome"],
                row["e_reason"],
                row["e_movement_no"],
                row["e_offline"],
                row["e_code_digest"],
                row["e_name"] or "",
                row["e_cabin_number"] or "",
            )
        return GangwayFacts(
            row["voyage_status"], calls, int(row["voyage_aboard"]), earlier, pass_on_file(row)
        )

    async def board(self, scan: NewScan, movement_no: int) -> Boarded:
        """Write an accepted scan taking `movement_no` and move the passenger, only if their
        movement count is still `movement_no - 1` and their place is not cancelled."""
        row = await self._row(_BOARD, *scan.values(self.tenant_id), movement_no)
        return Boarded(
            bool(row["free"]), bool(row["written"]), bool(row["moved"]), row["reservation_id"]
        )

    async def refuse(self, scan: NewScan, outcome: str, reason: str) -> bool:
        """Write a refused scan; false when the device's sequence number was taken."""
        row = await self._row(_REFUSE, *scan.values(self.tenant_id), outcome, reason)
        return row is not None

    async def aboard_count(self, voyage_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            Passenger.tenant_id == self.tenant_id,
            Passenger.voyage_id == voyage_id,
            Passenger.aboard,  # as the partial index says it (ix_..._aboard)
        )
        return int(await self.db.scalar(stmt) or 0)

    async def moves_per_call(self, voyage_id: uuid.UUID) -> dict[uuid.UUID, tuple[int, int]]:
        """Accepted boardings and goings ashore at each port call of the voyage."""
        embark = func.count().filter(Scan.direction == "embark")
        disembark = func.count().filter(Scan.direction == "disembark")
        stmt = (
            select(Scan.port_call_id, embark, disembark)
            .where(
                Scan.tenant_id == self.tenant_id,
                Scan.voyage_id == voyage_id,
                Scan.outcome == ACCEPTED,
            )
            .group_by(Scan.port_call_id)
        )
        return {row[0]: (int(row[1]), int(row[2])) for row in await self.db.execute(stmt)}

    async def expected_per_call(self, voyage_id: uuid.UUID) -> dict[uuid.UUID, tuple[int, int]]:
        """Per boarding port call: live passengers booked to board there, and how many of
        them have never boarded yet."""
        never = func.count().filter(Passenger.movements == 0)
        stmt = (
            select(Passenger.boarding_call_id, func.count(), never)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.status != CANCELLED,
            )
            .group_by(Passenger.boarding_call_id)
        )
        return {row[0]: (int(row[1]), int(row[2])) for row in await self.db.execute(stmt)}

    async def ashore_from(self, voyage_id: uuid.UUID, port_call_id: uuid.UUID) -> Sequence[Any]:
        """Passengers whose last move was going ashore at this port call: the ones the ship
        must not leave without. Each row: the passenger and the time they went ashore."""
        last_move = and_(
            Scan.tenant_id == Passenger.tenant_id,
            Scan.passenger_id == Passenger.id,
            Scan.movement_no == Passenger.movements,
        )
        stmt = (
            select(Passenger, Scan.scanned_at)
            .join(Scan, last_move)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.aboard.is_(False),
                Passenger.movements > 0,
                Passenger.status != CANCELLED,
                Scan.port_call_id == port_call_id,
            )
            .order_by(Passenger.cabin_number, Passenger.name)
        )
        return (await self.db.execute(stmt)).all()

    async def not_yet_boarded(self, voyage_id: uuid.UUID, port_call_id: uuid.UUID) -> Sequence[Any]:
        """Live passengers booked to board at this port call who have not come aboard."""
        stmt = (
            self.scoped(Passenger)
            .where(
                Passenger.voyage_id == voyage_id,
                Passenger.boarding_call_id == port_call_id,
                Passenger.movements == 0,
                Passenger.status != CANCELLED,
            )
            .order_by(Passenger.cabin_number, Passenger.name)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def aboard_by_cabin(self, voyage_id: uuid.UUID, ship_id: uuid.UUID) -> Sequence[Any]:
        """Everyone aboard now with their cabin's deck (from the ship's plan, when the cabin
        is on it): rows of (passenger, deck or None)."""
        cabin = and_(
            ShipCabin.tenant_id == Passenger.tenant_id,
            ShipCabin.ship_id == ship_id,
            ShipCabin.number == Passenger.cabin_number,
        )
        unplanned = case((ShipCabin.deck.is_(None), 1), else_=0)
        stmt = (
            select(Passenger, ShipCabin.deck)
            .outerjoin(ShipCabin, cabin)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.aboard.is_(True),
            )
            .order_by(unplanned, ShipCabin.deck, Passenger.cabin_number, Passenger.name)
        )
        return (await self.db.execute(stmt)).all()

    async def recent(self, voyage_id: uuid.UUID, *, limit: int = 20) -> Sequence[Any]:
        """The latest scans at the voyage's gangways, with the passenger's name if known."""
        stmt = (
            select(Scan, Passenger.name, Passenger.cabin_number)
            .outerjoin(
                Passenger,
                and_(Passenger.tenant_id == Scan.tenant_id, Passenger.id == Scan.passenger_id),
            )
            .where(Scan.tenant_id == self.tenant_id, Scan.voyage_id == voyage_id)
            .order_by(Scan.created_at.desc(), Scan.scanned_at.desc())
            .limit(limit)
        )
        return (await self.db.execute(stmt)).all()
