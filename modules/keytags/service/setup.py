"""The resort's set-up: changing rooms and their lockers, the stock of key tags, outlets with
their price lists and API keys, the key-tag rules. Services take typed values (the console's
forms parse them in `schemas.setup`), so the demo builds the resort through them too."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.security.access import Scope
from modules.keytags.domain import LockerStatus, TagKind, TagStatus
from modules.keytags.models import KeyTag, Locker, LockerSection, Outlet, OutletItem
from modules.keytags.repository.setup import SetupRepository
from modules.keytags.schemas.setup import (
    ItemInput,
    OutletInput,
    OutletView,
    SectionOccupancy,
    TagPage,
)
from tenants import service as tenants

TAGS_PER_PAGE = 100


class LockerInUse(Conflict):
    code = "locker_in_use"
    message = "The locker is in use by a guest; it can be taken out of order once it is free."


class TagNotMovable(Conflict):
    code = "tag_not_movable"
    message = "The tag is not in a state that allows this."


# Lockers ----------------------------------------------------------------------------------


async def locker_occupancy(db: AsyncSession, tenant_id: TenantId) -> list[SectionOccupancy]:
    """Per changing room: how many lockers are free, occupied and out of order, so the desk
    sees at a glance where the next guest can go."""
    rows = await SetupRepository(db, tenant_id).occupancy()
    return [
        SectionOccupancy(
            section_id=row.LockerSection.id,
            code=row.LockerSection.code,
            name=row.LockerSection.name,
            kind=row.LockerSection.kind,
            total=row.total,
            free=row.free,
            occupied=row.occupied,
            out_of_order=row.out_of_order,
        )
        for row in rows
    ]


async def create_section(
    db: AsyncSession, tenant_id: TenantId, *, code: str, name: str, kind: str, sort_order: int = 0
) -> LockerSection:
    repo = SetupRepository(db, tenant_id)
    if await repo.section_by_code(code) is not None:
        raise Invalid.field("code", "A changing room with this code exists already.")
    section = LockerSection(code=code, name=name, kind=kind, sort_order=sort_order)
    await _insert(db, repo, section, "A changing room with this code exists already.")
    return section


async def _insert(db: AsyncSession, repo: SetupRepository, row: Any, taken: str) -> None:
    """Inserts a row with a unique code; the same code saved a moment ago by another
    request (a double click) is refused on the code field instead of failing the page."""
    try:
        async with db.begin_nested():
            repo.add(row)
            await db.flush()
    except IntegrityError as exc:
        raise Invalid.field("code", taken) from exc


async def section(db: AsyncSession, tenant_id: TenantId, section_id: uuid.UUID) -> LockerSection:
    found = await SetupRepository(db, tenant_id).section(section_id)
    if found is None:
        raise NotFound()
    return found


async def section_lockers(
    db: AsyncSession, tenant_id: TenantId, section_id: uuid.UUID
) -> Sequence[Locker]:
    """A changing room's lockers in number order, each with its status."""
    return await SetupRepository(db, tenant_id).lockers(section_id)


async def add_lockers(
    db: AsyncSession, tenant_id: TenantId, section_id: uuid.UUID, numbers: list[str]
) -> tuple[int, int]:
    """Adds the lockers of a number range; numbers the room has already are left as they
    are. Returns (added, already there)."""
    await section(db, tenant_id, section_id)
    added = await SetupRepository(db, tenant_id).add_lockers(section_id, numbers)
    return added, len(numbers) - added


async def set_locker_out_of_order(
    db: AsyncSession, tenant_id: TenantId, locker_id: uuid.UUID, out_of_order: bool
) -> Locker:
    """Takes a free locker out of service (broken lock, cleaning) or puts it back; a locker
    a guest holds is refused, so the desk never loses track of a guest's things."""
    repo = SetupRepository(db, tenant_id)
    locker = await repo.locker(locker_id)
    if locker is None:
        raise NotFound()
    want = LockerStatus.OUT_OF_ORDER if out_of_order else LockerStatus.FREE
    other = LockerStatus.FREE if out_of_order else LockerStatus.OUT_OF_ORDER
    if locker.status != want.value:
        moved = await repo.move_locker(
            locker_id, from_status=other.value, to_status=want.value, at=clock.now()
        )
        if not moved:
            raise LockerInUse()
        await db.refresh(locker)
    return locker


# Tags -------------------------------------------------------------------------------------


