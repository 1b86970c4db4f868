"""Guides: the archive card (create, edit, photo), the lists other modules and the console
read, and the licence registry kept in step with each change."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.guides import domain
from modules.guides.models import Guide
from modules.guides.repository import GuidesRepository, RegistryRepository
from modules.guides.schemas import GuideData, GuideSummary, GuideView, Photo
from modules.guides.service.views import Actor, clean, guide_view, parse_date, summary
from tenants.service import record_audit

__all__ = [
    "GuideListRow",
    "LicenceTaken",
    "create_guide",
    "get_guide",
    "guide_photo",
    "guides_by_ids",
    "licences_due_count",
    "list_guides",
    "search_guides",
    "set_photo",
    "update_guide",
]

LICENCE_FIELD = "licence_no"
DUPLICATE = "A guide with this licence number is already in your archive."  # msgid


class LicenceTaken(Conflict):
    """Another enterprise archives this licence: one guide, one public record."""

    code = "licence_taken"
    message = (
        "This licence number is already archived by another enterprise. If the guide has "
        "joined you, that enterprise must first mark the guide as left."
    )

    def __init__(self) -> None:
        super().__init__(
            errors=[{"field": LICENCE_FIELD, "code": self.code, "message": self.message}]
        )


@dataclass(frozen=True, slots=True)
class GuideListRow:
    guide: GuideSummary
    licence_state: str  # valid | expiring | expired
    average_score: float | None


Errors = dict[str, tuple[str, str]]  # field -> (code, translated message)


def _licence(data: GuideData, errors: Errors) -> str:
    licence = domain.normalize_licence(data.licence_no)
    problem = domain.licence_problem(licence)
    if problem == "invalid":
        errors[LICENCE_FIELD] = (
            "invalid",
            _("Enter the guide licence number, for example D-5000-123456."),
        )
    elif problem == "unusual" and not data.accept_unusual_licence:
        errors[LICENCE_FIELD] = (
            "unusual",
            _(
                "This is not the usual D-XXXX-XXXXXX form. Check it, then tick the box to "
                "save it as typed."
            ),
        )
    return licence


def _choices(data: GuideData, errors: Errors) -> dict[str, Any]:
    languages = list(dict.fromkeys(data.languages))
    if not languages or any(code not in domain.LANGUAGES for code in languages):
        errors["languages"] = ("invalid", _("Choose the languages the guide works in."))
    if data.level not in domain.LEVELS:
        errors["level"] = ("invalid", _("Choose the guide's level."))
    if data.status not in domain.STATUSES:
        errors["status"] = ("invalid", _("Choose a status."))
    return {"level": data.level, "languages": languages, "status": data.status}


def _valid_until(data: GuideData, errors: Errors, today: date) -> date | None:
    try:
        valid_until = parse_date(data.licence_valid_until)
    except ValueError:
        valid_until = None
    if valid_until is None:
        errors["licence_valid_until"] = (
            "invalid",
            _("Enter the date the licence is valid until."),
        )
    elif valid_until > domain.latest_plausible_expiry(today):
        errors["licence_valid_until"] = (
            "invalid",
            _("A guide licence is valid for three years at most. Check the date."),
        )
    return valid_until


def _phone(raw: str, errors: Errors) -> str | None:
    typed = "".join((raw or "").split())
    if not typed:
        return None
    if domain.MOBILE_PATTERN.fullmatch(typed.replace("-", "")):
        return typed.replace("-", "")
    if domain.LANDLINE_PATTERN.fullmatch(typed):
        return typed
    errors["phone"] = (
        "invalid",
        _("Enter an 11-digit mobile number or a landline with its area code."),
    )
    return None


def _texts(data: GuideData, errors: Errors) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    limits = {"name": 50, "qualification_no": 40, "affiliation": 100, "notes": 2000}
    for name, limit in limits.items():
        try:
            found[name] = clean(getattr(data, name), limit)
        except ValueError:
            errors[name] = ("too_long", _("This is too long."))
    if "name" not in errors and not found.get("name"):
        errors["name"] = ("required", _("Enter the guide's name."))
    found["phone"] = _phone(data.phone, errors)
    return found


def _validated(data: GuideData, today: date) -> dict[str, Any]:
    """Every field checked at once, so the clerk sees all mistakes in one go."""
    errors: Errors = {}
    fields: dict[str, Any] = {"licence_no": _licence(data, errors)}
    fields |= _choices(data, errors)
    fields["licence_valid_until"] = _valid_until(data, errors, today)
    fields |= _texts(data, errors)
    if errors:
        found = [{"field": f, "code": c, "message": m} for f, (c, m) in errors.items()]
        raise Invalid(errors=found)
    return fields


async def _sync_registry(
    db: AsyncSession, tenant_id: TenantId, guide: Guide, old_licence: str | None, was_active: bool
) -> None:
    """The registry lists an enterprise's ACTIVE guides: a guide who left is released, so
    the next agency can archive them and the public look-up shows the new employer."""
    registry = RegistryRepository(db)
    if (
        was_active
        and old_licence
        and (old_licence != guide.licence_no or guide.status != domain.GuideStatus.ACTIVE)
    ):
        await registry.release(old_licence, tenant_id)
    if (
        guide.status == domain.GuideStatus.ACTIVE
        and await registry.claim(guide.licence_no, tenant_id) != tenant_id
    ):
        raise LicenceTaken()


async def _flush(repo: GuidesRepository, guide: Guide) -> None:
    try:
        async with repo.db.begin_nested():
            await repo.save(guide)
    except IntegrityError as exc:
        error = {"field": LICENCE_FIELD, "code": "duplicate", "message": DUPLICATE}
        raise Conflict(errors=[error]) from exc


async def create_guide(
    db: AsyncSession,
    tenant_id: TenantId,
    data: GuideData,
    *,
    today: date,
    actor: Actor,
    photo: bytes | None = None,
) -> GuideView:
    """Archive a guide; an active guide's licence is registered for the public look-up
    (refused when another enterprise already archives it)."""
    fields = _validated(data, today)
    repo = GuidesRepository(db, tenant_id)
    if await repo.guide_by_licence(fields["licence_no"]) is not None:
        raise Invalid.field(LICENCE_FIELD, DUPLICATE, code="duplicate")
    guide = Guide(**fields)
    if photo:
        _apply_photo(guide, photo)
    await _flush(repo, guide)
    await _sync_registry(db, tenant_id, guide, None, False)
    await _audit(db, tenant_id, "guide.created", guide, actor)
    return guide_view(guide, today)


async def update_guide(
    db: AsyncSession,
    tenant_id: TenantId,
    guide_id: uuid.UUID,
    data: GuideData,
    *,
    today: date,
    actor: Actor,
    photo: bytes | None = None,
) -> GuideView:
    """Edit the archive card. Marking a guide as left releases the licence in the
    registry (active group assignments stay: the groups module releases them)."""
    fields = _validated(data, today)
    repo = GuidesRepository(db, tenant_id)
    guide = await repo.guide(guide_id, for_update=True)
    if guide is None:
        raise NotFound()
    other = await repo.guide_by_licence(fields["licence_no"])
    if other is not None and other.id != guide.id:
        raise Invalid.field(LICENCE_FIELD, DUPLICATE, code="duplicate")
    old_licence, was_active = guide.licence_no, guide.status == domain.GuideStatus.ACTIVE
    for name, value in fields.items():
        setattr(guide, name, value)
    guide.updated_at = clock.now()
    if photo:
        _apply_photo(guide, photo)
    await _flush(repo, guide)
    await _sync_registry(db, tenant_id, guide, old_licence, was_active)
    await _audit(db, tenant_id, "guide.updated", guide, actor)
    return guide_view(guide, today)


def _apply_photo(guide: Guide, data: bytes) -> None:
    """Only a real JPEG, PNG or WebP (by its first bytes), at most 2 MB."""
    content_type = domain.sniff(data)
    if content_type not in domain.IMAGE_TYPES:
        raise Invalid.field("photo", "The photo must be a JPEG, PNG or WebP image.")
    if len(data) > domain.PHOTO_MAX_BYTES:
        raise Invalid.field("photo", "The photo is larger than 2 MB.")
    guide.photo = data
    guide.photo_type = content_type
    guide.photo_token = secrets.token_urlsafe(12)


async def set_photo(
    db: AsyncSession, tenant_id: TenantId, guide_id: uuid.UUID, data: bytes, *, actor: Actor
) -> GuideSummary:
    repo = GuidesRepository(db, tenant_id)
    guide = await repo.guide(guide_id, for_update=True)
    if guide is None:
        raise NotFound()
    if not data:
        raise Invalid.field("photo", "Choose a photo to upload.")
    _apply_photo(guide, data)
    guide.updated_at = clock.now()
    await repo.save(guide)
    await _audit(db, tenant_id, "guide.photo_changed", guide, actor)
    return summary(guide)


async def guide_photo(db: AsyncSession, tenant_id: TenantId, guide_id: uuid.UUID) -> Photo | None:
    """The guide's photo; None when the guide has none yet (NotFound for no guide)."""
    guide = await GuidesRepository(db, tenant_id).guide_photo(guide_id)
    if guide is None:
        raise NotFound()
    if guide.photo is None or guide.photo_type is None:
        return None
    return Photo(data=guide.photo, content_type=guide.photo_type, token=guide.photo_token or "")


