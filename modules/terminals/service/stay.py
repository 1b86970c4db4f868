"""What a terminal knows about its room: the stay checked in there now, and nothing else.

Everything is looked up from the device's own record under the bound tenant, never from
an identifier the request carries, so one room's terminal cannot reach another's stay."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from modules.frontdesk import service as frontdesk
from modules.reservations import service as reservations
from modules.terminals.repository import ContentRepository, DeviceRepository
from modules.terminals.schemas import HomeScreen, TerminalStay
from modules.terminals.service.news import has_itinerary

__all__ = ["device_unit", "home_screen", "terminal_stay"]


async def device_unit(
    db: AsyncSession, tenant_id: TenantId, device_id: uuid.UUID
) -> reservations.UnitView | None:
    """The room or cabin the (paired, not revoked) device hangs in."""
    device = await DeviceRepository(db, tenant_id).live_device(device_id)
    if device is None:
        return None
    units = await reservations.list_units(db, tenant_id)
    return next((u for u in units if u.id == device.unit_id), None)


async def terminal_stay(
    db: AsyncSession, tenant_id: TenantId, device_id: uuid.UUID
) -> TerminalStay | None:
    """The stay checked in to the device's room right now; None once the guest has
    checked out (so nothing of a departed guest can be shown or charged)."""
    device = await DeviceRepository(db, tenant_id).live_device(device_id)
    if device is None:
        return None
    stay = await frontdesk.current_stay_for_unit(db, tenant_id, device.unit_id)
    if stay is None:
        return None
    r = await reservations.get_reservation(db, tenant_id, stay.reservation_id)
    return TerminalStay(
        stay_id=stay.id,
        reservation_id=stay.reservation_id,
        unit_id=stay.unit_id,
        unit_number=stay.unit_number,
        guest_name=stay.guest_name,
        arrival=r.arrival,
        departure=r.departure,
    )


async def home_screen(db: AsyncSession, tenant_id: TenantId, device_id: uuid.UUID) -> HomeScreen:
    unit = await device_unit(db, tenant_id, device_id)
    stay = await terminal_stay(db, tenant_id, device_id)
    content = ContentRepository(db, tenant_id)
    voyage_id = unit.voyage_id if unit else None
    notices = await content.announcements(live_at=clock.now(), voyage_id=voyage_id)
    itinerary = await has_itinerary(db, tenant_id, voyage_id) if voyage_id else False
    return HomeScreen(
        stay=stay,
        unit_number=unit.number if unit else "",
        announcements=tuple(a.body for a in notices),
        has_itinerary=itinerary,
        counts={
            "pages": len(await content.pages(published_only=True)),
            "spots": len(await content.spots(published_only=True)),
            "videos": len(await content.videos(published_only=True)),
        },
    )