async def register_tags(
    db: AsyncSession, tenant_id: TenantId, kind: str, tags: list[tuple[str, str]]
) -> tuple[int, list[str]]:
    """Adds scanned tags (UID upper-cased, optional printed label) to stock as available.
    Returns how many were added and the UIDs already in stock (left unchanged)."""
    TagKind(kind)
    repo = SetupRepository(db, tenant_id)
    uids = [uid.upper() for uid, _ in tags]
    known = await repo.existing_uids(uids)
    rows = [
        {"uid": uid.upper(), "label": label[:20], "kind": kind, "status": TagStatus.AVAILABLE}
        for uid, label in tags
        if uid.upper() not in known
    ]
    added = await repo.add_tags(rows)
    return added, sorted(known)


async def list_tags(
    db: AsyncSession, tenant_id: TenantId, *, status: str = "", search: str = "", page: int = 1
) -> TagPage:
    """The tag stock, optionally of one status or matching a UID or label, with counts."""
    repo = SetupRepository(db, tenant_id)
    wanted = status if status in {s.value for s in TagStatus} else None
    tags, total = await repo.tags(
        status=wanted,
        search=search.strip().upper(),
        limit=TAGS_PER_PAGE,
        offset=(max(page, 1) - 1) * TAGS_PER_PAGE,
    )
    page = max(page, 1)
    return TagPage(
        tags=list(tags),
        total=total,
        counts=await repo.tag_counts(),
        page=page,
        has_next=total > page * TAGS_PER_PAGE,
    )


async def retire_tag(db: AsyncSession, tenant_id: TenantId, tag_id: uuid.UUID) -> KeyTag:
    """Takes a tag out of stock for good (worn out, lost for good). A tag on a guest's wrist
    is refused: block it at the desk first."""
    return await _move_tag(
        db,
        tenant_id,
        tag_id,
        from_statuses=(TagStatus.AVAILABLE.value, TagStatus.BLOCKED.value),
        to=TagStatus.RETIRED,
    )


async def return_tag_to_stock(db: AsyncSession, tenant_id: TenantId, tag_id: uuid.UUID) -> KeyTag:
    """A blocked tag that was found again goes back to stock, only when no open visit holds
    it, so a lost tag never reopens someone's tab."""
    return await _move_tag(
        db,
        tenant_id,
        tag_id,
        from_statuses=(TagStatus.BLOCKED.value,),
        to=TagStatus.AVAILABLE,
        unless_held=True,
    )


async def _move_tag(
    db: AsyncSession,
    tenant_id: TenantId,
    tag_id: uuid.UUID,
    *,
    from_statuses: tuple[str, ...],
    to: TagStatus,
    unless_held: bool = False,
) -> KeyTag:
    repo = SetupRepository(db, tenant_id)
    tag = await repo.tag(tag_id)
    if tag is None:
        raise NotFound()
    moved = await repo.move_tag(
        tag_id,
        from_statuses=from_statuses,
        to_status=to.value,
        at=clock.now(),
        unless_held=unless_held,
    )
    if not moved:
        raise TagNotMovable()
    await db.refresh(tag)
    return tag


# Outlets ----------------------------------------------------------------------------------


async def list_outlets(db: AsyncSession, tenant_id: TenantId) -> list[OutletView]:
    rows = await SetupRepository(db, tenant_id).outlets()
    return [
        OutletView(
            id=r.Outlet.id,
            code=r.Outlet.code,
            name=r.Outlet.name,
            kind=r.Outlet.kind,
            concession=r.Outlet.concession,
            concessionaire=r.Outlet.concessionaire,
            commission_bp=r.Outlet.commission_bp,
            active=r.Outlet.active,
            items=r.item_count,
            key_name=r.key_name,
            key_revoked=r.key_revoked_at is not None,
        )
        for r in rows
    ]


async def outlet(db: AsyncSession, tenant_id: TenantId, outlet_id: uuid.UUID) -> OutletView:
    for found in await list_outlets(db, tenant_id):
        if found.id == outlet_id:
            return found
    raise NotFound()


async def create_outlet(db: AsyncSession, tenant_id: TenantId, data: OutletInput) -> Outlet:
    repo = SetupRepository(db, tenant_id)
    if await repo.outlet_by_code(data.code) is not None:
        raise Invalid.field("code", "An outlet with this code exists already.")
    row = Outlet(
        code=data.code,
        name=data.name,
        kind=data.kind,
        concession=data.concession,
        concessionaire=data.concessionaire,
        commission_bp=data.commission_bp,
        sort_order=data.sort_order,
    )
    await _insert(db, repo, row, "An outlet with this code exists already.")
    return row


