"""SQL of members with a prepaid card (储值卡): the balance moves only by a guarded UPDATE, in
the same transaction as its entry row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import update

from modules.keytags.models import Member, MemberEntry
from modules.keytags.schemas.members import MemberStatus
from tenants.repository import TenantScopedRepository


class MembersRepository(TenantScopedRepository):
    async def member(self, member_id: uuid.UUID, *, lock: bool = False) -> Member | None:
        stmt = self.scoped(Member).where(Member.id == member_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def by_card(self, card_no: str, *, lock: bool = False) -> Member | None:
        stmt = self.scoped(Member).where(Member.card_no == card_no)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def by_phone(self, phone: str, *, limit: int = 20) -> Sequence[Member]:
        stmt = (
            self.scoped(Member)
            .where(Member.phone == phone)
            .order_by(Member.status, Member.card_no)
            .limit(limit)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def recent(self, *, limit: int = 50) -> Sequence[Member]:
        stmt = self.scoped(Member).order_by(Member.created_at.desc()).limit(limit)
        return (await self.db.execute(stmt)).scalars().all()

    async def move_balance(self, member_id: uuid.UUID, delta_fen: int) -> int | None:
        """Adds `delta_fen` (negative to spend) to an active member's balance when the result
        stays at or above zero; the new balance, or None when the member is not active or
        the balance is short. The row lock serialises two desks spending the same card."""
        stmt = (
            update(Member)
            .where(
                Member.tenant_id == self.tenant_id,
                Member.id == member_id,
                Member.status == MemberStatus.ACTIVE.value,
                Member.balance_fen + delta_fen >= 0,
            )
            .values(balance_fen=Member.balance_fen + delta_fen)
            .returning(Member.balance_fen)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def entries(self, member_id: uuid.UUID, *, limit: int = 200) -> Sequence[MemberEntry]:
        stmt = (
            self.scoped(MemberEntry)
            .where(MemberEntry.member_id == member_id)
            .order_by(MemberEntry.created_at.desc(), MemberEntry.id.desc())
            .limit(limit)
        )
        return (await self.db.execute(stmt)).scalars().all()
