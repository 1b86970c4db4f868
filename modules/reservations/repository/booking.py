"""The statements that sell inventory, and the reservations they create.

Never overbooked, without deadlocks: every statement that changes `inventory_days.sold`
first locks the rows it touches with `SELECT … ORDER BY unit_type_id, day FOR UPDATE`
(so two bookings always queue in the same order), checks under the lock that EVERY night
has room, and changes them all or none. The CHECK constraint `sold <= total` stands
behind it. Reservations are locked before inventory (never the other way round), and
the hold sweeper skips reservations another transaction holds.

Booking is one round trip: lock, check, increment, insert the reservation and its
nights in a single data-modifying CTE.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, select, update

from app.db.base import uuid7
from modules.reservations.domain import ACTIVE, ReservationStatus
from modules.reservations.models import (
    RatePlan,
    Reservation,
    ReservationNight,
    Unit,
    UnitType,
    Voyage,
)
from modules.reservations.repository.sql import (
    _AVAILABILITY,
    _CLAIM_AND_QUOTE,
    _EXPIRE,
    _QUOTE,
    _RESERVE,
    _SHIFT,
)
from tenants.repository import TenantScopedRepository


class InventoryShortage(Exception):
    """Some night had no room: nothing was changed."""


@dataclass(frozen=True, slots=True)
class NewReservation:
    id: uuid.UUID
    code: str
    status: str
    unit_type_id: uuid.UUID
    rate_plan_id: uuid.UUID
    quantity: int
    arrival: date
    departure: date
    adults: int
    children: int
    guest_name: str
    guest_phone: str
    guest_email: str | None
    id_type: str
    id_number: str
    preferences: tuple[str, ...]
    notes: str
    total_fen: int
    deposit_fen: int
    source: str
    hold_expires_at: datetime | None
    confirmed_at: datetime | None
    created_at: datetime
    nights: tuple[tuple[date, int], ...]
    channel: str = ""


def _view_columns() -> tuple[Any, ...]:
    return (
        Reservation,
        UnitType.name.label("unit_type_name"),
        UnitType.code.label("unit_type_code"),
        UnitType.kind.label("kind"),
        UnitType.voyage_id.label("voyage_id"),
        RatePlan.code.label("rate_plan_code"),
        RatePlan.name.label("rate_plan_name"),
        Unit.number.label("unit_number"),
    )


class BookingRepository(TenantScopedRepository):
    async def quote(
        self, unit_type_id: uuid.UUID, rate_plan_id: uuid.UUID, arrival: date, departure: date
    ) -> Sequence[Row[Any]]:
        """The unit type, the rate plan and the inventory rows for the nights, in one
        round trip (one row per date found; no rows when either is unknown)."""
        params = {"t": self.tenant_id, "ut": unit_type_id, "rp": rate_plan_id}
        result = await self.db.execute(_QUOTE, {**params, "a": arrival, "d": departure})
        return result.all()

    async def availability(
        self, arrival: date, departure: date, kind: str | None, voyage_id: uuid.UUID | None
    ) -> Sequence[Row[Any]]:
        """Every active type's inventory rows for the nights, by type then date."""
        params = {"t": self.tenant_id, "a": arrival, "d": departure}
        result = await self.db.execute(_AVAILABILITY, {**params, "kind": kind, "voyage": voyage_id})
        return result.all()

    async def claim_and_quote(
        self,
        claim: tuple[str, str, str, str],
        unit_type_id: uuid.UUID,
        rate_plan_id: uuid.UUID,
        arrival: date,
        departure: date,
    ) -> tuple[uuid.UUID | None, list[Row[Any]]]:
        """Claim the Idempotency-Key (key, method, path, request hash) and quote in one
        round trip: the claimed key's id (None when it was already taken) and the quote
        rows (empty when the type or plan is unknown)."""
        key, method, path, digest = claim
        params = {
            "t": self.tenant_id,
            "ut": unit_type_id,
            "rp": rate_plan_id,
            "a": arrival,
            "d": departure,
            "claim_id": uuid7(),
            "key": key,
            "method": method,
            "path": path,
            "hash": digest,
        }
        rows = (await self.db.execute(_CLAIM_AND_QUOTE, params)).all()
        return rows[0].claimed_id, [r for r in rows if r.unit_type_id is not None]

    async def reserve(
        self, new: NewReservation, answer: tuple[uuid.UUID, int, str] | None = None
    ) -> None:
        """Take `quantity` units on every night and write the reservation (and, for the
        API, the answer under its claimed Idempotency-Key), or change nothing and raise
        InventoryShortage."""
        answer_id, answer_status, answer_body = answer or (None, None, None)
        row = (
            await self.db.execute(
                _RESERVE,
                {
                    "t": self.tenant_id,
                    "ut": new.unit_type_id,
                    "rp": new.rate_plan_id,
                    "a": new.arrival,
                    "d": new.departure,
                    "n": len(new.nights),
                    "q": new.quantity,
                    "id": new.id,
                    "code": new.code,
                    "status": new.status,
                    "adults": new.adults,
                    "children": new.children,
                    "guest_name": new.guest_name,
                    "guest_phone": new.guest_phone,
                    "guest_email": new.guest_email,
                    "id_type": new.id_type,
                    "id_number": new.id_number,
                    "preferences": list(new.preferences),
                    "notes": new.notes,
                    "total": new.total_fen,
                    "deposit": new.deposit_fen,
                    "source": new.source,
                    "channel": new.channel,
                    "hold_expires_at": new.hold_expires_at,
                    "confirmed_at": new.confirmed_at,
                    "now": new.created_at,
                    "night_ids": [uuid7() for _ in new.nights],
                    "days": [d for d, _ in new.nights],
                    "prices": [p for _, p in new.nights],
                    "answer_id": answer_id,
                    "answer_status": answer_status,
                    "answer_body": answer_body,
                },
            )
        ).one()
        if not row.ok:
            raise InventoryShortage()

    async def shift(self, changes: list[tuple[uuid.UUID, date, int]]) -> None:
        """Apply signed changes to `sold` per (unit type, day); dates that gain must all
        exist and have room, else nothing changes and InventoryShortage is raised."""
        if not changes:
            return
        net: dict[tuple[uuid.UUID, date], int] = {}
        for ut, d, q in changes:
            net[(ut, d)] = net.get((ut, d), 0) + q
        gaining = sum(1 for q in net.values() if q > 0)
        keys = list(net)
        ok = await self.db.scalar(
            _SHIFT,
            {
                "t": self.tenant_id,
                "uts": [k[0] for k in keys],
                "days": [k[1] for k in keys],
                "qs": [net[k] for k in keys],
                "gaining": gaining,
            },
        )
        if not ok:
            raise InventoryShortage()

    async def expire_holds(self, now: datetime, unit_type_id: uuid.UUID | None = None) -> int:
        """Release holds whose time is up (at most 500 per call); how many expired."""
        params = {"t": self.tenant_id, "now": now, "ut": unit_type_id}
        return int(await self.db.scalar(_EXPIRE, params) or 0)

    # Reading reservations -------------------------------------------------------------

    def _views(self) -> Any:
        return (
            select(*_view_columns())
            .join(UnitType, UnitType.id == Reservation.unit_type_id)
            .join(RatePlan, RatePlan.id == Reservation.rate_plan_id)
            .outerjoin(Unit, Unit.id == Reservation.unit_id)
            .where(Reservation.tenant_id == self.tenant_id)
        )

    async def view(self, reservation_id: uuid.UUID, *, lock: bool = False) -> Row[Any] | None:
        stmt = self._views().where(Reservation.id == reservation_id)
        if lock:
            stmt = stmt.with_for_update(of=Reservation)
        return (await self.db.execute(stmt)).one_or_none()

    async def view_by_code(self, code: str) -> Row[Any] | None:
        stmt = self._views().where(Reservation.code == code.strip().upper())
        return (await self.db.execute(stmt)).one_or_none()

    async def nights(self, reservation_id: uuid.UUID) -> list[tuple[date, int]]:
        stmt = (
            select(ReservationNight.day, ReservationNight.price_fen)
            .where(
                ReservationNight.tenant_id == self.tenant_id,
                ReservationNight.reservation_id == reservation_id,
            )
            .order_by(ReservationNight.day)
        )
        return [(r.day, r.price_fen) for r in (await self.db.execute(stmt)).all()]

    async def plan(self, rate_plan_id: uuid.UUID) -> RatePlan | None:
        return await self.get(RatePlan, rate_plan_id)

    async def arriving(self, day: date) -> Sequence[Row[Any]]:
        stmt = self._views().where(
            Reservation.arrival == day,
            Reservation.status.in_(tuple(ACTIVE)),
        )
        return (await self.db.execute(stmt.order_by(Reservation.guest_name))).all()

    async def in_house(self) -> Sequence[Row[Any]]:
        stmt = self._views().where(Reservation.status == ReservationStatus.CHECKED_IN)
        return (await self.db.execute(stmt.order_by(Unit.number))).all()

    async def departing(self, day: date) -> Sequence[Row[Any]]:
        stmt = self._views().where(
            Reservation.departure == day,
            Reservation.status.in_((ReservationStatus.CHECKED_IN, ReservationStatus.CHECKED_OUT)),
        )
        return (await self.db.execute(stmt.order_by(Unit.number))).all()

    async def search(
        self,
        *,
        term: str = "",
        status: str | None = None,
        arrival_from: date | None = None,
        arrival_to: date | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[Row[Any]]:
        """Newest arrivals first; `term` matches the code, the guest's name or phone."""
        stmt = self._views()
        if term:
            like = f"%{_escape(term.strip())}%"
            stmt = stmt.where(
                Reservation.code.ilike(like)
                | Reservation.guest_name.ilike(like)
                | Reservation.guest_phone.ilike(like)
            )
        if status:
            stmt = stmt.where(Reservation.status == status)
        if arrival_from:
            stmt = stmt.where(Reservation.arrival >= arrival_from)
        if arrival_to:
            stmt = stmt.where(Reservation.arrival <= arrival_to)
        stmt = stmt.order_by(Reservation.arrival.desc(), Reservation.created_at.desc())
        return (await self.db.execute(stmt.limit(limit).offset(offset))).all()

    # Changing reservations ------------------------------------------------------------

    async def update(self, reservation_id: uuid.UUID, **values: Any) -> None:
        await self.db.execute(
            update(Reservation)
            .where(Reservation.tenant_id == self.tenant_id, Reservation.id == reservation_id)
            .values(**values)
        )

    async def transition(
        self, reservation_id: uuid.UUID, from_statuses: tuple[str, ...], **values: Any
    ) -> bool:
        """Change a reservation only while it is in one of `from_statuses` (a concurrent
        change that got there first wins; this one reports False)."""
        result = await self.db.execute(
            update(Reservation)
            .where(
                Reservation.tenant_id == self.tenant_id,
                Reservation.id == reservation_id,
                Reservation.status.in_(from_statuses),
            )
            .values(**values)
            .returning(Reservation.id)
        )
        return result.first() is not None

    async def replace_nights(
        self, reservation_id: uuid.UUID, unit_type_id: uuid.UUID, nights: list[tuple[date, int]]
    ) -> None:
        await self.db.execute(
            delete(ReservationNight).where(
                ReservationNight.tenant_id == self.tenant_id,
                ReservationNight.reservation_id == reservation_id,
            )
        )
        for day, price in nights:
            self.add(
                ReservationNight(
                    reservation_id=reservation_id,
                    unit_type_id=unit_type_id,
                    day=day,
                    price_fen=price,
                )
            )
        await self.db.flush()

    async def unit(self, unit_id: uuid.UUID) -> Unit | None:
        return await self.get(Unit, unit_id)

    async def voyage(self, voyage_id: uuid.UUID) -> Voyage | None:
        return await self.get(Voyage, voyage_id)


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
