"""Members with a prepaid card (储值卡): opened at the desk, topped up, spent at the exit,
moved to a new card when the old one is lost. The balance moves only with an entry row, by a
guarded UPDATE, so two desks spending the same card at once can never take it below zero."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.keytags.domain import DESK_METHODS, TenderKind
from modules.keytags.models import Member, MemberEntry, Tender
from modules.keytags.repository.members import MembersRepository
from modules.keytags.schemas.members import MemberEntryKind, MemberStatus
from modules.keytags.service.shifts import current_shift


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


async def create_member(
    db: AsyncSession, tenant_id: TenantId, *, card_no: str, name: str, phone: str, level: str
) -> Member:
    """Opens a member card with a zero balance (money comes in by a top-up, at the till)."""
    repo = MembersRepository(db, tenant_id)
    card_no = card_no.strip().upper()
    if await repo.by_card(card_no) is not None:
        raise Invalid.field("card_no", "This card number is taken already.")
    member = Member(card_no=card_no, name=name, phone=phone, level=level, balance_fen=0)
    await _insert_card(db, repo, member, "card_no")
    return member


async def _insert_card(
    db: AsyncSession, repo: MembersRepository, member: Member, field: str
) -> None:
    """Inserts a card; the same number opened at another desk a moment ago (a double click,
    two clerks) is refused on the field instead of failing the request."""
    try:
        async with db.begin_nested():
            repo.add(member)
            await db.flush()
    except IntegrityError as exc:
        raise Invalid.field(field, "This card number is taken already.") from exc


async def find_members(db: AsyncSession, tenant_id: TenantId, query: str) -> list[Member]:
    """A member by card number, else the members with this phone number (a lost card's
    holder is found by phone); the most recent members when nothing is asked."""
    repo = MembersRepository(db, tenant_id)
    query = query.strip()
    if not query:
        return list(await repo.recent())
    found = await repo.by_card(query.upper())
    if found is not None:
        return [found]
    return list(await repo.by_phone(query))


async def member(db: AsyncSession, tenant_id: TenantId, member_id: uuid.UUID) -> Member:
    found = await MembersRepository(db, tenant_id).member(member_id)
    if found is None:
        raise NotFound()
    return found


async def member_history(
    db: AsyncSession, tenant_id: TenantId, member_id: uuid.UUID
) -> Sequence[MemberEntry]:
    """Every movement of the balance, newest first."""
    return await MembersRepository(db, tenant_id).entries(member_id)


async def top_up(
    db: AsyncSession,
    tenant_id: TenantId,
    member_id: uuid.UUID,
    amount_fen: int,
    *,
    method: str,
    actor: Actor,
    reference: str = "",
) -> int:
    """Money taken at the desk onto the card: a 'topup' tender in the cashier's shift (so
    the shift's cash adds up) and the entry, in one transaction. Returns the new balance."""
    if amount_fen <= 0:
        raise Invalid.field("amount", "Enter an amount in yuan, such as 688 or 688.50.")
    if method not in {m.value for m in DESK_METHODS}:
        raise Invalid.field("method", "Choose one from the list.")
    repo = MembersRepository(db, tenant_id)
    balance = await repo.move_balance(member_id, amount_fen)
    if balance is None:
        await member(db, tenant_id, member_id)
        raise MemberNotActive()
    shift = await current_shift(db, tenant_id, actor.user_id) if actor.user_id else None
    repo.add(
        Tender(
            member_id=member_id,
            shift_id=shift.id if shift else None,
            kind=TenderKind.TOPUP.value,
            method=method,
            amount_fen=amount_fen,
            reference=reference[:80],
            user_id=actor.user_id,
        )
    )
    repo.add(
        MemberEntry(
            member_id=member_id,
            kind=MemberEntryKind.TOPUP.value,
            amount_fen=amount_fen,
            balance_after_fen=balance,
            method=method,
            note=reference[:200],
            user_id=actor.user_id,
        )
    )
    await db.flush()
    return balance


async def report_lost_card(
    db: AsyncSession,
    tenant_id: TenantId,
    member_id: uuid.UUID,
    new_card_no: str,
    *,
    actor: Actor,
    note: str = "",
) -> Member:
    """The old card stops at once (status lost, balance 0) and a new card number carries
    its balance, each side with an entry, so the money is never on two cards."""
    repo = MembersRepository(db, tenant_id)
    old = await repo.member(member_id, lock=True)
    if old is None:
        raise NotFound()
    if old.status != MemberStatus.ACTIVE:
        raise MemberNotActive()
    new_card_no = new_card_no.strip().upper()
    if await repo.by_card(new_card_no) is not None:
        raise Invalid.field("new_card_no", "This card number is taken already.")
    balance = old.balance_fen
    if balance:
        await repo.move_balance(member_id, -balance)
    old.status = MemberStatus.LOST.value
    new = Member(
        card_no=new_card_no,
        name=old.name,
        phone=old.phone,
        level=old.level,
        balance_fen=balance,
    )
    await _insert_card(db, repo, new, "new_card_no")
    moved = f"{old.card_no} → {new_card_no}"
    for who, amount, after in ((old, -balance, 0), (new, balance, balance)):
        repo.add(
            MemberEntry(
                member_id=who.id,
                kind=MemberEntryKind.ADJUST.value,
                amount_fen=amount,
                balance_after_fen=after,
                note=f"{moved} {note}".strip()[:200],
                user_id=actor.user_id,
            )
        )
    await db.flush()
    await db.refresh(old)
    return new
