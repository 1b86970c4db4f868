"""Creating and changing a group while it is a draft, and cancelling it.

A filed group is locked: the bureau's interface has no amendment for a group and refuses
a group number it already has, so a changed plan is a new group (cancel this one, which
frees its contracts and guides, and create the new one; it is filed again)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.groups import domain
from modules.groups.models import GroupContract, GroupDay, GroupVehicle, TourGroup
from modules.groups.repository import (
    ACTIVE_CONTRACT_INDEX,
    GROUP_NO_UNIQUE,
    GroupRepository,
    violated,
)
from modules.groups.schemas import DayInput, GroupInput
from modules.groups.service import links
from tenants import service as tenants

__all__ = [
    "Actor",
    "ContractTaken",
    "GroupLocked",
    "cancel_group",
    "create_group",
    "next_group_no",
    "update_group",
]


class GroupLocked(Conflict):
    message = (
        "This group has been filed with the bureau and can no longer be changed. "
        "Cancel it and create a new group if the plan changed."
    )


class ContractTaken(Conflict):
    message = "One of these contracts was just put into another group. Reload and try again."


def _problem(field: str, message: str, **params: object) -> dict[str, object]:
    return {"field": field, "code": "invalid", "message": message, "params": params}


async def next_group_no(db: AsyncSession, tenant_id: TenantId, prefix: str, departure: date) -> str:
    """The default number a new group departing that day gets (`BT20261201-01`)."""
    stem = f"{prefix}{departure:%Y%m%d}-"
    taken = await GroupRepository(db, tenant_id).numbers_starting(stem)
    return domain.default_group_no(prefix, departure, taken)


def _why_not(c: Any, data: GroupInput, held: dict[uuid.UUID, str]) -> dict[str, object] | None:
    """Why a binding contract cannot join this group, or None."""
    if c.status not in links.TRAVELLING_STATUSES:
        return _problem("contracts", "Contract %(e)s is not signed or was cancelled.", e=c.e_number)
    if not domain.fits(data.start_date, data.end_date, c.start_date, c.end_date):
        return _problem(
            "contracts",
            "Contract %(e)s travels %(start)s to %(end)s, outside the group's dates.",
            e=c.e_number,
            start=c.start_date.isoformat(),
            end=c.end_date.isoformat(),
        )
    if c.id in held:
        return _problem(
            "contracts",
            "Contract %(e)s is already in group %(group)s.",
            e=c.e_number,
            group=held[c.id],
        )
    return None


async def _contract_rows(
    db: AsyncSession, tenant_id: TenantId, data: GroupInput, group_id: uuid.UUID | None
) -> list[GroupContract]:
    """The chosen contracts, if each is signed, not cancelled, within the group's dates
    and not travelling with another active group (every refusal named at once)."""
    binding, _refused = await links.binding_contracts(db, tenant_id, data.contract_ids)
    found = {c.id: c for c in binding}
    repo = GroupRepository(db, tenant_id)
    held = await repo.groups_holding(data.contract_ids, besides=group_id)
    known = {c.contract_id: c.e_number for c in await repo.contracts(group_id)} if group_id else {}
    problems: list[dict[str, object]] = []
    rows: list[GroupContract] = []
    for contract_id in data.contract_ids:
        c = found.get(contract_id)
        if c is None:
            e_number = known.get(contract_id)
            problems.append(
                _problem("contracts", "Contract %(e)s is not signed or was cancelled.", e=e_number)
                if e_number
                else _problem("contracts", "A chosen contract is not signed or was cancelled.")
            )
        elif problem := _why_not(c, data, held):
            problems.append(problem)
        else:
            rows.append(
                GroupContract(
                    contract_id=c.id,
                    e_number=c.e_number,
                    tourist_count=c.tourist_count,
                    active=True,
                )
            )
    if problems:
        raise Invalid(errors=problems)
    return rows


def _check(data: GroupInput) -> None:
    """The rules the form checks, again for callers that build a `GroupInput` themselves
    (the demo, other modules): a tour's dates and Chinese plates."""
    problems: list[dict[str, object]] = []
    if dates := domain.dates_problem(data.start_date, data.end_date):
        problems.append(_problem(dates[0], dates[1]))
    for i, vehicle in enumerate(data.vehicles):
        if plate := domain.plate_problem(vehicle.plate_no):
            problems.append(_problem(f"vehicles.{i}.plate_no", plate))
        if vehicle.seats < 1:
            problems.append(_problem(f"vehicles.{i}.seats", "Seats: a number from 1 to 99."))
    if problems:
        raise Invalid(errors=problems)


