"""The public licence look-up (`/verify/guide`): a tourist types a licence number and sees
whether the guide in front of them holds a valid licence, and nothing private.

Which enterprise to ask comes from the global `guide_registry` (read before any tenant is
bound); what is shown is read from that enterprise's `guides` under row-level security."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.security.tokens import same
from modules.guides import domain
from modules.guides.repository import GuidesRepository, RegistryRepository
from modules.guides.schemas import Photo, PublicGuide

__all__ = ["public_guide", "public_photo", "registry_publisher"]


def public_photo_url(licence_no: str, token: str | None) -> str | None:
    return f"/verify/guide/{licence_no}/photo/{token}" if token else None


async def registry_publisher(db: AsyncSession, typed: str) -> uuid.UUID | None:
    """The enterprise that archives this licence (platform-wide table only), or None;
    malformed input never reaches the database."""
    licence = domain.normalize_licence(typed)
    if not domain.looks_like_licence(licence):
        return None
    return await RegistryRepository(db).publisher(licence)


async def public_guide(
    db: AsyncSession, tenant_id: TenantId, typed: str, *, today: date, agency_name: str
) -> PublicGuide | None:
    """Name, photo, level, languages and validity of an active guide; None otherwise (the
    page then answers exactly as for an unknown number)."""
    licence = domain.normalize_licence(typed)
    guide = await GuidesRepository(db, tenant_id).guide_by_licence(licence)
    if guide is None or guide.status != domain.GuideStatus.ACTIVE:
        return None
    return PublicGuide(
        licence_no=guide.licence_no,
        name=guide.name,
        level=guide.level,
        languages=tuple(guide.languages or ()),
        licence_valid_until=guide.licence_valid_until,
        valid_today=guide.licence_valid_until >= today,
        agency_name=agency_name,
        affiliation=guide.affiliation,
        photo_url=public_photo_url(guide.licence_no, guide.photo_token),
    )


async def public_photo(
    db: AsyncSession, tenant_id: TenantId, typed: str, token: str
) -> Photo | None:
    """The photo, only with the token the look-up page hands out: the photo URL cannot be
    used to probe licence numbers past the page's rate limit."""
    licence = domain.normalize_licence(typed)
    guide = await GuidesRepository(db, tenant_id).guide_by_licence(licence, with_photo=True)
    if guide is None or guide.status != domain.GuideStatus.ACTIVE or guide.photo is None:
        return None
    if not guide.photo_token or not same(guide.photo_token, token):
        return None
    return Photo(data=guide.photo, content_type=guide.photo_type or "", token=guide.photo_token)
