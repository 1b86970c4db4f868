"""Guides on groups: one guide, one group at a time, and never on an expired licence.

The groups module calls `assign_to_group` when it puts a guide on a group and
`release_assignment` when it takes them off; the guide's record lists the groups led."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.guides.domain import AssignmentStatus, GuideStatus
from modules.guides.models import Guide, GuideAssignment
from modules.guides.repository import GuidesRepository
from modules.guides.schemas import AssignmentView
from modules.guides.service.views import assignment_view
from tenants.service import record_audit

__all__ = [
    "AssignmentOverlap",
    "GuideUnavailable",
    "assign_to_group",
    "assignments_for_group",
    "assignments_for_guide",
    "release_assignment",
]


class AssignmentOverlap(Conflict):
    """The guide already leads another group on one of these days."""

    code = "guide_overlap"


class GuideUnavailable(Conflict):
    """The guide has left, or the licence is not valid for the whole trip (旅游法 第九十六条
    fines an agency for sending a guide without a valid 导游证)."""

    code = "guide_unavailable"


def _check_guide(guide: Guide, to_date: date) -> None:
    if guide.status != GuideStatus.ACTIVE:
        raise GuideUnavailable(
            _("%(name)s has left the agency and cannot lead a group.", name=guide.name)
        )
    if guide.licence_valid_until < to_date:
        raise GuideUnavailable(
            _(
                "The guide licence of %(name)s (%(licence)s) is valid until %(until)s, "
                "before the trip ends on %(end)s. Renew it before assigning the guide.",
                name=guide.name,
                licence=guide.licence_no,
                until=guide.licence_valid_until.isoformat(),
                end=to_date.isoformat(),
            )
        )


def _overlap(guide: Guide, other: GuideAssignment) -> AssignmentOverlap:
    return AssignmentOverlap(
        _(
            "%(name)s already leads group %(group)s from %(start)s to %(end)s, which "
            "overlaps these dates.",
            name=guide.name,
            group=other.group_no,
            start=other.from_date.isoformat(),
            end=other.to_date.isoformat(),
        )
    )


async def assign_to_group(
    db: AsyncSession,
    tenant_id: TenantId,
    guide_id: uuid.UUID,
    *,
    group_id: uuid.UUID,
    group_no: str,
    from_date: date,
    to_date: date,
) -> AssignmentView:
    """Put the guide on the group for these dates (inclusive).

    Refused when the guide has left, the licence ends before the trip does, or another
    active group of the guide shares a day with these dates (a group ending the day before
    is fine). The guide's row is locked first, so two groups claiming the same guide at the
    same moment are checked one after the other: exactly one of them gets the guide.
    Calling it again for the same group moves that assignment to the new dates."""
    if from_date > to_date:
        raise Invalid.field("to_date", "The trip cannot end before it starts.")
    group_no = (group_no or "").strip()[:40]
    repo = GuidesRepository(db, tenant_id)
    guide = await repo.guide(guide_id, for_update=True)
    if guide is None:
        raise NotFound()
    _check_guide(guide, to_date)
    other = await repo.overlapping_assignment(guide_id, from_date, to_date, except_group=group_id)
    if other is not None:
        raise _overlap(guide, other)
    assignment = await repo.active_assignment(guide_id, group_id)
    if assignment is None:
        assignment = GuideAssignment(
            guide_id=guide_id, group_id=group_id, status=AssignmentStatus.ACTIVE
        )
    assignment.group_no, assignment.from_date, assignment.to_date = group_no, from_date, to_date
    await repo.save(assignment)
    await _audit(db, tenant_id, "guide.assigned", assignment)
    return assignment_view(assignment, guide)


async def release_assignment(
    db: AsyncSession, tenant_id: TenantId, guide_id: uuid.UUID, group_id: uuid.UUID
) -> AssignmentView | None:
    """Take the guide off the group, freeing the dates. Releasing twice is harmless
    (answers None when nothing was active)."""
    repo = GuidesRepository(db, tenant_id)
    guide = await repo.guide(guide_id, for_update=True)
    if guide is None:
        raise NotFound()
    assignment = await repo.active_assignment(guide_id, group_id)
    if assignment is None:
        return None
    assignment.status = AssignmentStatus.RELEASED
    assignment.released_at = clock.now()
    await repo.save(assignment)
    await _audit(db, tenant_id, "guide.released", assignment)
    return assignment_view(assignment, guide)


async def assignments_for_group(
    db: AsyncSession, tenant_id: TenantId, group_id: uuid.UUID, *, include_released: bool = False
) -> list[AssignmentView]:
    rows = await GuidesRepository(db, tenant_id).assignments(
        group_id=group_id, active_only=not include_released
    )
    return [assignment_view(a, g) for a, g in rows]


async def assignments_for_guide(
    db: AsyncSession, tenant_id: TenantId, guide_id: uuid.UUID
) -> list[AssignmentView]:
    """The groups a guide has led or will lead, newest first (released ones included)."""
    rows = await GuidesRepository(db, tenant_id).assignments(guide_id=guide_id)
    return [assignment_view(a, g) for a, g in rows]


async def _audit(db: AsyncSession, tenant_id: TenantId, action: str, a: GuideAssignment) -> None:
    await record_audit(
        db,
        tenant_id,
        action,
        subject_type="guide",
        subject_id=a.guide_id,
        data={
            "group_id": str(a.group_id),
            "group_no": a.group_no,
            "from": a.from_date.isoformat(),
            "to": a.to_date.isoformat(),
        },
    )
    await db.flush()  # while this tenant is bound (callers may bind another next)