def _day_rows(data: GroupInput, earlier: dict[date, GroupDay]) -> list[GroupDay]:
    """One row per day of the tour. Days the form did not send keep what was planned
    for that date before (or start blank)."""
    days = data.days
    if not days:
        days = [
            DayInput(d, list(earlier[d].places), earlier[d].hotel)
            if d in earlier
            else DayInput(d, [])
            for d in domain.dates_between(data.start_date, data.end_date)
        ]
    cover = domain.coverage(data.start_date, data.end_date, [d.day for d in days])
    if not cover.exact:
        raise Invalid(
            errors=[
                _problem("days", "The itinerary needs exactly one row for each day of the tour.")
            ]
        )
    return [GroupDay(day=d.day, places=d.places, hotel=d.hotel) for d in days]


def _vehicle_rows(data: GroupInput) -> list[GroupVehicle]:
    return [
        GroupVehicle(
            position=i,
            plate_no=v.plate_no,
            seats=v.seats,
            driver_name=v.driver_name,
            driver_phone=v.driver_phone,
        )
        for i, v in enumerate(data.vehicles)
    ]


async def _number(
    db: AsyncSession, tenant_id: TenantId, data: GroupInput, prefix: str, current: TourGroup | None
) -> str:
    if not data.group_no:
        if current is not None:
            return current.group_no
        return await next_group_no(db, tenant_id, prefix, data.start_date)
    other = await GroupRepository(db, tenant_id).group_by_no(data.group_no)
    if other is not None and (current is None or other.id != current.id):
        raise Invalid.field("group_no", "This group number is already used.", "taken")
    return data.group_no


async def _save_parts(
    db: AsyncSession, tenant_id: TenantId, group: TourGroup, data: GroupInput
) -> None:
    repo = GroupRepository(db, tenant_id)
    contracts = await _contract_rows(db, tenant_id, data, group.id)
    earlier = {d.day: d for d in await repo.days(group.id)}
    days = _day_rows(data, earlier)
    for contract in contracts:
        contract.group_id = group.id
    for day in days:
        day.group_id = group.id
    vehicles = _vehicle_rows(data)
    for vehicle in vehicles:
        vehicle.group_id = group.id
    try:
        async with db.begin_nested():
            await repo.replace_contracts(group.id, contracts)
    except IntegrityError as exc:
        if violated(exc) == ACTIVE_CONTRACT_INDEX:
            raise ContractTaken() from None
        raise
    await repo.replace_days(group.id, days)
    await repo.replace_vehicles(group.id, vehicles)
    group.tourist_count = sum(c.tourist_count for c in contracts)


async def create_group(
    db: AsyncSession,
    tenant_id: TenantId,
    data: GroupInput,
    *,
    actor: Actor,
    number_prefix: str = "GT",
) -> TourGroup:
    """A draft group with its contracts, days and vehicles. Refuses a contract that is not
    signed, travels outside the group's dates or already travels with another group."""
    _check(data)
    group = await _insert_numbered(db, tenant_id, data, number_prefix, actor)
    await _save_parts(db, tenant_id, group, data)
    await db.flush()
    await _audit(db, tenant_id, "groups.created", group, actor)
    return group


NUMBER_TRIES = 5


