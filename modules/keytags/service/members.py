"""Members with a prepaid card (储值卡): opened at the desk, topped up, spent at the exit,
moved to a new card when the old one is lost. The balance moves only with an entry row, by a
guarded UPDATE, so two desks spending the same card at once can never take it below zero."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from modules.keytags.models import Member, MemberEntry
from modules.keytags.repository.members import MembersRepository
from modules.keytags.schemas.members import MemberEntryKind, MemberStatus


class BalanceShort(Conflict):
    code = "member_balance_short"
    message = "The member's balance is not enough for this amount."


class MemberNotActive(Conflict):
    code = "member_not_active"
    message = "This member card is not active (reported lost or closed)."


async def member_by_card(db: AsyncSession, tenant_id: TenantId, card_no: str) -> Member | None:
    """The member holding this card number (as typed or scanned, any case), or None."""
    card_no = card_no.strip().upper()
    if not card_no:
        return None
    return await MembersRepository(db, tenant_id).by_card(card_no)


async def debit_member(
    db: AsyncSession,
    tenant_id: TenantId,
    member_id: uuid.UUID,
    amount_fen: int,
    *,
    visit_id: uuid.UUID | None,
    actor: Actor,
    note: str = "",
) -> int:
    """Spends `amount_fen` of an active member's balance (a bill paid at the exit) and writes
    the 'spend' entry; returns the balance left. Refuses a short balance or a lost card
    (nothing written), so a card is never spent twice past what was topped up."""
    if amount_fen <= 0:
        raise ValueError("amount_fen must be positive")
    repo = MembersRepository(db, tenant_id)
    balance = await repo.move_balance(member_id, -amount_fen)
    if balance is None:
        member = await repo.member(member_id)
        if member is None:
            raise NotFound()
        if member.status != MemberStatus.ACTIVE:
            raise MemberNotActive()
        raise BalanceShort()
    repo.add(
        MemberEntry(
            member_id=member_id,
            kind=MemberEntryKind.SPEND.value,
            amount_fen=-amount_fen,
            balance_after_fen=balance,
            visit_id=visit_id,
            method="",
            note=note[:200],
            user_id=actor.user_id,
        )
    )
    await db.flush()
    return balance