async def get_guide(
    db: AsyncSession, tenant_id: TenantId, guide_id: uuid.UUID, *, today: date
) -> GuideView:
    guide = await GuidesRepository(db, tenant_id).guide(guide_id)
    if guide is None:
        raise NotFound()
    return guide_view(guide, today)


async def list_guides(
    db: AsyncSession, tenant_id: TenantId, *, active_only: bool = True
) -> list[GuideSummary]:
    """The agency's guides by name (contracts and groups offer them to choose from)."""
    rows = await GuidesRepository(db, tenant_id).guides(
        status=domain.GuideStatus.ACTIVE if active_only else None
    )
    return [summary(g) for g in rows]


async def guides_by_ids(
    db: AsyncSession, tenant_id: TenantId, ids: Iterable[uuid.UUID]
) -> list[GuideSummary]:
    """The guides named, in the order asked; an id this agency does not know is refused
    (a contract or group must never name another agency's guide)."""
    wanted = list(dict.fromkeys(ids))
    found = {g.id: g for g in await GuidesRepository(db, tenant_id).guides(ids=wanted)}
    if any(i not in found for i in wanted):
        raise Invalid.field("guide_ids", "A chosen guide is not in your archive.")
    return [summary(found[i]) for i in wanted]


async def search_guides(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    today: date,
    status: str | None = None,
    level: str | None = None,
    language: str | None = None,
    licence: str | None = None,
) -> list[GuideListRow]:
    """The console list. `licence`: "expired" or "expiring" (within 30 days)."""
    soon = today + timedelta(days=domain.EXPIRING_DAYS + 1)
    windows: dict[str, tuple[date, date | None]] = {
        domain.LicenceState.EXPIRED: (today, None),
        domain.LicenceState.EXPIRING: (soon, today),
    }
    before, since = windows.get(licence or "", (None, None))
    repo = GuidesRepository(db, tenant_id)
    rows = await repo.guides(
        status=status if status in domain.STATUSES else None,
        level=level if level in domain.LEVELS else None,
        language=language if language in domain.LANGUAGES else None,
        valid_until_before=before,
        valid_until_from=since,
    )
    averages = await repo.average_scores(g.id for g in rows)
    return [
        GuideListRow(
            guide=summary(g),
            licence_state=domain.licence_state(g.licence_valid_until, today),
            average_score=averages.get(g.id),
        )
        for g in rows
    ]


async def licences_due_count(db: AsyncSession, tenant_id: TenantId, *, today: date) -> int:
    """Active guides whose licence has expired or expires within 30 days (the badge)."""
    soon = today + timedelta(days=domain.EXPIRING_DAYS + 1)
    return await GuidesRepository(db, tenant_id).count_licences_due(soon)


async def _audit(
    db: AsyncSession, tenant_id: TenantId, action: str, guide: Guide, actor: Actor
) -> None:
    await record_audit(
        db,
        tenant_id,
        action,
        actor_user_id=actor.user_id,
        subject_type="guide",
        subject_id=guide.id,
        data={"licence_no": guide.licence_no, "status": guide.status},
        ip=actor.ip,
    )
    await db.flush()  # while this tenant is bound (callers may bind another next)
