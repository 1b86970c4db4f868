"""Ratings and complaints: the guest scores the stay and each service, and can complain;
staff answer and close complaints, and those left unanswered past `ANSWER_WITHIN` are
flagged in the console's navigation.

Complaints carry `forwarded_at` and `external_ref` for the bureau's complaint channel, to
be filled when forwarding is built (nothing is forwarded yet)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.guestservices import domain
from modules.guestservices.models import Complaint, Rating, RoomOrder, ServiceRequest
from modules.guestservices.repository import GuestServicesRepository
from modules.guestservices.schemas import (
    ComplaintForm,
    ComplaintView,
    GuestFeedback,
    RatingForm,
    RatingsSummary,
    RatingSummaryRow,
    RatingView,
)
from modules.guestservices.service.views import complaint_view, in_house_stay

__all__ = [
    "answer_complaint",
    "close_complaint",
    "complaint_detail",
    "complaints",
    "file_complaint",
    "guest_feedback",
    "overdue_complaint_count",
    "rate",
    "ratings_summary",
]

ALREADY_RATED = "You have already rated this. Thank you!"


def _rating_values(form: RatingForm) -> tuple[int, str]:
    score = domain.parse_score(form.score)
    errors = []
    if score is None:
        errors.append(domain.field("score", "Choose 1 to 5 stars."))
    if len(form.comment.strip()) > 500:
        errors.append(domain.field("comment", "At most 500 characters."))
    if errors or score is None:
        raise Invalid(errors=errors)
    return score, form.comment.strip()


async def _subject(
    repo: GuestServicesRepository,
    stay_id: uuid.UUID,
    request_id: uuid.UUID | None,
    order_id: uuid.UUID | None,
) -> str:
    """What is rated: the stay, or this stay's finished request or delivered order."""
    if request_id is not None:
        req = await repo.one(ServiceRequest, request_id, stay_id=stay_id)
        if req is None:
            raise NotFound()
        if req.status != domain.RequestStatus.DONE:
            raise Conflict("A request can be rated once it is done.")
        return req.kind
    if order_id is not None:
        order = await repo.one(RoomOrder, order_id, stay_id=stay_id)
        if order is None:
            raise NotFound()
        if order.status != domain.OrderStatus.DELIVERED:
            raise Conflict("An order can be rated once it is delivered.")
        return "room_service"
    return "stay"


async def rate(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    stay_id: uuid.UUID,
    form: RatingForm,
    request_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
) -> None:
    """Rate the stay (no id), a finished request or a delivered order of this stay, once
    each (a unique index has the last word when the guest taps twice)."""
    score, comment = _rating_values(form)
    stay = await in_house_stay(db, tenant_id, stay_id)
    repo = GuestServicesRepository(db, tenant_id)
    subject = await _subject(repo, stay.id, request_id, order_id)
    row = Rating(
        stay_id=stay.id,
        unit_number=stay.unit_number,
        subject=subject,
        request_id=request_id,
        order_id=order_id,
        score=score,
        comment=comment,
    )
    try:
        async with db.begin_nested():
            await repo.save(row)
    except IntegrityError as exc:
        raise Conflict(ALREADY_RATED) from exc


async def ratings_summary(
    db: AsyncSession, tenant_id: TenantId, *, now: datetime | None = None
) -> RatingsSummary:
    """Average score per subject over the last `RATING_DAYS` days, and the latest ones
    with their comments."""
    now = now or clock.now()
    since = now - timedelta(days=domain.RATING_DAYS)
    repo = GuestServicesRepository(db, tenant_id)
    rows = tuple(
        RatingSummaryRow(subject=s, count=int(n), average=round(float(avg), 2))
        for s, n, avg in await repo.rating_averages(since)
    )
    recent = tuple(
        RatingView(
            subject=r.subject,
            score=r.score,
            comment=r.comment,
            unit_number=r.unit_number,
            created_at=r.created_at,
        )
        for r in await repo.recent_ratings(since)
    )
    return RatingsSummary(days=domain.RATING_DAYS, rows=rows, recent=recent)


def _complaint_values(form: ComplaintForm) -> tuple[str, str, str | None]:
    errors = []
    body = form.body.strip()
    phone = form.contact_phone.strip()
    if form.category not in domain.COMPLAINT_CATEGORIES:
        errors.append(domain.field("category", "Choose what it is about."))
    if not body:
        errors.append(domain.field("body", "Tell us what happened."))
    elif len(body) > 2000:
        errors.append(domain.field("body", "At most 2,000 characters."))
    if phone and not domain.is_phone(phone):
        errors.append(domain.field("contact_phone", "Enter a phone number."))
    if errors:
        raise Invalid(errors=errors)
    return form.category, body, phone or None


