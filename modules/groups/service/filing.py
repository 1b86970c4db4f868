"""Filing a group with the bureau (`POST /v1/groups`) and one guide assignment per guide
(`POST /v1/guide-assignments`), through the filings engine, in the caller's transaction.

The bureau expects a group before departure. A group on the road is still filed (it is
marked late, and the filing is overdue on the Bureau filings page); once the tour has
ended, filing is refused. Filing locks the group (see `editing`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.filings import service as filings
from modules.groups import domain
from modules.groups.models import GroupDay, GroupFiling, GroupVehicle, TourGroup
from modules.groups.repository import GroupRepository
from modules.groups.service import links
from modules.groups.service.editing import Actor, _audit

__all__ = ["AlreadyFiled", "Missing", "file_group", "filing_problems", "group_payload"]


class AlreadyFiled(Conflict):
    message = "This group has already been filed with the bureau."


@dataclass(frozen=True, slots=True)
class Missing:
    """One reason a group cannot be filed yet: an English msgid and its values."""

    message: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Parts:
    contracts: list[Any]  # the contracts module's summaries, still binding
    unbound: list[str]  # e-numbers of the group's contracts cancelled since they joined
    days: list[GroupDay]
    vehicles: list[GroupVehicle]
    guides: list[Any]  # the guides module's summaries of the assigned guides


async def _parts(db: AsyncSession, tenant_id: TenantId, group: TourGroup) -> _Parts:
    repo = GroupRepository(db, tenant_id)
    rows = await repo.contracts(group.id)
    binding, refused = await links.binding_contracts(db, tenant_id, [c.contract_id for c in rows])
    assigned = [a.guide_id for a in await links.assignments(db, tenant_id, group.id)]
    return _Parts(
        contracts=binding,
        unbound=[c.e_number for c in rows if c.contract_id in refused],
        days=list(await repo.days(group.id)),
        vehicles=list(await repo.vehicles(group.id)),
        guides=await links.guides_by_ids(db, tenant_id, assigned),
    )


def _problems(group: TourGroup, parts: _Parts, today: date) -> list[Missing]:
    found: list[Missing] = []
    if not parts.contracts:
        found.append(Missing("Add at least one signed contract.", {}))
    for e_number in parts.unbound:
        found.append(Missing("Contract %(e)s has been cancelled.", {"e": e_number}))
    cover = domain.coverage(group.start_date, group.end_date, [d.day for d in parts.days])
    if not parts.days or not cover.exact:
        found.append(Missing("Plan every day of the tour.", {}))
    for d in parts.days:
        if not d.places:
            found.append(Missing("Say which places the group visits on %(day)s.", {"day": d.day}))
    if not parts.vehicles:
        found.append(Missing("Add the coach (plate number, seats, driver).", {}))
    if not parts.guides:
        found.append(Missing("Assign a guide.", {}))
    seats = sum(v.seats for v in parts.vehicles)
    short = domain.seats_short(seats, group.tourist_count, len(parts.guides))
    if parts.vehicles and short:
        found.append(
            Missing("The vehicles lack %(n)s seats for the tourists and guides.", {"n": short})
        )
    if domain.timeliness(group.start_date, group.end_date, today) == domain.Timeliness.OVER:
        found.append(Missing("The tour has ended; the bureau takes groups before departure.", {}))
    return found


async def filing_problems(
    db: AsyncSession, tenant_id: TenantId, group: TourGroup, today: date
) -> list[Missing]:
    """Everything still missing before the group may be filed (all at once, so the
    agent can fix them in one go)."""
    return _problems(group, await _parts(db, tenant_id, group), today)


def group_payload(group: TourGroup, parts: _Parts) -> dict[str, Any]:
    """The `POST /v1/groups` body (the engine adds the enterprise's district code)."""
    return {
        "group_no": group.group_no,
        "e_numbers": sorted(c.e_number for c in parts.contracts),
        "start_date": group.start_date.isoformat(),
        "end_date": group.end_date.isoformat(),
        "tourist_count": group.tourist_count,
        "guides": [{"licence_no": g.licence_no, "name": g.name} for g in parts.guides],
        "vehicles": [
            {"plate_no": v.plate_no, "seats": v.seats, "driver_name": v.driver_name}
            for v in parts.vehicles
        ],
        "days": [
            {"date": d.day.isoformat(), "places": list(d.places), "hotel": d.hotel}
            for d in parts.days
        ],
    }


async def _fileable(repo: GroupRepository, group_id: uuid.UUID) -> TourGroup:
    """The draft group, locked: two agents pressing "file" at once make one filing."""
    group = await repo.group(group_id, for_update=True)
    if group is None:
        raise NotFound()
    if group.status == domain.GroupStatus.FILED:
        raise AlreadyFiled()
    if group.status != domain.GroupStatus.DRAFT:
        raise Conflict("A cancelled group cannot be filed.")
    return group


async def file_group(
    db: AsyncSession,
    tenant_id: TenantId,
    group_id: uuid.UUID,
    *,
    actor: Actor,
    today: date,
) -> TourGroup:
    """File the group and its guides' assignments; the guide assignments wait for the
    group's filing to be accepted (they name its group number). Refused, with the list
    of what is missing, unless the group has contracts, every day planned, a coach with
    enough seats and a guide."""
    repo = GroupRepository(db, tenant_id)
    group = await _fileable(repo, group_id)
    parts = await _parts(db, tenant_id, group)
    missing = _problems(group, parts, today)
    if missing:
        raise Invalid(
            "The group cannot be filed yet.",
            errors=[
                {"field": "filing", "code": "missing", "message": m.message, "params": m.params}
                for m in missing
            ],
        )
    filing_id = await filings.file(
        db, tenant_id, "group", "tour_group", group.id, group_payload(group, parts)
    )
    await repo.add_filing(
        GroupFiling(group_id=group.id, filing_id=filing_id, kind="group", filed_by=actor.user_id)
    )
    for guide in parts.guides:
        await _file_assignment(db, tenant_id, group, guide, depends_on=filing_id, actor=actor)
    group.status = domain.GroupStatus.FILED
    group.filed_at = clock.now()
    group.filed_late = domain.timeliness(group.start_date, group.end_date, today) != "on_time"
    await db.flush()
    await _audit(db, tenant_id, "groups.filed", group, actor)
    return group


async def _file_assignment(
    db: AsyncSession,
    tenant_id: TenantId,
    group: TourGroup,
    guide: Any,
    *,
    depends_on: uuid.UUID,
    actor: Actor,
) -> None:
    payload = {
        "group_no": group.group_no,
        "licence_no": guide.licence_no,
        "from_date": group.start_date.isoformat(),
        "to_date": group.end_date.isoformat(),
    }
    filing_id = await filings.file(
        db, tenant_id, "guide_assignment", "tour_group", group.id, payload, depends_on=depends_on
    )
    await GroupRepository(db, tenant_id).add_filing(
        GroupFiling(
            group_id=group.id,
            filing_id=filing_id,
            kind="guide_assignment",
            guide_id=guide.id,
            licence_no=guide.licence_no,
            filed_by=actor.user_id,
        )
    )
