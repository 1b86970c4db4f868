"""Factories of bureau filing: a tenant's registration, filings, attempts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.identifiers import make_uscc
from app.settings import get_settings
from modules.filings import service
from modules.filings.models import FilingAttempt
from tenants.models import Tenant

SECRET = "bureau-secret-0123456789-abcdefghijklmnop"  # 41 bytes


def enterprise_code_for(tenant: Tenant) -> str:
    """A valid credit code per tenant (from its id), as the bureau would have issued."""
    return make_uscc("500103", uuid.UUID(str(tenant.id)).hex[-8:].upper())


async def make_registration(
    db: AsyncSession,
    *,
    tenant: Tenant,
    secret: str = SECRET,
    district_code: str = "500103",
    enterprise_code: str | None = None,
) -> Any:
    await bind_tenant(db, tenant.id)
    registration = await service.save_registration(
        db,
        TenantId(tenant.id),
        get_settings(),
        enterprise_code=enterprise_code or enterprise_code_for(tenant),
        district_code=district_code,
        filing_secret=secret,
    )
    await db.flush()  # its audit event, while this tenant is bound
    return registration


def statistics_payload(period: str = "2026-10", **figures: int) -> dict[str, Any]:
    return {
        "report_type": "hotel_monthly",
        "period": period,
        "figures": {
            "rooms": 120,
            "room_nights_available": 3720,
            "room_nights_sold": 2790,
            "occupancy_bp": 7500,
            "adr_fen": 45800,
            "revpar_fen": 34350,
            "room_revenue_fen": 127782000,
            "fnb_revenue_fen": 23000000,
            "other_revenue_fen": 1500000,
            "guests_domestic": 4100,
            "guests_foreign": 160,
            "guest_nights": 5200,
            **figures,
        },
    }


async def make_filing(
    db: AsyncSession,
    *,
    tenant: Tenant,
    kind: str = "statistics",
    payload: dict[str, Any] | None = None,
    depends_on: uuid.UUID | None = None,
) -> uuid.UUID:
    await bind_tenant(db, tenant.id)
    return await service.file(
        db,
        TenantId(tenant.id),
        kind,
        "test_subject",
        uuid.uuid4().hex,
        payload
        or statistics_payload(f"20{uuid.uuid4().int % 90 + 10}-{uuid.uuid4().int % 12 + 1:02d}"),
        depends_on=depends_on,
    )


async def _registration_row(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    registration = await make_registration(db, tenant=tenant)
    return registration.id


async def _filing_row(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return await make_filing(db, tenant=tenant)


async def _attempt_row(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    filing_id = await make_filing(db, tenant=tenant)
    attempt = FilingAttempt(
        tenant_id=TenantId(tenant.id),
        filing_id=filing_id,
        number=1,
        started_at=clock.now(),
        latency_ms=12,
        status=503,
        outcome="busy",
    )
    db.add(attempt)
    await db.flush()
    return attempt.id


TABLE_FACTORIES = {
    "bureau_registrations": _registration_row,
    "filings": _filing_row,
    "filing_attempts": _attempt_row,
}
