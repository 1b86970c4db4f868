"""The payments module's demo data: every demo enterprise has its own connected account,
already onboarded, so the demo's guests can pay online.

The account ids start with `acct_ready_`: the development Stripe stand-in
(devtools/stripe_connect_standin.py) knows such an account as onboarded the first time it is
named, as the real Stripe would know an account completed in its dashboard."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.payments.connect import ConnectedAccount
from app.settings import get_settings
from modules.payments import service

READY_PREFIX = "acct_ready_"


async def seed_demo(db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]) -> None:
    """Every kind of enterprise takes online payments (rooms, cabins, day tickets)."""
    del kinds
    await service.record_account(
        db,
        tenant_id,
        ConnectedAccount(
            id=f"{READY_PREFIX}{tenant_id.hex[:16]}",
            type="standard",
            country=get_settings().stripe_connect_country.upper(),
            details_submitted=True,
            charges_enabled=True,
            payouts_enabled=True,
        ),
    )
