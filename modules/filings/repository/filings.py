"""The registration and the filings as the console and the filing service see them,
one at a time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, Uuid, any_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from modules.filings.domain import OPEN_STATES, State
from modules.filings.models import BureauRegistration, Filing, FilingAttempt
from tenants.repository import TenantScopedRepository

# A plain INSERT compiled once (a statement built with .values() per call costs more than
# the round trip).
_INSERT = insert(Filing.metadata.tables["filings"])

# Where many filings stand, for the lists of other modules: the few columns they show,
# one statement for a whole page (`id = ANY(:ids)`, one parameter however many ids).
_STATES = select(
    Filing.id,
    Filing.kind,
    Filing.state,
    Filing.receipt_no,
    Filing.received_at,
    Filing.due_at,
    Filing.last_error,
    Filing.errors,
).where(
    Filing.tenant_id == bindparam("tenant"),
    Filing.id == any_(bindparam("ids", type_=ARRAY(Uuid()))),
)


class RegistrationRepository(TenantScopedRepository):
    async def current(self, *, lock: bool = False) -> BureauRegistration | None:
        stmt = self.scoped(BureauRegistration)
        if lock:  # and re-read: another sender may have paused it while we waited
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.db.execute(stmt)).scalar_one_or_none()


class FilingRepository(TenantScopedRepository):
    async def filing(self, filing_id: uuid.UUID) -> Filing | None:
        return await self.get(Filing, filing_id)

    async def lock(self, filing_id: uuid.UUID) -> Filing | None:
        stmt = (
            self.scoped(Filing)
            .where(Filing.id == filing_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def insert(self, values: dict[str, Any]) -> None:
        """A new filing, written now rather than at the session's next flush (by then the
        caller may have bound its transaction to another tenant)."""
        await self.db.execute(_INSERT, {**values, "tenant_id": self.tenant_id})

    async def mark_has_dependents(self, filing_id: uuid.UUID, loaded: Filing | None = None) -> None:
        await self._set_state([Filing.id == filing_id], {"has_dependents": True})
        if loaded is not None:
            set_committed_value(loaded, "has_dependents", True)

    async def contract_filing(self, e_number: str) -> Filing | None:
        """The contract's own filing that amendments and cancellations wait for."""
        stmt = (
            self.scoped(Filing)
            .where(
                Filing.kind == "contract",
                Filing.ref == e_number,
                Filing.state != State.SUPERSEDED,
            )
            .order_by(Filing.created_at.desc())
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def states(self, filing_ids: Sequence[uuid.UUID]) -> Sequence[Row[Any]]:
        """The listed filings' state columns (ids of other tenants' filings, or of none,
        are simply not in the answer)."""
        if not filing_ids:
            return []
        params = {"tenant": self.tenant_id, "ids": list(filing_ids)}
        return (await self.db.execute(_STATES, params)).all()

    def _filtered(
        self,
        *,
        kind: str | None,
        state: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Select[tuple[Filing]]:
        stmt = self.scoped(Filing)
        if kind:
            stmt = stmt.where(Filing.kind == kind)
        if state:
            stmt = stmt.where(Filing.state == state)
        if since:
            stmt = stmt.where(Filing.created_at >= since)
        if until:
            stmt = stmt.where(Filing.created_at < until)
        return stmt

    async def page(
        self,
        *,
        kind: str | None,
        state: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        offset: int,
    ) -> Sequence[Filing]:
        stmt = self._filtered(kind=kind, state=state, since=since, until=until)
        stmt = stmt.order_by(Filing.created_at.desc(), Filing.id.desc())
        return (await self.db.execute(stmt.limit(limit).offset(offset))).scalars().all()

    async def counts_by_state(self) -> dict[str, int]:
        stmt = (
            select(Filing.state, func.count())
            .where(Filing.tenant_id == self.tenant_id)
            .group_by(Filing.state)
        )
        return {state: n for state, n in (await self.db.execute(stmt)).tuples()}

    async def attempts(self, filing_id: uuid.UUID) -> Sequence[FilingAttempt]:
        stmt = (
            self.scoped(FilingAttempt)
            .where(FilingAttempt.filing_id == filing_id)
            .order_by(FilingAttempt.number.desc())
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def _set_state(self, where: list[object], values: dict[str, object]) -> list[uuid.UUID]:
        stmt = (
            update(Filing)
            .where(Filing.tenant_id == self.tenant_id, *where)  # type: ignore[arg-type]
            .values(updated_at=func.now(), **values)
            .returning(Filing.id)
            .execution_options(synchronize_session=False)
        )
        return list((await self.db.execute(stmt)).scalars().all())

    async def repoint_dependents(self, old_id: uuid.UUID, new_id: uuid.UUID) -> list[uuid.UUID]:
        return await self._set_state(
            [Filing.depends_on_id == old_id, Filing.state.in_(OPEN_STATES)],
            {"depends_on_id": new_id},
        )

    async def pause_pending(self) -> list[uuid.UUID]:
        """Pending filings become paused, except those a sender holds right now (SKIP
        LOCKED: waiting for them could deadlock with a sender pausing too); each such
        sender settles its own filing, and finds filing paused on the next attempt."""
        free = (
            select(Filing.id)
            .where(Filing.tenant_id == self.tenant_id, Filing.state == State.PENDING)
            .with_for_update(skip_locked=True)
        )
        return await self._set_state([Filing.id.in_(free)], {"state": State.PAUSED})

    async def resume_paused(self) -> list[uuid.UUID]:
        return await self._set_state(
            [Filing.state == State.PAUSED],
            {"state": State.PENDING, "next_attempt_at": clock.now()},
        )

    async def held(self) -> Sequence[Filing]:
        stmt = self.scoped(Filing).where(Filing.state == State.HELD).with_for_update()
        return (await self.db.execute(stmt)).scalars().all()

    async def attention_count(self) -> int:
        """Rejected, conflicted or paused filings, and open ones past the bureau's
        deadline: what the console's badge counts."""
        stmt = (
            select(func.count())
            .select_from(Filing)
            .where(
                Filing.tenant_id == self.tenant_id,
                or_(
                    Filing.state.in_((State.REJECTED, State.CONFLICTED, State.PAUSED)),
                    Filing.state.in_(OPEN_STATES) & (Filing.due_at < clock.now()),
                ),
            )
        )
        return int(await self.db.scalar(stmt) or 0)

    async def overdue(self, stale_seconds: float) -> bool:
        """Is any pending filing due for longer than `stale_seconds`? (Then nothing is
        draining the tenant: its drain job died with its worker, or gave up.)"""
        stmt = select(Filing.id).where(
            Filing.tenant_id == self.tenant_id,
            Filing.state == State.PENDING,
            func.coalesce(Filing.next_attempt_at, Filing.created_at)
            < clock.now() - timedelta(seconds=stale_seconds),
        )
        return (await self.db.execute(stmt.limit(1))).first() is not None

    async def waiting_on_accepted(self) -> list[uuid.UUID]:
        """Waiting filings whose dependency was accepted (a release that raced the
        dependent's own check): made sendable by the sweep."""
        parent = select(Filing.id).where(
            Filing.tenant_id == self.tenant_id, Filing.state == State.ACCEPTED
        )
        return await self._set_state(
            [Filing.state == State.WAITING, Filing.depends_on_id.in_(parent)],
            {"state": State.PENDING, "next_attempt_at": clock.now()},
        )

    async def mark_old_unaccepted(self, created_before: datetime) -> list[uuid.UUID]:
        """Open filings older than `created_before` not alerted about yet, now marked."""
        return await self._set_state(
            [
                Filing.state.in_(OPEN_STATES),
                Filing.created_at < created_before,
                Filing.alerted_at.is_(None),
            ],
            {"alerted_at": func.now()},
        )
