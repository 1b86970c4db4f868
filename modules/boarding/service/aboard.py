"""Who is aboard: the live counts the gangway shows per port call, the all-aboard list the
purser reads before the ship leaves a port (nobody left ashore), and the muster headcount by
deck and cabin. All read from the passengers' movement state and the accepted scans, never
typed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import NotFound
from modules.boarding.domain import RefusalReason, ScanDirection, ScanOutcome
from modules.boarding.repository.scans import ScanRepository
from modules.boarding.schemas.voyages import PortCallView, VoyageView
from modules.boarding.service.gangway import current_call, scan_message
from modules.boarding.service.voyages import get_voyage


@dataclass(frozen=True, slots=True)
class CallCount:
    """One port call with its moves: boarded and gone ashore here (accepted scans), and
    for a boarding port how many are booked to board here and have not come yet."""

    call: PortCallView
    boarded: int
    ashore: int
    expected: int
    waiting: int
    current: bool


@dataclass(frozen=True, slots=True)
class RecentScan:
    scanned_at: datetime
    direction: ScanDirection
    outcome: ScanOutcome
    reason: RefusalReason | None
    name: str
    cabin_number: str
    device_id: str

    @property
    def message(self) -> str:
        return scan_message(self.outcome, self.direction, self.reason)


@dataclass(frozen=True, slots=True)
class Gangway:
    """What the gangway page shows around the scanning box."""

    voyage: VoyageView
    calls: list[CallCount]
    current_call_id: uuid.UUID | None
    aboard: int
    recent: list[RecentScan] = field(default_factory=list)

    def call(self, call_id: uuid.UUID | None) -> CallCount | None:
        return next((c for c in self.calls if c.call.id == call_id), None)


@dataclass(frozen=True, slots=True)
class Missing:
    """Someone the ship must not leave without."""

    passenger_id: uuid.UUID
    name: str
    cabin_number: str
    phone: str
    since: datetime | None  # when they went ashore; None: never boarded


@dataclass(frozen=True, slots=True)
class MusterCabin:
    cabin_number: str
    names: list[str]


@dataclass(frozen=True, slots=True)
class MusterDeck:
    deck: int | None  # None: a cabin not on the ship's plan
    cabins: list[MusterCabin]

    @property
    def headcount(self) -> int:
        return sum(len(c.names) for c in self.cabins)


@dataclass(frozen=True, slots=True)
class AllAboard:
    """The all-aboard check before leaving `call`: who went ashore here and is not back,
    who was to board here and never came; and the muster of everyone aboard now."""

    gangway: Gangway
    call: CallCount
    ashore: list[Missing]
    not_boarded: list[Missing]
    decks: list[MusterDeck]

    @property
    def missing(self) -> int:
        return len(self.ashore) + len(self.not_boarded)

    @property
    def headcount(self) -> int:
        return sum(d.headcount for d in self.decks)


async def gangway_view(
    db: AsyncSession, tid: TenantId, voyage_id: uuid.UUID, *, recent: int = 0
) -> Gangway:
    """The voyage, its port calls with their counts and the call the ship is at now, the
    count aboard, and the latest `recent` scans. NotFound for another enterprise's voyage."""
    voyage = await get_voyage(db, tid, voyage_id)
    repo = ScanRepository(db, tid)
    moves = await repo.moves_per_call(voyage.id)
    booked = await repo.expected_per_call(voyage.id)
    here = current_call(voyage.port_calls, clock.now()) if voyage.port_calls else None
    calls = [
        CallCount(
            call=c,
            boarded=moves.get(c.id, (0, 0))[0],
            ashore=moves.get(c.id, (0, 0))[1],
            expected=booked.get(c.id, (0, 0))[0],
            waiting=booked.get(c.id, (0, 0))[1],
            current=here is not None and here.id == c.id,
        )
        for c in voyage.port_calls
    ]
    scans = [
        RecentScan(
            scanned_at=s.scanned_at,
            direction=ScanDirection(s.direction),
            outcome=ScanOutcome(s.outcome),
            reason=RefusalReason.parse(s.reason),
            name=name or "",
            cabin_number=cabin or "",
            device_id=s.device_id,
        )
        for s, name, cabin in (await repo.recent(voyage.id, limit=recent) if recent else [])
    ]
    return Gangway(
        voyage=voyage,
        calls=calls,
        current_call_id=here.id if here else None,
        aboard=await repo.aboard_count(voyage.id),
        recent=scans,
    )


async def all_aboard(
    db: AsyncSession, tid: TenantId, voyage_id: uuid.UUID, port_call_id: uuid.UUID | None
) -> AllAboard:
    """The all-aboard list of a port call (the current one when none or another voyage's
    is asked for) and the muster. NotFound for another enterprise's voyage."""
    gangway = await gangway_view(db, tid, voyage_id)
    chosen = gangway.call(port_call_id) or gangway.call(gangway.current_call_id)
    if chosen is None:
        raise NotFound()
    repo = ScanRepository(db, tid)
    ashore = [
        Missing(p.id, p.name, p.cabin_number, p.phone, since)
        for p, since in await repo.ashore_from(voyage_id, chosen.call.id)
    ]
    never = [
        Missing(p.id, p.name, p.cabin_number, p.phone, None)
        for p in await repo.not_yet_boarded(voyage_id, chosen.call.id)
    ]
    return AllAboard(gangway, chosen, ashore, never, await _muster(repo, gangway.voyage))


async def _muster(repo: ScanRepository, voyage: VoyageView) -> list[MusterDeck]:
    decks: list[MusterDeck] = []
    for passenger, deck in await repo.aboard_by_cabin(voyage.id, voyage.ship_id):
        if not decks or decks[-1].deck != deck:
            decks.append(MusterDeck(deck, []))
        cabins = decks[-1].cabins
        if not cabins or cabins[-1].cabin_number != passenger.cabin_number:
            cabins.append(MusterCabin(passenger.cabin_number, []))
        cabins[-1].names.append(passenger.name)
    return decks
