"""The cabin terminal's itinerary from the voyage's port calls: registered with terminals as
an itinerary source, so a guest in a cabin sees the ports and times the purser runs the
voyage by (terminals knows nothing of boarding; boarding tells it, as it adds its passes tile)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from modules.boarding.repository.voyages import VoyagesRepository
from modules.boarding.schemas.voyages import PortCallView
from modules.boarding.service.voyages import port_call_view
from modules.terminals import service as terminals


async def terminal_stops(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> list[terminals.ItineraryStop] | None:
    """The voyage's port calls for the cabin terminal; None when boarding does not run it."""
    calls: list[PortCallView] = [
        port_call_view(c) for c in await VoyagesRepository(db, tenant_id).port_calls([voyage_id])
    ]
    if not calls:
        return None
    return [
        terminals.ItineraryStop(c.port_name, c.arrives_at, c.departs_at, c.activity) for c in calls
    ]


if terminal_stops not in terminals.ITINERARY_SOURCES:
    terminals.ITINERARY_SOURCES.append(terminal_stops)
