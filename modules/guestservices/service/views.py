"""Rows to the views the pages see, and the stay every guest action is checked against."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Conflict
from modules.frontdesk import service as frontdesk
from modules.frontdesk.service import StayView
from modules.guestservices import domain
from modules.guestservices.models import Complaint, RoomOrder, RoomOrderLine, ServiceRequest
from modules.guestservices.schemas import (
    ComplaintView,
    OrderLineView,
    OrderView,
    RequestEventView,
    RequestView,
)

NO_STAY = "No guest is checked in to this room, so nothing can be requested from it."


async def in_house_stay(db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID) -> StayView:
    """The stay a guest acts for, refused once it has checked out: a departed guest's
    terminal session can add nothing to a settled stay."""
    stay = await frontdesk.get_stay(db, tenant_id, stay_id)
    if not stay.in_house:
        raise Conflict(NO_STAY)
    return stay


def request_view(
    row: ServiceRequest,
    now: datetime,
    *,
    events: Sequence[Any] = (),
    rating: int | None = None,
) -> RequestView:
    finished = row.status in domain.FINISHED_STATUSES
    return RequestView(
        id=row.id,
        stay_id=row.stay_id,
        unit_number=row.unit_number,
        guest_name=row.guest_name,
        kind=row.kind,
        status=row.status,
        note=row.note,
        due_at=row.due_at,
        destination=row.destination,
        created_at=row.created_at,
        status_changed_at=row.status_changed_at,
        waited_minutes=domain.minutes_between(
            row.created_at, row.status_changed_at if finished else now
        ),
        overdue=domain.request_overdue(row.status, row.created_at, now),
        history=tuple(
            RequestEventView(status=e.status, at=e.created_at, by_name=name, by_guest=e.by_guest)
            for e, name in events
        ),
        rating=rating,
    )


def order_view(
    row: RoomOrder,
    lines: Sequence[RoomOrderLine],
    now: datetime,
    rating: int | None = None,
) -> OrderView:
    delivered = row.status == domain.OrderStatus.DELIVERED
    return OrderView(
        id=row.id,
        stay_id=row.stay_id,
        unit_number=row.unit_number,
        guest_name=row.guest_name,
        status=row.status,
        total_fen=row.total_fen,
        note=row.note,
        created_at=row.created_at,
        status_changed_at=row.status_changed_at,
        waited_minutes=domain.minutes_between(
            row.created_at, row.status_changed_at if delivered else now
        ),
        lines=tuple(
            OrderLineView(
                name=line.name,
                unit_price_fen=line.unit_price_fen,
                quantity=line.quantity,
                amount_fen=line.amount_fen,
            )
            for line in lines
        ),
        rating=rating,
    )


def complaint_view(
    row: Complaint, now: datetime, names: dict[uuid.UUID, str] | None = None
) -> ComplaintView:
    return ComplaintView(
        id=row.id,
        stay_id=row.stay_id,
        unit_number=row.unit_number,
        guest_name=row.guest_name,
        category=row.category,
        body=row.body,
        contact_phone=row.contact_phone,
        status=row.status,
        answer=row.answer,
        answered_at=row.answered_at,
        answered_by_name=(names or {}).get(row.answered_by) if row.answered_by else None,
        closed_at=row.closed_at,
        created_at=row.created_at,
        overdue=domain.complaint_overdue(row.status, row.created_at, now),
        forwarded_at=row.forwarded_at,
        external_ref=row.external_ref,
    )
