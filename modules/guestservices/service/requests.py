"""Service requests from the terminal (housekeeping, towels, maintenance, wake-up call,
taxi, express check-out) and the staff queue that works them off.

Every change of status is a new history row with who and when, so a guest's "I asked an
hour ago" can be answered from the record."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.guestservices import domain
from modules.guestservices.models import ServiceRequest, ServiceRequestEvent
from modules.guestservices.repository import GuestServicesRepository
from modules.guestservices.schemas import RequestForm, RequestQueue, RequestView
from modules.guestservices.service.views import in_house_stay, request_view

__all__ = [
    "advance_request",
    "cancel_request",
    "new_request_count",
    "request_checkout",
    "request_queue",
    "request_service",
    "stay_requests",
]

ALREADY_ASKED = "You have already asked for this; staff are on their way."
NOT_NEW = "Staff have already taken this request; it can no longer be cancelled."


def _validate(form: RequestForm, now: datetime, tz: str) -> tuple[datetime | None, str | None]:
    """The time and destination a request needs, or field errors the guest can act on."""
    if form.kind not in domain.SERVICE_KINDS:
        raise Invalid.field("kind", "Choose a service.")
    errors = []
    due_at = domain.next_at(form.at, now, tz) if form.at.strip() else None
    if form.kind in domain.NEEDS_TIME and due_at is None:
        errors.append(domain.field("at", "Enter a time such as 07:30."))
    destination = form.destination.strip()
    if form.kind == "taxi" and not destination:
        errors.append(domain.field("destination", "Say where to."))
    if len(destination) > 200:
        errors.append(domain.field("destination", "Too long."))
    if len(form.note.strip()) > 500:
        errors.append(domain.field("note", "Too long."))
    if errors:
        raise Invalid(errors=errors)
    return due_at, destination or None


async def _create(
    db: AsyncSession,
    tenant_id: TenantId,
    stay_id: uuid.UUID,
    kind: str,
    *,
    note: str = "",
    due_at: datetime | None = None,
    destination: str | None = None,
    device_id: uuid.UUID | None,
    now: datetime,
) -> RequestView:
    stay = await in_house_stay(db, tenant_id, stay_id)
    repo = GuestServicesRepository(db, tenant_id)
    if kind in domain.ONE_OPEN_AT_A_TIME and await repo.open_request_of_kind(stay.id, kind):
        raise Conflict(ALREADY_ASKED)
    row = ServiceRequest(
        stay_id=stay.id,
        unit_id=stay.unit_id,
        unit_number=stay.unit_number,
        guest_name=stay.guest_name,
        kind=kind,
        status=domain.RequestStatus.NEW,
        note=note.strip()[:500],
        due_at=due_at,
        destination=destination,
        device_id=device_id,
        created_at=now,
        status_changed_at=now,
    )
    await repo.save(row)
    event = ServiceRequestEvent(
        request_id=row.id, status=domain.RequestStatus.NEW, by_guest=True, created_at=now
    )
    await repo.save(event)
    return request_view(row, now)


async def request_service(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    stay_id: uuid.UUID,
    form: RequestForm,
    device_id: uuid.UUID | None = None,
    tz: str = clock.DEFAULT_TZ,
    now: datetime | None = None,
) -> RequestView:
    """A one-touch service from the room's terminal, into the staff queue. Refused when
    nobody is checked in, and when the same service is already on its way."""
    now = now or clock.now()
    due_at, destination = _validate(form, now, tz)
    return await _create(
        db,
        tenant_id,
        stay_id,
        form.kind,
        note=form.note,
        due_at=due_at,
        destination=destination,
        device_id=device_id,
        now=now,
    )


async def request_checkout(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    stay_id: uuid.UUID,
    device_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> RequestView:
    """Express check-out asked for from the bill screen: the desk settles the bill and
    checks the guest out in its own module, then marks the request done."""
    now = now or clock.now()
    return await _create(db, tenant_id, stay_id, "checkout", device_id=device_id, now=now)


async def cancel_request(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    stay_id: uuid.UUID,
    request_id: uuid.UUID,
    now: datetime | None = None,
) -> RequestView:
    """The guest changes their mind, only while nobody has taken the request (the row is
    locked, so a clerk acknowledging at the same moment either wins or waits)."""
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    row = await repo.one(ServiceRequest, request_id, stay_id=stay_id, for_update=True)
    if row is None:
        raise NotFound()
    if row.status != domain.RequestStatus.NEW:
        raise Conflict(NOT_NEW)
    await _move(repo, row, domain.RequestStatus.CANCELLED, now, by_user_id=None, by_guest=True)
    return request_view(row, now)


async def advance_request(
    db: AsyncSession,
    tenant_id: TenantId,
    request_id: uuid.UUID,
    action: str,
    *,
    by_user_id: uuid.UUID | None,
    now: datetime | None = None,
) -> RequestView:
    """A clerk acknowledges, starts or finishes a request; refused when the request has
    moved past that step (a guest cancelled it, a colleague finished it)."""
    now = now or clock.now()
    if action not in domain.REQUEST_ACTIONS:
        raise Invalid.field("action", "Unknown action.")
    target, allowed_from = domain.REQUEST_ACTIONS[action]
    repo = GuestServicesRepository(db, tenant_id)
    row = await repo.one(ServiceRequest, request_id, for_update=True)
    if row is None:
        raise NotFound()
    if row.status not in allowed_from:
        raise Conflict("This request has already moved on; the list is refreshed.")
    await _move(repo, row, target, now, by_user_id=by_user_id, by_guest=False)
    events = await repo.events([row.id])
    return request_view(row, now, events=events)


async def _move(
    repo: GuestServicesRepository,
    row: ServiceRequest,
    status: str,
    now: datetime,
    *,
    by_user_id: uuid.UUID | None,
    by_guest: bool,
) -> None:
    row.status = status
    row.status_changed_at = now
    event = ServiceRequestEvent(
        request_id=row.id, status=status, by_user_id=by_user_id, by_guest=by_guest, created_at=now
    )
    await repo.save(row, event)


async def stay_requests(
    db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID, *, now: datetime | None = None
) -> tuple[RequestView, ...]:
    """What the guest's terminal lists: this stay's requests only, newest first, with the
    score the guest gave each finished one."""
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    rows = await repo.requests(stay_id=stay_id)
    scores = {r.request_id: r.score for r in await repo.ratings_of_stay(stay_id) if r.request_id}
    return tuple(request_view(r, now, rating=scores.get(r.id)) for r in rows)


async def request_queue(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    status: str | None = None,
    now: datetime | None = None,
) -> RequestQueue:
    """The staff queue: open requests (or one status), oldest waiting first, with their
    history and the counts per status for the tabs."""
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    statuses = (status,) if status in domain.REQUEST_STATUSES else domain.OPEN_STATUSES
    rows = sorted(await repo.requests(statuses=statuses), key=lambda r: r.created_at)
    if status in domain.FINISHED_STATUSES:
        rows.reverse()
    history: dict[uuid.UUID, list[object]] = defaultdict(list)
    for event, name in await repo.events(r.id for r in rows):
        history[event.request_id].append((event, name))
    views = tuple(request_view(r, now, events=history[r.id]) for r in rows)
    counts = await repo.request_counts()
    return RequestQueue(
        status=status if status in domain.REQUEST_STATUSES else None, requests=views, counts=counts
    )


async def new_request_count(db: AsyncSession, tenant_id: TenantId) -> int:
    return await GuestServicesRepository(db, tenant_id).count_requests(domain.RequestStatus.NEW)