async def _insert_numbered(
    db: AsyncSession, tenant_id: TenantId, data: GroupInput, prefix: str, actor: Actor
) -> TourGroup:
    """Insert the group under its number. Two agents creating groups for the same day
    at once may both be offered the same default number: the loser takes the next one
    (a number typed by the agent is never changed silently: it is refused)."""
    for _ in range(NUMBER_TRIES):
        group = TourGroup(
            group_no=await _number(db, tenant_id, data, prefix, None),
            route_name=data.route_name,
            start_date=data.start_date,
            end_date=data.end_date,
            status=domain.GroupStatus.DRAFT,
            tourist_count=0,
            notes=data.notes,
            created_by=actor.user_id,
        )
        try:
            async with db.begin_nested():
                await GroupRepository(db, tenant_id).insert_group(group)
            return group
        except IntegrityError as exc:
            if violated(exc) != GROUP_NO_UNIQUE:
                raise
            if data.group_no:
                raise Invalid.field(
                    "group_no", "This group number is already used.", "taken"
                ) from None
    raise Conflict("Many groups are being created at once. Try again.")


async def _draft(db: AsyncSession, tenant_id: TenantId, group_id: uuid.UUID) -> TourGroup:
    group = await GroupRepository(db, tenant_id).group(group_id, for_update=True)
    if group is None:
        raise NotFound()
    if group.status != domain.GroupStatus.DRAFT:
        raise GroupLocked()
    return group


async def update_group(
    db: AsyncSession,
    tenant_id: TenantId,
    group_id: uuid.UUID,
    data: GroupInput,
    *,
    actor: Actor,
) -> TourGroup:
    """Change a draft group. When its dates or number change, its guides are assigned
    again for the new dates, so the guides module checks them for overlaps once more."""
    _check(data)
    group = await _draft(db, tenant_id, group_id)
    moved = (group.start_date, group.end_date) != (data.start_date, data.end_date)
    group_no = await _number(db, tenant_id, data, "", group)
    renumbered = group_no != group.group_no
    group.group_no = group_no
    group.route_name = data.route_name
    group.start_date, group.end_date = data.start_date, data.end_date
    group.notes = data.notes
    group.updated_at = clock.now()
    await db.flush()
    await _save_parts(db, tenant_id, group, data)
    if moved or renumbered:
        await _reassign_guides(db, tenant_id, group)
    await db.flush()
    await _audit(db, tenant_id, "groups.updated", group, actor)
    return group


async def _reassign_guides(db: AsyncSession, tenant_id: TenantId, group: TourGroup) -> None:
    """The guides module moves an assignment of the same group to the new dates (and
    checks them for overlaps again)."""
    for assignment in await links.assignments(db, tenant_id, group.id):
        await links.assign(
            db,
            tenant_id,
            assignment.guide_id,
            group_id=group.id,
            group_no=group.group_no,
            from_date=group.start_date,
            to_date=group.end_date,
        )


async def cancel_group(
    db: AsyncSession, tenant_id: TenantId, group_id: uuid.UUID, *, actor: Actor
) -> TourGroup:
    """Cancel a group: its contracts may join another group and its guides are free for
    those dates. Filings already made stay as they are (the bureau has no cancellation
    for groups); the console says so."""
    group = await GroupRepository(db, tenant_id).group(group_id, for_update=True)
    if group is None:
        raise NotFound()
    if group.status == domain.GroupStatus.CANCELLED:
        return group
    for assignment in await links.assignments(db, tenant_id, group.id):
        await links.release(db, tenant_id, assignment.guide_id, group.id)
    await GroupRepository(db, tenant_id).deactivate_contracts(group.id)
    group.status = domain.GroupStatus.CANCELLED
    group.cancelled_at = clock.now()
    await db.flush()
    await _audit(db, tenant_id, "groups.cancelled", group, actor)
    return group


async def _audit(
    db: AsyncSession, tenant_id: TenantId, action: str, group: TourGroup, actor: Actor
) -> None:
    await tenants.record_audit(
        db,
        tenant_id,
        action,
        actor_user_id=actor.user_id,
        subject_type="tour_group",
        subject_id=group.id,
        data={"group_no": group.group_no},
        ip=actor.ip,
    )
