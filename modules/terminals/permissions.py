"""Who may call the terminals module's routes."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request

from app.security.access import Device, Role, Staff, TenantLookup, TenantPublic
from tenants.context import DEVICE_COOKIE, split_device_token

# Pairing, moving and revoking the terminals.
DEVICES = Staff(Role.MANAGER, Role.FRONT_DESK)
# What the terminals show: pages, spots, videos, announcements, the itinerary.
CONTENT = Staff(Role.MANAGER)
# The guest's pages on a paired terminal.
TERMINAL = Device()
# The pairing code screen of one enterprise.
PAIRING = TenantPublic()


async def tenant_of_cookie(db: Any, request: Request[Any, Any, Any]) -> uuid.UUID | None:
    """The tenant a (possibly stale) device cookie names; reads no table at all."""
    parsed = split_device_token(request.cookies.get(DEVICE_COOKIE))
    return parsed[0] if parsed else None


# Where an unpaired terminal lands: its enterprise, if the old cookie still says which.
UNPAIRED = TenantLookup(tenant_of_cookie)
