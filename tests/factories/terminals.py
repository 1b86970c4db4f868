"""Factories for the terminals module. Each takes the tenant as a required keyword and
binds it itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.base import uuid7
from app.db.engine import TenantId, bind_tenant
from app.settings import get_settings
from modules.reservations import service as reservations
from modules.terminals import service
from modules.terminals.models import (
    Announcement,
    InfoPage,
    PairingAttempt,
    PortCall,
    ScenicSpot,
    SpotPhoto,
    Video,
)
from tenants.models import Tenant
from tests.factories.reservations import make_unit_type, make_voyage
from tests.factories.rows import add_row

# The smallest valid PNG (1x1, transparent).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000000000200015d0b2d9f0000000049454e44ae426082"
)


@dataclass
class Paired:
    device_id: uuid.UUID
    unit_id: uuid.UUID
    token: str  # the value of the zhilv_terminal cookie


async def a_unit(db: AsyncSession, *, tenant: Tenant) -> uuid.UUID:
    await bind_tenant(db, tenant.id)
    units = await reservations.list_units(db, TenantId(tenant.id))
    if units:
        return units[0].id
    await make_unit_type(db, tenant=tenant, units=2)
    return (await reservations.list_units(db, TenantId(tenant.id)))[0].id


async def make_device(
    db: AsyncSession, *, tenant: Tenant, unit_id: uuid.UUID | None = None, name: str = "客房平板"
) -> Paired:
    """A terminal registered for the unit and paired (its code typed), with its token."""
    unit_id = unit_id or await a_unit(db, tenant=tenant)
    tid = TenantId(tenant.id)
    await bind_tenant(db, tenant.id)
    code = await service.register_device(db, tid, name=name, unit_id=unit_id)
    paired = await service.pair(db, tid, code.code, ip=None)
    await db.flush()  # the audit rows, while this tenant is bound
    return Paired(paired.device_id, unit_id, paired.token)


def use_terminal(client: Any, paired: Paired | str) -> None:
    """Make the test client that terminal (replacing any device cookie it holds, also
    one renewed by the home screen under the server's domain)."""
    client.cookies.delete("zhilv_terminal")
    client.cookies.set("zhilv_terminal", paired if isinstance(paired, str) else paired.token)


async def _device(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_device(db, tenant=tenant)).device_id


async def _add(db: AsyncSession, tenant: Tenant, row: Any) -> uuid.UUID:
    return uuid.UUID(str((await add_row(db, tenant, row)).id))


async def _attempt(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return await _add(db, tenant, PairingAttempt(ip="203.0.113.9", succeeded=False))


async def _page(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    page = InfoPage(
        title="无线网络", body="Wi-Fi：Hotel-Guest", category="wifi", sort_order=1, published=True
    )
    return await _add(db, tenant, page)


async def make_spot(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> uuid.UUID:
    data: dict[str, Any] = {
        "name": "洪崖洞",
        "description": "吊脚楼群，夜景最美。",
        "opening_hours": "全天开放",
        "ticket_fen": 0,
        "distance_m": 1800,
        "sort_order": 1,
        "published": True,
    }
    return await _add(db, tenant, ScenicSpot(**{**data, **overrides}))


async def _spot(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return await make_spot(db, tenant=tenant)


async def _photo(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    spot_id = await make_spot(db, tenant=tenant)
    return await _add(db, tenant, SpotPhoto(spot_id=spot_id, content_type="image/png", data=PNG))


# The first bytes of an MP4 (an `ftyp` box) and some payload: enough for range tests.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 4


async def make_video(
    db: AsyncSession, *, tenant: Tenant, data: bytes = MP4, **overrides: Any
) -> uuid.UUID:
    """A published video whose file really is in the media directory (with a poster)."""
    video_id = uuid7()
    root = service.media_root(get_settings())
    path = root / str(tenant.id) / f"{video_id}.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    fields: dict[str, Any] = {
        "id": video_id,
        "title": "山城夜景",
        "description": "",
        "content_type": "video/mp4",
        "storage_key": f"{tenant.id}/{path.name}",
        "size_bytes": len(data),
        "sort_order": 0,
        "published": True,
        "poster_type": "image/png",
        "poster": PNG,
    }
    return await _add(db, tenant, Video(**{**fields, **overrides}))


async def _video(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return await make_video(db, tenant=tenant)


async def make_announcement(
    db: AsyncSession, *, tenant: Tenant, body: str = "今晚 20:00 游轮抵达丰都", **overrides: Any
) -> uuid.UUID:
    now = clock.now()
    data: dict[str, Any] = {
        "body": body,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(hours=5),
    }
    return await _add(db, tenant, Announcement(**{**data, **overrides}))


async def _announcement(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return await make_announcement(db, tenant=tenant)


async def _port_call(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    voyage = await make_voyage(db, tenant=tenant)
    call = PortCall(
        voyage_id=voyage.id,
        day_no=2,
        port="丰都",
        arrive_time=time(8, 0),
        depart_time=time(11, 0),
        activity="上岸游览鬼城",
    )
    return await _add(db, tenant, call)


TABLE_FACTORIES = {
    "terminal_devices": _device,
    "terminal_pairing_attempts": _attempt,
    "terminal_pages": _page,
    "terminal_spots": _spot,
    "terminal_spot_photos": _photo,
    "terminal_videos": _video,
    "terminal_announcements": _announcement,
    "terminal_port_calls": _port_call,
}
