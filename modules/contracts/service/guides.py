"""The guides a contract names, through the guides module's service.

Guarded: the contract keeps guide ids whatever happens, and prints and files the
guides' names and licence numbers when the guides module can tell them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId


@dataclass(frozen=True, slots=True)
class GuideChoice:
    id: uuid.UUID
    name: str
    licence_no: str
    licence_valid_until: date | None = None
    status: str = "active"


def _guides_service() -> Any:
    try:
        from modules.guides import service
    except ImportError:  # the guides module is not installed in this build
        return None
    return service if hasattr(service, "guides_by_ids") else None


async def guides_by_ids(
    db: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID]
) -> list[GuideChoice]:
    """The named guides (Invalid on field guide_ids for one this agency does not have)."""
    if not ids:
        return []
    service = _guides_service()
    if service is None:
        return [GuideChoice(i, "", "") for i in ids]
    found = await service.guides_by_ids(db, tenant_id, list(ids))
    return [GuideChoice(g.id, g.name, g.licence_no, g.licence_valid_until, g.status) for g in found]


async def guide_options(db: AsyncSession, tenant_id: TenantId) -> list[GuideChoice]:
    """The agency's active guides, for the draft form."""
    service = _guides_service()
    if service is None or not hasattr(service, "list_guides"):
        return []
    found = await service.list_guides(db, tenant_id)
    return [GuideChoice(g.id, g.name, g.licence_no, g.licence_valid_until) for g in found]


def guide_problem(guides: Sequence[GuideChoice], end: date | None) -> str | None:
    """Why a named guide cannot lead this trip (Art. 60 names the guide to the tourist:
    the licence must hold until the trip ends), else None."""
    for g in guides:
        if g.status != "active":
            return "A chosen guide has left the agency."
        if end is not None and g.licence_valid_until is not None and g.licence_valid_until < end:
            return "A chosen guide's licence expires before the trip ends."
    return None
