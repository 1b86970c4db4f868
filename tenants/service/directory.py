"""The platform's directory of enterprises, as another enterprise may see it: a supplier
looking for an agency to sign as its distributor sees names and slugs of active agencies,
nothing else (no staff, no settings)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.repository_platform import PlatformRepository

__all__ = ["DirectoryEntry", "enterprise_entry", "enterprise_names", "find_enterprises"]


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    id: uuid.UUID
    slug: str
    name: str


async def find_enterprises(
    db: AsyncSession, words: str, *, kind: str, exclude: uuid.UUID | None = None, limit: int = 20
) -> list[DirectoryEntry]:
    """Active enterprises of `kind` by slug prefix or part of the name (at least two
    characters, so the directory is searched, never listed)."""
    words = words.strip()
    if len(words) < 2:
        return []
    found = await PlatformRepository(db).find_tenants(
        words, kind=kind, exclude=exclude, limit=limit
    )
    return [DirectoryEntry(t.id, t.slug, t.name) for t in found]


async def enterprise_entry(
    db: AsyncSession, tenant_id: uuid.UUID, *, kind: str
) -> DirectoryEntry | None:
    """One active enterprise of `kind`, or None."""
    t = await PlatformRepository(db).tenant(tenant_id)
    if t is None or t.status != "active" or kind not in t.kinds:
        return None
    return DirectoryEntry(t.id, t.slug, t.name)


async def enterprise_names(db: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of enterprises (a distributor's suppliers, an agreement's parties)."""
    return await PlatformRepository(db).tenant_names(list(set(ids)))
