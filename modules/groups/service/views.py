"""What the console shows: the groups list (upcoming and departed, with filing state),
one group's page, and the choices the form offers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import NotFound
from modules.filings import service as filings
from modules.groups import domain
from modules.groups.models import GroupContract, GroupDay, GroupVehicle, TourGroup
from modules.groups.repository import GroupRepository
from modules.groups.schemas import FilingState
from modules.groups.service import links
from modules.groups.service.filing import Missing, _Parts, _problems

__all__ = [
    "FormChoices",
    "GroupList",
    "GroupPage",
    "GroupRow",
    "form_choices",
    "group_page",
    "list_groups",
]

PAST_SHOWN = 50
UPCOMING_SHOWN = 200


@dataclass(frozen=True, slots=True)
class GroupRow:
    group: TourGroup
    filing: FilingState | None
    on_road: bool


@dataclass(frozen=True, slots=True)
class GroupList:
    upcoming: list[GroupRow]  # not yet returned (on the road included), soonest first
    departed: list[GroupRow]  # returned, latest first
    today: date
    more_upcoming: bool = False  # more than UPCOMING_SHOWN: the list stops there


@dataclass(frozen=True, slots=True)
class GroupPage:
    group: TourGroup
    contracts: Sequence[GroupContract]
    contract_details: dict[uuid.UUID, Any]  # the contracts module's summaries by id
    days: Sequence[GroupDay]
    vehicles: Sequence[GroupVehicle]
    assignments: list[Any]  # the guides module's assignment views
    guides: list[Any]  # guides that may still be assigned (the picker)
    filings: list[FilingState]
    missing: list[Missing]
    seats: int
    seats_short: int
    timeliness: str
    today: date

    @property
    def editable(self) -> bool:
        return self.group.status == domain.GroupStatus.DRAFT


@dataclass(frozen=True, slots=True)
class FormChoices:
    """Signed contracts a group may cover: those in no other active group (and the
    group's own)."""

    contracts: list[Any]
    chosen: set[uuid.UUID]


def _shown(
    status: filings.FilingStatus, kind: str, licence_no: str = "", *, now: datetime
) -> FilingState:
    """The filing's state and receipt as a group's pages show them."""
    return FilingState(
        filing_id=status.filing_id,
        kind=kind,
        licence_no=licence_no,
        state=status.state,
        receipt_no=status.receipt_no,
        received_at=status.received_at,
        overdue=status.state != "accepted" and status.due_at is not None and status.due_at < now,
        errors=list(status.errors),
    )


async def list_groups(db: AsyncSession, tenant_id: TenantId, *, today: date) -> GroupList:
    """The agency's groups not yet returned (the first 200) and the last 50 returned, each
    with its own filing's state (all read in one call to the filings module)."""
    repo = GroupRepository(db, tenant_id)
    upcoming = list(await repo.not_returned(today, UPCOMING_SHOWN + 1))
    more = len(upcoming) > UPCOMING_SHOWN
    upcoming = upcoming[:UPCOMING_SHOWN]
    departed = await repo.recent_past(today, PAST_SHOWN)
    filing_ids = await repo.group_filing_ids([g.id for g in [*upcoming, *departed]])
    states = await filings.filing_states(db, tenant_id, filing_ids.values())
    now = clock.now()

    def row(group: TourGroup) -> GroupRow:
        filing_id = filing_ids.get(group.id)
        status = states.get(filing_id) if filing_id is not None else None
        state = _shown(status, "group", now=now) if status is not None else None
        return GroupRow(group, state, group.start_date <= today <= group.end_date)

    return GroupList(
        upcoming=[row(g) for g in upcoming],
        departed=[row(g) for g in departed],
        today=today,
        more_upcoming=more,
    )


async def _group_filings(
    db: AsyncSession, tenant_id: TenantId, repo: GroupRepository, group_id: uuid.UUID
) -> list[FilingState]:
    """Every filing made for the group (its own and its guides'), in one call."""
    made = await repo.filings(group_id)
    states = await filings.filing_states(db, tenant_id, [f.filing_id for f in made])
    now = clock.now()
    missing = [f.filing_id for f in made if f.filing_id not in states]
    if missing:  # as filing_detail did: a filing of the group that is not there
        raise NotFound()
    return [_shown(states[f.filing_id], f.kind, f.licence_no, now=now) for f in made]


async def group_page(
    db: AsyncSession, tenant_id: TenantId, group_id: uuid.UUID, *, today: date
) -> GroupPage:
    repo = GroupRepository(db, tenant_id)
    group = await repo.group(group_id)
    if group is None:
        raise NotFound()
    contracts = await repo.contracts(group.id)
    details, refused = await links.binding_contracts(
        db, tenant_id, [c.contract_id for c in contracts]
    )
    assignments = await links.assignments(db, tenant_id, group.id)
    assigned = {a.guide_id for a in assignments}
    guides = await links.guides_by_ids(db, tenant_id, sorted(assigned))
    days, vehicles = list(await repo.days(group.id)), list(await repo.vehicles(group.id))
    unbound = [c.e_number for c in contracts if c.contract_id in refused]
    parts = _Parts(details, unbound, days, vehicles, guides)
    seats = sum(v.seats for v in vehicles)
    pickable = []
    if group.status == domain.GroupStatus.DRAFT:
        pickable = [
            g
            for g in await links.all_guides(db, tenant_id)
            if g.id not in assigned and getattr(g, "status", "active") == "active"
        ]
    return GroupPage(
        group=group,
        contracts=contracts,
        contract_details={c.id: c for c in details},
        days=days,
        vehicles=vehicles,
        assignments=assignments,
        guides=pickable,
        filings=await _group_filings(db, tenant_id, repo, group.id),
        missing=_problems(group, parts, today) if group.status == domain.GroupStatus.DRAFT else [],
        seats=seats,
        seats_short=domain.seats_short(seats, group.tourist_count, len(assignments)),
        timeliness=domain.timeliness(group.start_date, group.end_date, today),
        today=today,
    )


async def form_choices(
    db: AsyncSession, tenant_id: TenantId, *, group_id: uuid.UUID | None, today: date
) -> FormChoices:
    repo = GroupRepository(db, tenant_id)
    own = {c.contract_id for c in await repo.contracts(group_id)} if group_id else set()
    taken = await repo.active_contract_ids() - own
    signed = await links.signed_contracts(db, tenant_id, start_from=today)
    known = {c.id for c in signed}
    missing_own = [i for i in own if i not in known]
    extra, _refused = await links.binding_contracts(db, tenant_id, missing_own)
    contracts = [c for c in [*signed, *extra] if c.id not in taken]
    contracts.sort(key=lambda c: (c.start_date, c.e_number))
    return FormChoices(contracts=contracts, chosen=own)
