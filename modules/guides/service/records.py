"""A guide's record: qualification certificates (uploaded files), ratings from tourists
and complaints, with the groups led; what the guide page shows."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.guides import domain
from modules.guides.models import GuideCertificate, GuideComplaint, GuideRating
from modules.guides.repository import GuidesRepository
from modules.guides.schemas import (
    CertificateForm,
    CertificateView,
    ComplaintForm,
    ComplaintView,
    Download,
    GuideRecord,
    RatingForm,
    RatingView,
)
from modules.guides.service.assignments import assignments_for_guide
from modules.guides.service.views import (
    Actor,
    certificate_view,
    clean,
    complaint_view,
    guide_view,
    parse_date,
    rating_view,
)
from tenants.service import record_audit

__all__ = [
    "add_certificate",
    "add_complaint",
    "add_rating",
    "certificate_download",
    "delete_certificate",
    "guide_record",
    "resolve_complaint",
]


async def _guide_exists(repo: GuidesRepository, guide_id: uuid.UUID) -> None:
    if await repo.guide(guide_id) is None:
        raise NotFound()


def _date_field(value: str, name: str, errors: list[dict[str, str]]) -> date | None:
    try:
        return parse_date(value)
    except ValueError:
        errors.append({"field": name, "code": "invalid", "message": _("Enter a valid date.")})
        return None


def _certificate_fields(form: CertificateForm) -> dict[str, object]:
    errors: list[dict[str, str]] = []
    if form.kind not in domain.CERTIFICATE_KINDS:
        errors.append({"field": "kind", "code": "invalid", "message": _("Choose a type.")})
    issued = _date_field(form.issued_on, "issued_on", errors)
    expires = _date_field(form.expires_on, "expires_on", errors)
    if issued and expires and expires < issued:
        message = _("A certificate cannot expire before it is issued.")
        errors.append({"field": "expires_on", "code": "invalid", "message": message})
    try:
        number = clean(form.number, 60)
    except ValueError:
        number = None
        errors.append({"field": "number", "code": "too_long", "message": _("This is too long.")})
    if errors:
        raise Invalid(errors=errors)
    return {"kind": form.kind, "number": number, "issued_on": issued, "expires_on": expires}


def _file_type(data: bytes) -> str:
    """PDF, JPEG, PNG or WebP by the file's own first bytes, at most 5 MB."""
    if not data:
        raise Invalid.field("file", "Choose a file to upload.")
    content_type = domain.sniff(data)
    if content_type not in domain.DOCUMENT_TYPES:
        raise Invalid.field("file", "The file must be a PDF, JPEG, PNG or WebP.")
    if len(data) > domain.CERTIFICATE_MAX_BYTES:
        raise Invalid.field("file", "The file is larger than 5 MB.")
    return content_type


async def add_certificate(
    db: AsyncSession,
    tenant_id: TenantId,
    guide_id: uuid.UUID,
    form: CertificateForm,
    *,
    filename: str,
    data: bytes,
    actor: Actor,
) -> CertificateView:
    """Keep a scan of a certificate (资格证, language, first aid…) with its dates; the
    file's real type is taken from its bytes, never from its name."""
    repo = GuidesRepository(db, tenant_id)
    await _guide_exists(repo, guide_id)
    fields = _certificate_fields(form)
    content_type = _file_type(data)
    certificate = GuideCertificate(
        guide_id=guide_id,
        filename=domain.safe_filename(filename, content_type),
        content_type=content_type,
        size=len(data),
        data=data,
        uploaded_by=actor.user_id,
        **fields,
    )
    await repo.save(certificate)
    await _audit(db, tenant_id, "guide.certificate_added", guide_id, actor, certificate.id)
    return certificate_view(certificate)


async def certificate_download(
    db: AsyncSession, tenant_id: TenantId, certificate_id: uuid.UUID
) -> Download:
    found = await GuidesRepository(db, tenant_id).certificate(certificate_id, with_data=True)
    if found is None:
        raise NotFound()
    return Download(data=found.data, content_type=found.content_type, filename=found.filename)


async def delete_certificate(
    db: AsyncSession, tenant_id: TenantId, certificate_id: uuid.UUID, *, actor: Actor
) -> uuid.UUID:
    """Delete an uploaded certificate (a wrong file, a superseded scan); answers the
    guide's id."""
    repo = GuidesRepository(db, tenant_id)
    found = await repo.certificate(certificate_id)
    if found is None:
        raise NotFound()
    await repo.delete_certificate(found)
    await _audit(db, tenant_id, "guide.certificate_deleted", found.guide_id, actor, certificate_id)
    return found.guide_id