async def update_outlet(
    db: AsyncSession, tenant_id: TenantId, outlet_id: uuid.UUID, data: OutletInput
) -> Outlet:
    """Edits an outlet; its code stays (POS systems and reports know it by it)."""
    row = await _outlet(db, tenant_id, outlet_id)
    row.name = data.name
    row.kind = data.kind
    row.concession = data.concession
    row.concessionaire = data.concessionaire
    row.commission_bp = data.commission_bp
    row.sort_order = data.sort_order
    await db.flush()
    return row


async def set_outlet_active(
    db: AsyncSession, tenant_id: TenantId, outlet_id: uuid.UUID, active: bool
) -> Outlet:
    row = await _outlet(db, tenant_id, outlet_id)
    row.active = active
    await db.flush()
    return row


async def _outlet(
    db: AsyncSession, tenant_id: TenantId, outlet_id: uuid.UUID, *, lock: bool = False
) -> Outlet:
    row = await SetupRepository(db, tenant_id).outlet(outlet_id, lock=lock)
    if row is None:
        raise NotFound()
    return row


async def create_outlet_key(
    db: AsyncSession, tenant_id: TenantId, outlet_id: uuid.UUID, *, actor: Actor, ip: str | None
) -> tenants.CreatedApiKey:
    """Gives the outlet its own API key (scope pos:charge) and links it, so every charge
    names the outlet it came from. A new key replaces (and revokes) the outlet's old one.
    The token is returned to be shown once; only its name is shown afterwards."""
    row = await _outlet(db, tenant_id, outlet_id, lock=True)
    old = row.api_key_id
    created = await tenants.create_api_key(
        db,
        tenant_id,
        name=f"{row.name} POS ({row.code})",
        scopes=(Scope.POS_CHARGE.value,),
        actor_user_id=actor.user_id,
        ip=ip,
    )
    row.api_key_id = created.id
    await db.flush()
    if old is not None:
        await tenants.revoke_api_key(db, tenant_id, old, actor_user_id=actor.user_id, ip=ip)
    return created


async def outlet_items(
    db: AsyncSession, tenant_id: TenantId, outlet_id: uuid.UUID
) -> Sequence[OutletItem]:
    """The outlet's price list: active items first, in the outlet's order."""
    return await SetupRepository(db, tenant_id).items(outlet_id)


async def add_item(
    db: AsyncSession, tenant_id: TenantId, outlet_id: uuid.UUID, data: ItemInput
) -> OutletItem:
    repo = SetupRepository(db, tenant_id)
    await _outlet(db, tenant_id, outlet_id)
    if await repo.item_by_code(outlet_id, data.code) is not None:
        raise Invalid.field("code", "This outlet has an item with this code already.")
    row = OutletItem(
        outlet_id=outlet_id,
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        unit=data.unit,
        price_fen=data.price_fen,
        sort_order=data.sort_order,
    )
    await _insert(db, repo, row, "This outlet has an item with this code already.")
    return row


async def set_item_active(
    db: AsyncSession,
    tenant_id: TenantId,
    item_id: uuid.UUID,
    active: bool,
    *,
    outlet_id: uuid.UUID | None = None,
) -> OutletItem:
    """Takes an item off the POS (sold out, seasonal) or back; past charges keep its lines."""
    row = await SetupRepository(db, tenant_id).item(item_id)
    if row is None or (outlet_id is not None and row.outlet_id != outlet_id):
        raise NotFound()
    row.active = active
    await db.flush()
    return row


# Settings ---------------------------------------------------------------------------------


async def save_rules(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    lost_tag_fee_fen: int,
    default_deposit_fen: int,
    exit_window_minutes: int,
    outlet_void_minutes: int,
) -> None:
    """Saves the resort's key-tag rules (read by `rules()` everywhere)."""
    await SetupRepository(db, tenant_id).save_settings(
        {
            "lost_tag_fee_fen": lost_tag_fee_fen,
            "default_deposit_fen": default_deposit_fen,
            "exit_window_minutes": exit_window_minutes,
            "outlet_void_minutes": outlet_void_minutes,
        }
    )
