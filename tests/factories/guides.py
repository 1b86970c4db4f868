"""Factories for the guide archive. Each takes the tenant as a required keyword and binds
it itself."""

from __future__ import annotations

import secrets
import struct
import uuid
import zlib
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId, bind_tenant
from modules.guides import domain, service
from modules.guides.schemas import (
    CertificateForm,
    ComplaintForm,
    GuideData,
    GuideView,
    RatingForm,
)
from tenants.models import Tenant

TZ = "Asia/Shanghai"


def today() -> date:
    return domain.business_date(TZ)


def unique_licence() -> str:
    """A random D-5XXX-XXXXXX number (the registry is platform-wide, so two tests or two
    test processes must not pick the same one)."""
    return f"D-5{secrets.randbelow(1000):03d}-{secrets.randbelow(1_000_000):06d}"


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A real (tiny) PNG image."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def guide_data(**overrides: Any) -> GuideData:
    values: dict[str, Any] = {
        "licence_no": unique_licence(),
        "name": "李晓燕",
        "level": "intermediate",
        "languages": ["mandarin", "english"],
        "licence_valid_until": (today() + timedelta(days=400)).isoformat(),
        "affiliation": "重庆市导游服务中心",
        "phone": "13800138000",
    }
    values.update(overrides)
    return GuideData(**values)


async def make_guide(
    db: AsyncSession, *, tenant: Tenant, photo: bytes | None = None, **overrides: Any
) -> GuideView:
    await bind_tenant(db, tenant.id)
    view = await service.create_guide(
        db,
        TenantId(tenant.id),
        guide_data(**overrides),
        today=today(),
        actor=service.SYSTEM,
        photo=photo,
    )
    await db.flush()  # the audit row, while this tenant is still bound
    return view


async def _guide(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_guide(db, tenant=tenant)).summary.id


async def _assignment(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    guide = await make_guide(db, tenant=tenant)
    start = today() + timedelta(days=10)
    view = await service.assign_to_group(
        db,
        TenantId(tenant.id),
        guide.summary.id,
        group_id=uuid.uuid4(),
        group_no="CQ-TEST-001",
        from_date=start,
        to_date=start + timedelta(days=2),
    )
    return view.id


async def _certificate(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    guide = await make_guide(db, tenant=tenant)
    view = await service.add_certificate(
        db,
        TenantId(tenant.id),
        guide.summary.id,
        CertificateForm(kind="qualification", number="ZG-2019-0001"),
        filename="资格证.pdf",
        data=PDF,
        actor=service.SYSTEM,
    )
    return view.id


async def _rating(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    guide = await make_guide(db, tenant=tenant)
    view = await service.add_rating(
        db,
        TenantId(tenant.id),
        guide.summary.id,
        RatingForm(score="5", comment="讲解生动", source="survey"),
        today=today(),
        actor=service.SYSTEM,
    )
    return view.id


async def _complaint(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    guide = await make_guide(db, tenant=tenant)
    view = await service.add_complaint(
        db,
        TenantId(tenant.id),
        guide.summary.id,
        ComplaintForm(description="迟到半小时", group_no="CQ-TEST-001"),
        today=today(),
        actor=service.SYSTEM,
    )
    return view.id


TABLE_FACTORIES: dict[str, Any] = {
    "guides": _guide,
    "guide_assignments": _assignment,
    "guide_certificates": _certificate,
    "guide_ratings": _rating,
    "guide_complaints": _complaint,
}
