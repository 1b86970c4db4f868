"""SQL of staff management and of a user's own sessions, always within one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from tenants.models import Membership, MembershipStatus, StaffSession, User
from tenants.repository import StaffRepository


@dataclass(frozen=True, slots=True)
class MemberRow:
    membership: Membership
    user: User
    last_sign_in: datetime | None


class StaffAccountRepository(StaffRepository):
    async def members(self, *, include_removed: bool = False) -> list[MemberRow]:
        last = (
            select(StaffSession.user_id, func.max(StaffSession.created_at).label("at"))
            .where(StaffSession.tenant_id == self.tenant_id)
            .group_by(StaffSession.user_id)
            .subquery()
        )
        stmt = (
            select(Membership, User, last.c.at)
            .join(User, User.id == Membership.user_id)
            .outerjoin(last, last.c.user_id == Membership.user_id)
            .where(Membership.tenant_id == self.tenant_id)
            .order_by(Membership.status, Membership.created_at)
        )
        if not include_removed:
            stmt = stmt.where(Membership.status != MembershipStatus.REMOVED)
        rows = (await self.db.execute(stmt)).all()
        return [MemberRow(m, u, at) for m, u, at in rows]

    async def member(self, membership_id: uuid.UUID) -> MemberRow | None:
        """One membership with its user, locked: role and status changes are serialised."""
        stmt = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == self.tenant_id, Membership.id == membership_id)
            .with_for_update(of=Membership)
        )
        row = (await self.db.execute(stmt)).one_or_none()
        if row is None:
            return None
        last = await self.db.scalar(
            select(func.max(StaffSession.created_at)).where(
                StaffSession.tenant_id == self.tenant_id, StaffSession.user_id == row[1].id
            )
        )
        return MemberRow(row[0], row[1], last)

    async def lock_active_owners(self) -> list[uuid.UUID]:
        """Lock the active owners' memberships and return their ids.

        Two owners demoting each other at the same moment would otherwise both see a
        second owner and leave the enterprise with none; the lock makes the second
        change wait and then count again."""
        stmt = (
            select(Membership.id)
            .where(
                Membership.tenant_id == self.tenant_id,
                Membership.role == "owner",
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(Membership.id)
            .with_for_update()
        )
        return list((await self.db.execute(stmt)).scalars())

    async def membership_for_update(self, user_id: uuid.UUID) -> Membership | None:
        stmt = self.scoped(Membership).where(Membership.user_id == user_id).with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def live_sessions(self, user_id: uuid.UUID, now: datetime) -> Sequence[StaffSession]:
        stmt = (
            self.scoped(StaffSession)
            .where(
                StaffSession.user_id == user_id,
                StaffSession.revoked_at.is_(None),
                StaffSession.expires_at > now,
            )
            .order_by(StaffSession.last_seen_at.desc())
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def revoke_by_token_hash(self, token_hash: str, now: datetime) -> None:
        await self.db.execute(
            update(StaffSession)
            .where(
                StaffSession.tenant_id == self.tenant_id,
                StaffSession.token_hash == token_hash,
                StaffSession.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
