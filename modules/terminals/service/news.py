"""Announcements on the terminals' ticker and voyage itineraries (ports of call) shown on
cruise cabins' terminals."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.web.input import read_int
from modules.reservations import service as reservations
from modules.terminals.models import Announcement, PortCall
from modules.terminals.repository import ContentRepository
from modules.terminals.schemas import (
    AnnouncementForm,
    AnnouncementView,
    ItineraryStop,
    PortCallForm,
    PortCallView,
)
from modules.terminals.service.content import Errors, add_error, clean_text, one_or_404

__all__ = [
    "ITINERARY_SOURCES",
    "ItinerarySource",
    "add_port_call",
    "cabin_itinerary",
    "create_announcement",
    "delete_announcement",
    "delete_port_call",
    "has_itinerary",
    "itinerary",
    "list_announcements",
]


# Announcements -------------------------------------------------------------------------


def _local(errors: Errors, field: str, value: str, tz: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        add_error(errors, field, "Enter a date and time.")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.zone(tz))


async def _voyages(db: AsyncSession, tenant_id: TenantId) -> dict[uuid.UUID, str]:
    return {v.id: v.code for v in await reservations.list_voyages(db, tenant_id)}


async def list_announcements(db: AsyncSession, tenant_id: TenantId) -> list[AnnouncementView]:
    voyages = await _voyages(db, tenant_id)
    rows = await ContentRepository(db, tenant_id).announcements()
    return [
        AnnouncementView(
            a.id,
            a.body,
            a.starts_at,
            a.ends_at,
            a.voyage_id,
            voyages.get(a.voyage_id, "") if a.voyage_id else "",
        )
        for a in rows
    ]


def _voyage_id(errors: Errors, value: str, voyages: dict[uuid.UUID, str]) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        found = uuid.UUID(value.strip())
    except ValueError:
        found = None
    if found not in voyages:
        add_error(errors, "voyage_id", "Choose a voyage of this cruise line.")
        return None
    return found


async def create_announcement(
    db: AsyncSession, tenant_id: TenantId, form: AnnouncementForm, *, tz: str
) -> None:
    """A notice on the terminals' ticker between two times; with a voyage, only on the
    cabins of that voyage."""
    errors: Errors = []
    body = clean_text(errors, "body", form.body, 300)
    starts = _local(errors, "starts_at", form.starts_at, tz)
    ends = _local(errors, "ends_at", form.ends_at, tz)
    if starts and ends and ends <= starts:
        add_error(errors, "ends_at", "The end must be after the start.")
    voyage_id = _voyage_id(errors, form.voyage_id, await _voyages(db, tenant_id))
    if errors or starts is None or ends is None:
        raise Invalid(errors=errors)
    repo = ContentRepository(db, tenant_id)
    repo.add(Announcement(body=body, starts_at=starts, ends_at=ends, voyage_id=voyage_id))
    await repo.flush()


async def delete_announcement(db: AsyncSession, tenant_id: TenantId, a_id: uuid.UUID) -> None:
    repo = ContentRepository(db, tenant_id)
    await repo.remove(await one_or_404(repo, Announcement, a_id))


# Itineraries ---------------------------------------------------------------------------


def _time(errors: Errors, field: str, value: str) -> time | None:
    if not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        add_error(errors, field, "Enter a time such as 08:00.")
        return None


async def itinerary(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> tuple[reservations.VoyageView, list[PortCallView]]:
    """A voyage and its ports of call by day (day 1 is the day it sails)."""
    voyage = next(
        (v for v in await reservations.list_voyages(db, tenant_id) if v.id == voyage_id), None
    )
    if voyage is None:
        raise NotFound()
    calls = await ContentRepository(db, tenant_id).port_calls(voyage_id)
    views = [
        PortCallView(
            id=c.id,
            voyage_id=c.voyage_id,
            day_no=c.day_no,
            day=voyage.depart_on + timedelta(days=c.day_no - 1),
            port=c.port,
            arrive_time=c.arrive_time,
            depart_time=c.depart_time,
            activity=c.activity,
        )
        for c in calls
    ]
    return voyage, views


# Where a voyage's port calls come from when a module runs the voyage (boarding registers
# its own: the purser's port calls with their times); terminals itself knows none of them.
ItinerarySource = Callable[
    [AsyncSession, TenantId, uuid.UUID], Awaitable[list[ItineraryStop] | None]
]
ITINERARY_SOURCES: list[ItinerarySource] = []


async def _stops(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> list[ItineraryStop]:
    for source in ITINERARY_SOURCES:
        stops = await source(db, tenant_id, voyage_id)
        if stops:
            return stops
    return []


async def has_itinerary(db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID) -> bool:
    if await ContentRepository(db, tenant_id).port_calls(voyage_id):
        return True
    return bool(await _stops(db, tenant_id, voyage_id))


async def cabin_itinerary(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, *, tz: str | None = None
) -> tuple[reservations.VoyageView, list[PortCallView]]:
    """What a cabin's terminal shows: the port calls the voyage is run by (an itinerary
    source's, with their scheduled times in the enterprise's zone `tz`) when there are
    some, else the itinerary written in the terminals console."""
    voyage, calls = await itinerary(db, tenant_id, voyage_id)
    views: list[PortCallView] = []
    for stop in await _stops(db, tenant_id, voyage_id):
        arrives = stop.arrives_at.astimezone(clock.zone(tz)) if stop.arrives_at else None
        departs = stop.departs_at.astimezone(clock.zone(tz)) if stop.departs_at else None
        moment = arrives or departs
        day = moment.date() if moment else voyage.depart_on
        views.append(
            PortCallView(
                id=uuid.uuid5(voyage_id, f"{len(views)}:{stop.port}"),
                voyage_id=voyage_id,
                day_no=(day - voyage.depart_on).days + 1,
                day=day,
                port=stop.port,
                arrive_time=arrives.time() if arrives else None,
                depart_time=departs.time() if departs else None,
                activity=stop.activity,
            )
        )
    return voyage, views or calls


async def add_port_call(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, form: PortCallForm
) -> None:
    voyage, _calls = await itinerary(db, tenant_id, voyage_id)
    errors: Errors = []
    days = (voyage.arrive_on - voyage.depart_on).days + 1
    day_no = read_int(form.day_no) or 0
    if not 1 <= day_no <= days:
        add_error(errors, "day_no", _("Enter a day from 1 to %(days)s.", days=days))
    port = clean_text(errors, "port", form.port, 60)
    arrive = _time(errors, "arrive_time", form.arrive_time)
    depart = _time(errors, "depart_time", form.depart_time)
    if arrive and depart and depart <= arrive:
        add_error(errors, "depart_time", "The ship must leave after it arrives.")
    activity = clean_text(errors, "activity", form.activity, 300, required=False)
    if errors:
        raise Invalid(errors=errors)
    repo = ContentRepository(db, tenant_id)
    repo.add(
        PortCall(
            voyage_id=voyage_id,
            day_no=day_no,
            port=port,
            arrive_time=arrive,
            depart_time=depart,
            activity=activity,
        )
    )
    await repo.flush()


async def delete_port_call(db: AsyncSession, tenant_id: TenantId, call_id: uuid.UUID) -> uuid.UUID:
    repo = ContentRepository(db, tenant_id)
    row = await one_or_404(repo, PortCall, call_id)
    assert isinstance(row, PortCall)
    voyage_id = row.voyage_id
    await repo.remove(row)
    return voyage_id
