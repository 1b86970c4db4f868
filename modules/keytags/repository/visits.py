"""SQL of the admission desk: visit numbers, tags and their bindings, lockers, the desk's
tenders and fees, and the resort's list of visits.

Who wins what, when two desks act at once:
- a visit number: `number_lock` serialises admissions of one business date of one resort (a
  transaction-scoped advisory lock), so the count of that date's visits plus one is free;
  the same lock makes "not more visits than the ticket's quantity" hold for a code redeemed at
  two desks at once;
- a locker: `first_free_locker` skips lockers another transaction holds (FOR UPDATE SKIP
  LOCKED) and `occupy_locker` only takes a locker still free, so two visits never share one;
- a tag: `lock_tag` holds the tag row, `take_tag` only moves an available tag to in use, and
  a tag opens at most one visit (the unique `active_tag_id`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from modules.keytags.models import (
    Charge,
    KeyTag,
    Locker,
    LockerSection,
    Tender,
    TicketType,
    Visit,
    VisitTag,
)
from tenants.repository import TenantScopedRepository

_NUMBER_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtextextended('spa_visit_no:' || :t || ':' || :d, 0))"
)
LIVE_STATUSES = ("open", "settled")


class VisitRepository(TenantScopedRepository):
    # Numbers ---------------------------------------------------------------------------

    async def number_lock(self, business_date: date) -> None:
        await self.db.execute(
            _NUMBER_LOCK, {"t": str(self.tenant_id), "d": business_date.isoformat()}
        )

    async def visits_on(self, business_date: date) -> int:
        stmt = select(func.count()).where(
            Visit.tenant_id == self.tenant_id, Visit.business_date == business_date
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def visits_for_reservation(self, reservation_id: uuid.UUID) -> int:
        """Admissions already made on an online ticket (cancelled ones give theirs back)."""
        stmt = select(func.count()).where(
            Visit.tenant_id == self.tenant_id,
            Visit.reservation_id == reservation_id,
            Visit.status != "cancelled",
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def prepaid_visits_for_stay(self, stay_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            Visit.tenant_id == self.tenant_id,
            Visit.stay_id == stay_id,
            Visit.admission_prepaid.is_(True),
            Visit.status != "cancelled",
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def ticket_type_for_unit_type(self, unit_type_id: uuid.UUID) -> TicketType | None:
        """The spa ticket an online day ticket's unit type sells."""
        stmt = self.scoped(TicketType).where(TicketType.unit_type_id == unit_type_id).limit(1)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    # Visits ----------------------------------------------------------------------------

    async def visit(self, visit_id: uuid.UUID, *, for_update: bool = False) -> Visit | None:
        stmt = self.scoped(Visit).where(Visit.id == visit_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def save(self, row: Any) -> Any:
        self.add(row)
        await self.db.flush()
        return row

    async def visits(
        self, *, statuses: Sequence[str] = LIVE_STATUSES, party_id: uuid.UUID | None = None
    ) -> Sequence[Any]:
        """Visits with their ticket, tag and locker, the latest first."""
        stmt = (
            _joined()
            .where(Visit.tenant_id == self.tenant_id, Visit.status.in_(statuses))
            .order_by(Visit.opened_at.desc(), Visit.number.desc())
            .limit(500)
        )
        if party_id is not None:
            stmt = stmt.where(Visit.party_id == party_id)
        return (await self.db.execute(stmt)).all()

    async def visit_row(self, visit_id: uuid.UUID) -> Any | None:
        stmt = _joined().where(Visit.tenant_id == self.tenant_id, Visit.id == visit_id)
        return (await self.db.execute(stmt)).one_or_none()

    async def open_visit_of_tag(self, tag_id: uuid.UUID) -> Visit | None:
        stmt = self.scoped(Visit).where(Visit.active_tag_id == tag_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def last_visit_of_tag(self, tag_id: uuid.UUID) -> uuid.UUID | None:
        stmt = (
            select(VisitTag.visit_id)
            .where(VisitTag.tenant_id == self.tenant_id, VisitTag.tag_id == tag_id)
            .order_by(VisitTag.bound_at.desc())
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    # Tags ------------------------------------------------------------------------------

    async def tag(self, tag_id: uuid.UUID) -> KeyTag | None:
        return await self.get(KeyTag, tag_id)

    async def tag_by_uid(self, uid: str) -> KeyTag | None:
        stmt = self.scoped(KeyTag).where(KeyTag.uid == uid)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def lock_tag(self, uid: str, *, register_kind: str | None) -> KeyTag | None:
        """The tag with this UID, locked; registered first (as `register_kind`) when the
        resort has never seen it, so two desks typing the same new UID get one row."""
        if register_kind is not None:
            await self.db.execute(
                insert(KeyTag)
                .values(
                    id=uuid.uuid4(),
                    tenant_id=self.tenant_id,
                    uid=uid,
                    kind=register_kind,
                    status="available",
                    label="",
                )
                .on_conflict_do_nothing(index_elements=["tenant_id", "uid"])
            )
        # FOR NO KEY UPDATE: an outlet's charge naming this tag (a KEY SHARE lock through its
        # foreign key) never waits for the desk.
        stmt = self.scoped(KeyTag).where(KeyTag.uid == uid).with_for_update(key_share=True)
        tag = (await self.db.execute(stmt)).scalar_one_or_none()
        if tag is not None:
            await self.db.refresh(tag)
        return tag

    async def set_tag_status(
        self, tag_id: uuid.UUID, status: str, *, at: datetime, reason: str | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status, "status_changed_at": at}
        if status == "blocked":
            values["blocked_reason"] = reason
        await self.db.execute(
            update(KeyTag)
            .where(KeyTag.tenant_id == self.tenant_id, KeyTag.id == tag_id)
            .values(**values)
        )

    async def bindings(self, visit_id: uuid.UUID) -> Sequence[Any]:
        stmt = (
            select(VisitTag, KeyTag.uid, KeyTag.kind, KeyTag.status, KeyTag.blocked_reason)
            .join(KeyTag, (KeyTag.id == VisitTag.tag_id) & (KeyTag.tenant_id == VisitTag.tenant_id))
            .where(VisitTag.tenant_id == self.tenant_id, VisitTag.visit_id == visit_id)
            .order_by(VisitTag.bound_at)
        )
        return (await self.db.execute(stmt)).all()

    async def release_binding(
        self, visit_id: uuid.UUID, tag_id: uuid.UUID, *, at: datetime, reason: str
    ) -> None:
        await self.db.execute(
            update(VisitTag)
            .where(
                VisitTag.tenant_id == self.tenant_id,
                VisitTag.visit_id == visit_id,
                VisitTag.tag_id == tag_id,
                VisitTag.released_at.is_(None),
            )
            .values(released_at=at, release_reason=reason)
        )

    # Lockers ---------------------------------------------------------------------------

    async def section(self, section_id: uuid.UUID) -> LockerSection | None:
        return await self.get(LockerSection, section_id)

    async def sections(self) -> Sequence[LockerSection]:
        stmt = self.scoped(LockerSection).order_by(LockerSection.sort_order, LockerSection.code)
        return list((await self.db.execute(stmt)).scalars())

    async def first_free_locker(self, section_id: uuid.UUID) -> Locker | None:
        """The lowest-numbered free locker no other desk is taking right now."""
        stmt = (
            self.scoped(Locker)
            .where(Locker.section_id == section_id, Locker.status == "free")
            .order_by(func.length(Locker.number), Locker.number)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def locker(self, locker_id: uuid.UUID, *, for_update: bool = False) -> Locker | None:
        stmt = self.scoped(Locker).where(Locker.id == locker_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def locker_by_number(self, section_id: uuid.UUID, number: str) -> Locker | None:
        stmt = (
            self.scoped(Locker)
            .where(Locker.section_id == section_id, Locker.number == number)
            .with_for_update()
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def locker_of_visit(self, visit_id: uuid.UUID) -> Locker | None:
        stmt = self.scoped(Locker).where(Locker.visit_id == visit_id).with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def occupy_locker(self, locker_id: uuid.UUID, visit_id: uuid.UUID, at: datetime) -> bool:
        """Takes the locker for the visit if it is still free; False when someone was faster."""
        result = await self.db.execute(
            update(Locker)
            .where(
                Locker.tenant_id == self.tenant_id,
                Locker.id == locker_id,
                Locker.status == "free",
            )
            .values(status="occupied", visit_id=visit_id, status_changed_at=at)
            .returning(Locker.id)
        )
        return result.scalar_one_or_none() is not None

    async def free_locker(self, visit_id: uuid.UUID, at: datetime) -> None:
        await self.db.execute(
            update(Locker)
            .where(Locker.tenant_id == self.tenant_id, Locker.visit_id == visit_id)
            .values(status="free", visit_id=None, status_changed_at=at)
        )

    # Money -----------------------------------------------------------------------------

    async def move_tab(self, visit_id: uuid.UUID, amount_fen: int) -> int | None:
        """A desk fee on the tab (may pass the limit: a person decided); the new tab, or None
        when the visit is no longer open."""
        result = await self.db.execute(
            update(Visit)
            .where(Visit.tenant_id == self.tenant_id, Visit.id == visit_id, Visit.status == "open")
            .values(tab_fen=Visit.tab_fen + amount_fen)
            .returning(Visit.tab_fen)
        )
        return result.scalar_one_or_none()

    async def charges(self, visit_id: uuid.UUID) -> Sequence[Charge]:
        stmt = (
            self.scoped(Charge)
            .where(Charge.visit_id == visit_id)
            .order_by(Charge.recorded_at, Charge.id)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def has_charges(self, visit_id: uuid.UUID) -> bool:
        stmt = select(func.count()).where(
            Charge.tenant_id == self.tenant_id, Charge.visit_id == visit_id
        )
        return int((await self.db.execute(stmt)).scalar_one()) > 0

    async def tenders(self, visit_id: uuid.UUID) -> Sequence[Tender]:
        stmt = self.scoped(Tender).where(Tender.visit_id == visit_id).order_by(Tender.created_at)
        return list((await self.db.execute(stmt)).scalars())


def _joined() -> Select[Any]:
    """A visit with its ticket's name, its tag and its locker (and the locker's room)."""
    return (
        select(
            Visit,
            TicketType.name.label("ticket_name"),
            KeyTag.uid.label("tag_uid"),
            KeyTag.kind.label("tag_kind"),
            Locker.number.label("locker_number"),
            LockerSection.name.label("section_name"),
        )
        .join(
            TicketType,
            (TicketType.id == Visit.ticket_type_id) & (TicketType.tenant_id == Visit.tenant_id),
        )
        .outerjoin(
            KeyTag, (KeyTag.id == Visit.active_tag_id) & (KeyTag.tenant_id == Visit.tenant_id)
        )
        .outerjoin(Locker, (Locker.visit_id == Visit.id) & (Locker.tenant_id == Visit.tenant_id))
        .outerjoin(
            LockerSection,
            (LockerSection.id == Locker.section_id) & (LockerSection.tenant_id == Locker.tenant_id),
        )
    )
