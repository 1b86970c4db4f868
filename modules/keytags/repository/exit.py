"""SQL of the exit: a tag's visit, the bill's charges and tenders, locking the visits being
settled, and what the exit gate frees (the tag, the locker, the binding)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from modules.keytags.models import (
    Charge,
    KeyTag,
    Locker,
    LockerSection,
    Outlet,
    Tender,
    TicketType,
    Visit,
    VisitTag,
)
from tenants.repository import TenantScopedRepository


class ExitRepository(TenantScopedRepository):
    async def tag_by_uid(self, uid: str) -> KeyTag | None:
        stmt = self.scoped(KeyTag).where(KeyTag.uid == uid)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def bound_visit_id(self, tag_id: uuid.UUID) -> uuid.UUID | None:
        """The visit the tag is bound to now (its binding not yet released): an open visit,
        or a settled one on its way to the gate."""
        stmt = (
            select(VisitTag.visit_id)
            .where(
                VisitTag.tenant_id == self.tenant_id,
                VisitTag.tag_id == tag_id,
                VisitTag.released_at.is_(None),
            )
            .order_by(VisitTag.bound_at.desc())
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def visit(self, visit_id: uuid.UUID) -> Visit | None:
        return await self.get(Visit, visit_id)

    async def lock_visits(self, visit_ids: Sequence[uuid.UUID]) -> list[Visit]:
        """The visits locked (in id order, so two desks settling one party cannot deadlock)
        and re-read: a charge that committed while we waited is in `tab_fen`, one that comes
        later waits for us and then finds the visit settled."""
        stmt = (
            self.scoped(Visit)
            .where(Visit.id.in_(list(visit_ids)))
            .order_by(Visit.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def party_visit_ids(self, party_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = (
            select(Visit.id)
            .where(Visit.tenant_id == self.tenant_id, Visit.party_id == party_id)
            .order_by(Visit.number)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def ticket_types(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, TicketType]:
        stmt = self.scoped(TicketType).where(TicketType.id.in_(list(ids)))
        return {t.id: t for t in (await self.db.execute(stmt)).scalars()}

    async def charges(self, visit_ids: Sequence[uuid.UUID]) -> list[Charge]:
        stmt = (
            self.scoped(Charge)
            .where(Charge.visit_id.in_(list(visit_ids)))
            .order_by(Charge.recorded_at, Charge.id)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def outlet_names(self) -> dict[uuid.UUID, str]:
        stmt = select(Outlet.id, Outlet.name).where(Outlet.tenant_id == self.tenant_id)
        return {id_: name for id_, name in (await self.db.execute(stmt)).all()}

    async def tenders(self, visit_ids: Sequence[uuid.UUID]) -> list[Tender]:
        stmt = (
            self.scoped(Tender)
            .where(Tender.visit_id.in_(list(visit_ids)))
            .order_by(Tender.created_at, Tender.id)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def lockers(self, visit_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Each visit's locker as the guest reads it: section name and number."""
        stmt = (
            select(Locker.visit_id, LockerSection.name, Locker.number)
            .join(
                LockerSection,
                (LockerSection.id == Locker.section_id)
                & (LockerSection.tenant_id == Locker.tenant_id),
            )
            .where(Locker.tenant_id == self.tenant_id, Locker.visit_id.in_(list(visit_ids)))
        )
        return {
            visit_id: f"{section} {number}"
            for visit_id, section, number in (await self.db.execute(stmt)).all()
        }

    async def tag_labels(self, tag_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, KeyTag]:
        stmt = self.scoped(KeyTag).where(KeyTag.id.in_(list(tag_ids)))
        return {t.id: t for t in (await self.db.execute(stmt)).scalars()}

    async def bound_tag_ids(self, visit_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """Each visit's tag still bound (not released): what the gate will take back."""
        stmt = select(VisitTag.visit_id, VisitTag.tag_id).where(
            VisitTag.tenant_id == self.tenant_id,
            VisitTag.visit_id.in_(list(visit_ids)),
            VisitTag.released_at.is_(None),
        )
        return {visit_id: tag_id for visit_id, tag_id in (await self.db.execute(stmt)).all()}

    async def start_clock(self, visit_id: uuid.UUID, at: datetime) -> bool:
        """The first pass of the entry gate starts the billing clock; later ones change
        nothing (the guarded UPDATE writes only while gate_in_at is empty)."""
        stmt = (
            update(Visit)
            .where(
                Visit.tenant_id == self.tenant_id,
                Visit.id == visit_id,
                Visit.status == "open",
                Visit.gate_in_at.is_(None),
            )
            .values(gate_in_at=at)
            .returning(Visit.id)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none() is not None

    async def release_tag(self, visit_id: uuid.UUID, tag_id: uuid.UUID, *, at: datetime) -> None:
        """At the gate: the binding released for 'exit', the tag back in stock (an RFID tag)
        or retired (a printed wristband is thrown away)."""
        await self.db.execute(
            update(VisitTag)
            .where(
                VisitTag.tenant_id == self.tenant_id,
                VisitTag.visit_id == visit_id,
                VisitTag.tag_id == tag_id,
                VisitTag.released_at.is_(None),
            )
            .values(released_at=at, release_reason="exit")
        )
        tag = await self.get(KeyTag, tag_id)
        if tag is not None and tag.status == "in_use":
            tag.status = "retired" if tag.kind == "qr" else "available"
            tag.status_changed_at = at

    async def free_locker(self, visit_id: uuid.UUID, *, at: datetime) -> None:
        await self.db.execute(
            update(Locker)
            .where(Locker.tenant_id == self.tenant_id, Locker.visit_id == visit_id)
            .values(status="free", visit_id=None, status_changed_at=at)
        )