async def file_complaint(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    stay_id: uuid.UUID,
    form: ComplaintForm,
    now: datetime | None = None,
) -> ComplaintView:
    """A guest's complaint, into the console's list with its answer deadline running."""
    now = now or clock.now()
    category, body, phone = _complaint_values(form)
    stay = await in_house_stay(db, tenant_id, stay_id)
    row = Complaint(
        stay_id=stay.id,
        unit_number=stay.unit_number,
        guest_name=stay.guest_name,
        category=category,
        body=body,
        contact_phone=phone,
        status=domain.ComplaintStatus.OPEN,
        created_at=now,
    )
    await GuestServicesRepository(db, tenant_id).save(row)
    return complaint_view(row, now)


async def guest_feedback(
    db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID, *, now: datetime | None = None
) -> GuestFeedback:
    """The terminal's feedback screen: this stay's own rating and complaints (answers
    included) and nothing of any other stay."""
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    stay_rating = next(
        (r.score for r in await repo.ratings_of_stay(stay_id) if r.subject == "stay"), None
    )
    rows = await repo.complaints(stay_id=stay_id)
    return GuestFeedback(
        stay_rating=stay_rating, complaints=tuple(complaint_view(r, now) for r in rows)
    )


async def complaints(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    status: str | None = None,
    now: datetime | None = None,
) -> tuple[ComplaintView, ...]:
    """The console's list: open and answered ones (or one status), newest first."""
    now = now or clock.now()
    statuses = (
        (status,) if status in domain.COMPLAINT_STATUSES else domain.UNRESOLVED_COMPLAINT_STATUSES
    )
    rows = await GuestServicesRepository(db, tenant_id).complaints(statuses=statuses)
    return tuple(complaint_view(r, now) for r in rows)


async def complaint_detail(
    db: AsyncSession, tenant_id: TenantId, complaint_id: uuid.UUID, *, now: datetime | None = None
) -> ComplaintView:
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    row = await repo.one(Complaint, complaint_id)
    if row is None:
        raise NotFound()
    names = await repo.user_names([row.answered_by, row.closed_by])
    return complaint_view(row, now, names)


async def answer_complaint(
    db: AsyncSession,
    tenant_id: TenantId,
    complaint_id: uuid.UUID,
    *,
    answer: str,
    by_user_id: uuid.UUID | None,
    now: datetime | None = None,
) -> ComplaintView:
    """Staff answer the guest (shown on the terminal while the stay lasts); a later
    answer replaces the earlier one. A closed complaint takes no more answers."""
    now = now or clock.now()
    text = answer.strip()
    if not text:
        raise Invalid.field("answer", "Write the answer to the guest.")
    if len(text) > 2000:
        raise Invalid.field("answer", "At most 2,000 characters.")
    repo = GuestServicesRepository(db, tenant_id)
    row = await repo.one(Complaint, complaint_id, for_update=True)
    if row is None:
        raise NotFound()
    if row.status == domain.ComplaintStatus.CLOSED:
        raise Conflict("This complaint is closed.")
    row.answer, row.answered_at, row.answered_by, row.status = (
        text,
        now,
        by_user_id,
        domain.ComplaintStatus.ANSWERED,
    )
    await repo.save(row)
    return await complaint_detail(db, tenant_id, complaint_id, now=now)


async def close_complaint(
    db: AsyncSession,
    tenant_id: TenantId,
    complaint_id: uuid.UUID,
    *,
    by_user_id: uuid.UUID | None,
    now: datetime | None = None,
) -> ComplaintView:
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    row = await repo.one(Complaint, complaint_id, for_update=True)
    if row is None:
        raise NotFound()
    if row.status == domain.ComplaintStatus.CLOSED:
        raise Conflict("This complaint is closed.")
    row.status, row.closed_at, row.closed_by = domain.ComplaintStatus.CLOSED, now, by_user_id
    await repo.save(row)
    return await complaint_detail(db, tenant_id, complaint_id, now=now)


async def overdue_complaint_count(
    db: AsyncSession, tenant_id: TenantId, *, now: datetime | None = None
) -> int:
    """Open complaints older than the answer deadline (the nav badge)."""
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    return await repo.count_open_complaints_before(now - domain.ANSWER_WITHIN)