async def add_rating(
    db: AsyncSession,
    tenant_id: TenantId,
    guide_id: uuid.UUID,
    form: RatingForm,
    *,
    today: date,
    actor: Actor,
) -> RatingView:
    """A tourist's 1–5 rating as collected (feedback form, online, phone follow-up)."""
    repo = GuidesRepository(db, tenant_id)
    await _guide_exists(repo, guide_id)
    errors: list[dict[str, str]] = []
    score = int(form.score) if form.score.strip() in {"1", "2", "3", "4", "5"} else None
    if score is None:
        errors.append({"field": "score", "code": "invalid", "message": _("Choose 1 to 5 stars.")})
    if form.source not in domain.RATING_SOURCES:
        errors.append({"field": "source", "code": "invalid", "message": _("Choose a source.")})
    rated_on = _date_field(form.rated_on, "rated_on", errors) or today
    if rated_on > today:
        message = _("The date cannot be in the future.")
        errors.append({"field": "rated_on", "code": "invalid", "message": message})
    if errors or score is None:
        raise Invalid(errors=errors)
    rating = GuideRating(
        guide_id=guide_id,
        score=score,
        comment=(form.comment or "").strip()[:1000] or None,
        source=form.source,
        group_no=(form.group_no or "").strip()[:40] or None,
        rated_on=rated_on,
        recorded_by=actor.user_id,
    )
    await repo.save(rating)
    return rating_view(rating)


async def add_complaint(
    db: AsyncSession,
    tenant_id: TenantId,
    guide_id: uuid.UUID,
    form: ComplaintForm,
    *,
    today: date,
    actor: Actor,
) -> ComplaintView:
    repo = GuidesRepository(db, tenant_id)
    await _guide_exists(repo, guide_id)
    errors: list[dict[str, str]] = []
    description = (form.description or "").strip()
    if not description:
        message = _("Describe the complaint.")
        errors.append({"field": "description", "code": "required", "message": message})
    received_on = _date_field(form.received_on, "received_on", errors) or today
    if received_on > today:
        message = _("The date cannot be in the future.")
        errors.append({"field": "received_on", "code": "invalid", "message": message})
    if errors:
        raise Invalid(errors=errors)
    complaint = GuideComplaint(
        guide_id=guide_id,
        received_on=received_on,
        description=description[:4000],
        group_no=(form.group_no or "").strip()[:40] or None,
        status=domain.ComplaintStatus.OPEN,
        recorded_by=actor.user_id,
    )
    await repo.save(complaint)
    await _audit(db, tenant_id, "guide.complaint_recorded", guide_id, actor, complaint.id)
    return complaint_view(complaint)


async def resolve_complaint(
    db: AsyncSession,
    tenant_id: TenantId,
    guide_id: uuid.UUID,
    complaint_id: uuid.UUID,
    *,
    resolution: str,
    actor: Actor,
) -> ComplaintView:
    """Close a complaint with what was done about it (kept with the complaint)."""
    repo = GuidesRepository(db, tenant_id)
    complaint = await repo.complaint(guide_id, complaint_id, for_update=True)
    if complaint is None:
        raise NotFound()
    if complaint.status == domain.ComplaintStatus.RESOLVED:
        raise Conflict(_("This complaint is already resolved."))
    text = (resolution or "").strip()
    if not text:
        raise Invalid.field("resolution", "Say how the complaint was resolved.")
    complaint.status = domain.ComplaintStatus.RESOLVED
    complaint.resolution = text[:4000]
    complaint.resolved_at = clock.now()
    complaint.resolved_by = actor.user_id
    await repo.save(complaint)
    await _audit(db, tenant_id, "guide.complaint_resolved", guide_id, actor, complaint.id)
    return complaint_view(complaint)


async def guide_record(
    db: AsyncSession, tenant_id: TenantId, guide_id: uuid.UUID, *, today: date
) -> GuideRecord:
    """Everything the guide page shows: the card, groups led, certificates, ratings with
    their average, complaints."""
    repo = GuidesRepository(db, tenant_id)
    guide = await repo.guide(guide_id)
    if guide is None:
        raise NotFound()
    ratings = [rating_view(r) for r in await repo.ratings(guide_id)]
    complaints = [complaint_view(c) for c in await repo.complaints(guide_id)]
    average = sum(r.score for r in ratings) / len(ratings) if ratings else None
    return GuideRecord(
        guide=guide_view(guide, today),
        assignments=tuple(await assignments_for_guide(db, tenant_id, guide_id)),
        certificates=tuple(certificate_view(c) for c in await repo.certificates(guide_id)),
        ratings=tuple(ratings),
        complaints=tuple(complaints),
        average_score=average,
        open_complaints=sum(1 for c in complaints if c.status == domain.ComplaintStatus.OPEN),
    )


async def _audit(
    db: AsyncSession,
    tenant_id: TenantId,
    action: str,
    guide_id: uuid.UUID,
    actor: Actor,
    item_id: uuid.UUID,
) -> None:
    await record_audit(
        db,
        tenant_id,
        action,
        actor_user_id=actor.user_id,
        subject_type="guide",
        subject_id=guide_id,
        data={"item_id": str(item_id)},
        ip=actor.ip,
    )
    await db.flush()  # while this tenant is bound (callers may bind another next)
