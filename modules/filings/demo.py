"""Demo enterprises filing out of the box (`make run`, never production).

`seed_demo_bureau` registers one demo enterprise for bureau filing (a secret derived
from SECRET_KEY and its code, stored encrypted like any other) and files its last
statistics reports (a cruise line's voyage report comes from the boarding demo, a
hot-spring resort's monthly report from the key-tag demo's visits), so
that the Bureau filings page shows receipts once the worker has sent them to the
stand-in. `register_with_stand_in` tells the running stand-in
(`zhilv bureau-sim`) about the same enterprises. Both are idempotent: a second start
changes nothing and files nothing twice.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.settings import Settings
from modules.filings import service
from modules.filings.repository import RegistrationRepository

log = logging.getLogger("zhilv.filings")


@dataclass(frozen=True, slots=True)
class DemoRegistration:
    enterprise_code: str
    filing_secret: str
    created: bool


def demo_secret(settings: Settings, enterprise_code: str) -> str:
    """Stable across restarts (so a stand-in that lost its state can be told again)."""
    key = settings.secret_key.encode()
    return hmac.new(key, f"demo-bureau:{enterprise_code}".encode(), hashlib.sha256).hexdigest()


def _months_back(today: date, n: int) -> str:
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"


def _hotel(period: str, scale: int) -> dict[str, Any]:
    rooms, available = 120 * scale, 3600 * scale
    sold = available * 3 // 4
    revenue = sold * 45800
    return {
        "report_type": "hotel_monthly",
        "period": period,
        "figures": {
            "rooms": rooms, "room_nights_available": available, "room_nights_sold": sold,
            "occupancy_bp": sold * 10000 // available, "adr_fen": 45800,
            "revpar_fen": revenue // available, "room_revenue_fen": revenue,
            "fnb_revenue_fen": revenue // 5, "other_revenue_fen": revenue // 40,
            "guests_domestic": sold * 9 // 10, "guests_foreign": sold // 25,
            "guest_nights": sold * 13 // 10,
        },
        "breakdown": {"guests_by_source": {"50": {"guests": sold // 2, "guest_nights": sold // 2}}},
    }  # fmt: skip


def _agency(today: date) -> dict[str, Any]:
    quarter = (today.month - 1) // 3  # the last complete quarter
    year = today.year if quarter else today.year - 1
    return {
        "report_type": "agency_quarterly",
        "period": f"{year}-Q{quarter or 4}",
        "figures": {
            "contracts_signed": 412, "tourists_organised": 1630,
            "tourist_person_days_organised": 5890, "tourists_received": 2240,
            "tourist_person_days_received": 6120, "outbound_tourists": 95,
            "revenue_fen": 583000000,
        },
    }  # fmt: skip


def demo_reports(kinds: Sequence[str], today: date) -> list[dict[str, Any]]:
    """The statistics a demo enterprise of these kinds files: its last two months or last
    quarter. A cruise line's voyage report and a hot-spring resort's monthly report are not
    invented here: the boarding demo files the real report of the demo voyage that arrived
    two days ago (boarding.service.report), computed from its manifest and gangway scans,
    and the key-tag demo files the resort's month from its visits, tags and charges
    (keytags.service.report)."""
    reports: list[dict[str, Any]] = []
    for kind in kinds:
        if kind == "hotel":
            reports += [_hotel(_months_back(today, n), 1) for n in (2, 1)]
        elif kind == "agency":
            reports.append(_agency(today))
    return reports


async def seed_demo_bureau(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    kinds: Sequence[str],
    enterprise_code: str,
    district_code: str,
    settings: Settings,
) -> DemoRegistration:
    """Register the demo enterprise for bureau filing and file its statistics, unless it
    is registered already. Call in the demo seed's transaction, with the tenant bound."""
    secret = demo_secret(settings, enterprise_code)
    if await RegistrationRepository(db, tenant_id).current() is not None:
        return DemoRegistration(enterprise_code, secret, created=False)
    await service.save_registration(
        db,
        tenant_id,
        settings,
        enterprise_code=enterprise_code,
        district_code=district_code,
        filing_secret=secret,
    )
    today = clock.today()
    for report in demo_reports(kinds, today):
        await service.file(db, tenant_id, "statistics", "demo_report", report["period"], report)
    return DemoRegistration(enterprise_code, secret, created=True)


def register_with_stand_in(bureau_url: str, registrations: Sequence[DemoRegistration]) -> bool:
    """Tell the running stand-in about the demo enterprises (`POST /_sim/enterprises`);
    False (and a warning) when it does not answer: filings then wait and retry."""
    try:
        with httpx.Client(base_url=bureau_url, timeout=5.0, trust_env=False) as http:
            for registration in registrations:
                response = http.post(
                    "/_sim/enterprises",
                    json={
                        "enterprise_code": registration.enterprise_code,
                        "filing_secret": registration.filing_secret,
                    },
                )
                response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning(
            "bureau stand-in at %s did not register the demo enterprises: %s", bureau_url, exc
        )
        return False
    return True
