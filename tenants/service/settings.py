"""The enterprise's own settings, kept by its owner: name, credit code, address and phone
(printed on confirmations and receipts), language, time zone and the modules switched on
(which decide what the console shows)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.i18n import LOCALE_NAMES, LOCALES
from app.identifiers import normalize_uscc, uscc_problem
from tenants.models import Tenant
from tenants.repository_platform import PlatformRepository
from tenants.service.audit import record_audit
from tenants.service.provisioning import MODULES

__all__ = [
    "LOCALE_CHOICES",
    "TIMEZONES",
    "TenantSettings",
    "tenant_settings",
    "update_tenant_settings",
]

# Time zones offered: China's, and those of the neighbouring markets an enterprise may
# operate in. The stored value is an IANA name.
TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Urumqi",
    "Asia/Hong_Kong",
    "Asia/Macau",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Bangkok",
    "Europe/London",
    "UTC",
)
LOCALE_CHOICES = LOCALE_NAMES
ADDRESS_MAX = 200
# A phone as printed: digits with the usual separators, e.g. 023-6822 8888, +86 23 6822 8888.
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,38}[0-9]$", re.ASCII)


@dataclass(frozen=True, slots=True)
class TenantSettings:
    name: str
    enterprise_code: str
    locale: str
    timezone: str
    modules: tuple[str, ...]
    address: str = ""
    phone: str = ""

    @classmethod
    def of(cls, tenant: Tenant) -> TenantSettings:
        return cls(
            name=tenant.name,
            enterprise_code=tenant.enterprise_code or "",
            locale=tenant.locale,
            timezone=tenant.timezone,
            modules=tuple(m for m in MODULES if m in tenant.enabled_modules),
            address=tenant.address,
            phone=tenant.phone,
        )


async def _tenant(db: AsyncSession, tenant_id: TenantId) -> Tenant:
    tenant = await PlatformRepository(db).tenant(tenant_id)
    if tenant is None:
        raise NotFound()
    return tenant


async def tenant_settings(db: AsyncSession, tenant_id: TenantId) -> TenantSettings:
    return TenantSettings.of(await _tenant(db, tenant_id))


async def _validate(
    db: AsyncSession, tenant_id: TenantId, wanted: TenantSettings
) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str, code: str = "invalid") -> None:
        errors.append({"field": field, "code": code, "message": message})

    if not wanted.name:
        bad("name", "Enter the enterprise's name.")
    elif len(wanted.name) > 200:
        bad("name", "Use at most 200 characters.")
    if wanted.enterprise_code:
        problem = uscc_problem(wanted.enterprise_code)
        if problem:
            bad("enterprise_code", problem)
        else:
            holder = await PlatformRepository(db).enterprise_code_owner(wanted.enterprise_code)
            if holder is not None and holder != tenant_id:
                bad(
                    "enterprise_code",
                    "This credit code is already registered to another enterprise.",
                    "taken",
                )
    if len(wanted.address) > ADDRESS_MAX:
        bad("address", "Use at most 200 characters.")
    if wanted.phone and not PHONE_RE.match(wanted.phone):
        bad("phone", "Enter a phone number (digits, spaces, + - and brackets).")
    if wanted.locale not in LOCALES:
        bad("locale", "Choose a language from the list.")
    if wanted.timezone not in TIMEZONES:
        bad("timezone", "Choose a time zone from the list.")
    if any(m not in MODULES for m in wanted.modules):
        bad("modules", "Choose modules from the list.")
    return errors


async def update_tenant_settings(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    name: str,
    enterprise_code: str,
    locale: str,
    timezone: str,
    modules: tuple[str, ...] | list[str],
    address: str | None = None,
    phone: str | None = None,
    actor_user_id: uuid.UUID | None = None,
    ip: str | None = None,
) -> dict[str, Any]:
    """Save the settings; returns what changed (old and new), which is also audited.
    Nothing is written when nothing changed; an address or phone not given stays as it was."""
    code = normalize_uscc(enterprise_code) if enterprise_code.strip() else ""
    wanted = TenantSettings(
        name=name.strip(),
        enterprise_code=code,
        locale=locale,
        timezone=timezone,
        modules=tuple(m for m in MODULES if m in set(modules))
        + tuple(sorted(set(modules) - set(MODULES))),
    )
    tenant = await _tenant(db, tenant_id)
    before = TenantSettings.of(tenant)
    wanted = replace(
        wanted,
        address=before.address if address is None else " ".join(address.split()),
        phone=before.phone if phone is None else phone.strip(),
    )
    errors = await _validate(db, tenant_id, wanted)
    if errors:
        raise Invalid(errors=errors)
    changed = {
        field: [getattr(before, field), getattr(wanted, field)]
        for field in (
            "name",
            "enterprise_code",
            "address",
            "phone",
            "locale",
            "timezone",
            "modules",
        )
        if getattr(before, field) != getattr(wanted, field)
    }
    if not changed:
        return {}
    tenant.name = wanted.name
    tenant.enterprise_code = wanted.enterprise_code or None
    tenant.address = wanted.address
    tenant.phone = wanted.phone
    tenant.locale = wanted.locale
    tenant.timezone = wanted.timezone
    # Modules outside the catalogue (switched on by the platform) are kept.
    extra = [m for m in tenant.enabled_modules if m not in MODULES]
    tenant.enabled_modules = sorted({*wanted.modules, *extra})
    await db.flush()
    await record_audit(
        db,
        tenant_id,
        "tenant.settings_changed",
        actor_user_id=actor_user_id,
        subject_type="tenant",
        subject_id=tenant_id,
        data={"changed": changed},
        ip=ip,
    )
    return changed
