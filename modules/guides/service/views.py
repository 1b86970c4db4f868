"""Rows to views, the actor of a change, and the small parsers every form shares."""

from __future__ import annotations

from datetime import date

from app.actor import SYSTEM as SYSTEM
from app.actor import Actor as Actor
from modules.guides import domain
from modules.guides.models import (
    Guide,
    GuideAssignment,
    GuideCertificate,
    GuideComplaint,
    GuideRating,
)
from modules.guides.schemas import (
    AssignmentView,
    CertificateView,
    ComplaintView,
    GuideSummary,
    GuideView,
    RatingView,
)


def photo_url(guide: Guide) -> str | None:
    if guide.photo_token is None:
        return None
    return f"/console/guides/{guide.id}/photo?v={guide.photo_token[:8]}"


def summary(guide: Guide) -> GuideSummary:
    return GuideSummary(
        id=guide.id,
        licence_no=guide.licence_no,
        name=guide.name,
        level=guide.level,
        languages=tuple(guide.languages or ()),
        licence_valid_until=guide.licence_valid_until,
        status=guide.status,
        photo_url=photo_url(guide),
    )


def guide_view(guide: Guide, today: date) -> GuideView:
    return GuideView(
        summary=summary(guide),
        qualification_no=guide.qualification_no,
        affiliation=guide.affiliation,
        phone=guide.phone,
        notes=guide.notes,
        licence_state=domain.licence_state(guide.licence_valid_until, today),
        unusual_licence=domain.licence_problem(guide.licence_no) is not None,
        updated_at=guide.updated_at,
    )


def assignment_view(a: GuideAssignment, guide: Guide) -> AssignmentView:
    return AssignmentView(
        id=a.id,
        guide_id=guide.id,
        guide_name=guide.name,
        licence_no=guide.licence_no,
        group_id=a.group_id,
        group_no=a.group_no,
        from_date=a.from_date,
        to_date=a.to_date,
        status=a.status,
    )


def certificate_view(c: GuideCertificate) -> CertificateView:
    return CertificateView(
        id=c.id,
        guide_id=c.guide_id,
        kind=c.kind,
        number=c.number,
        issued_on=c.issued_on,
        expires_on=c.expires_on,
        filename=c.filename,
        content_type=c.content_type,
        size=c.size,
        created_at=c.created_at,
    )


def rating_view(r: GuideRating) -> RatingView:
    return RatingView(
        id=r.id,
        score=r.score,
        comment=r.comment,
        source=r.source,
        group_no=r.group_no,
        rated_on=r.rated_on,
    )


def complaint_view(c: GuideComplaint) -> ComplaintView:
    return ComplaintView(
        id=c.id,
        received_on=c.received_on,
        description=c.description,
        group_no=c.group_no,
        status=c.status,
        resolution=c.resolution,
        resolved_at=c.resolved_at,
    )


def parse_date(value: str | None) -> date | None:
    """A form's date (YYYY-MM-DD), None when empty; ValueError when not a date."""
    text = (value or "").strip()
    return date.fromisoformat(text) if text else None


def clean(value: str | None, limit: int) -> str | None:
    """Trimmed text, None when empty; ValueError when longer than `limit`."""
    text = (value or "").strip()
    if len(text) > limit:
        raise ValueError(text)
    return text or None
