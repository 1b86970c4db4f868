"""Who may call the guide archive's routes."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.security.access import Role, Staff, TenantLookup
from modules.guides import service

# The archive: guides, their certificates, ratings and complaints.
GUIDES = Staff(Role.MANAGER, Role.AGENT)
# Closing a complaint is a manager's call.
RESOLVE = Staff(Role.MANAGER)


async def licence_publisher(db: AsyncSession, request: Request[Any, Any, Any]) -> uuid.UUID | None:
    """The enterprise archiving the licence in the query or path (registry table only)."""
    typed = request.path_params.get("licence") or request.query_params.get("licence") or ""
    return await service.registry_publisher(db, typed)


# The public licence look-up: the enterprise is found from the typed licence number.
VERIFY = TenantLookup(licence_publisher)
