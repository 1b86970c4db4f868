"""Reading the audit log: who did what, when, from where — read only.

Owners, managers and auditors use it to answer "who issued this key", "who changed the
settings", and later "who refunded this charge". Nothing here can change an event (the
table refuses UPDATE and DELETE)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from tenants.repository_apikeys import AuditRepository

__all__ = [
    "AUDIT_ACTIONS",
    "AUDIT_ROLES",
    "AuditEntry",
    "AuditFilter",
    "AuditPage",
    "audit_filter",
    "list_audit_events",
]

# Who may read the log in the console (owners always may).
AUDIT_ROLES = frozenset({"manager", "auditor"})

PAGE_SIZE = 50

# Known actions with a readable label (English msgids). Modules add theirs as they
# come; an unknown action is shown by its code.
AUDIT_ACTIONS: dict[str, str] = {
    "tenant.created": "Enterprise registered",
    "tenant.settings_changed": "Enterprise settings changed",
    "tenant.suspended": "Enterprise suspended by the platform",
    "tenant.reactivated": "Enterprise reactivated by the platform",
    "auth.signed_in": "Signed in to the console",
    "auth.signed_out": "Signed out of the console",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.session_ended": "Session ended",
    "auth.signed_out_elsewhere": "Signed out on other devices",
    "auth.password_reset_requested": "Password reset requested",
    "auth.password_reset": "Password reset",
    "auth.password_changed": "Password changed",
    "staff.added": "Staff member added",
    "staff.invited": "Staff member invited",
    "staff.joined": "Invitation accepted",
    "staff.role_changed": "Role changed",
    "staff.removed": "Staff member removed",
    "apikey.created": "API key created",
    "apikey.revoked": "API key revoked",
}


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def query(self, page: int) -> str:
        """The query string of this filter on another page (for the pager links)."""
        params = {
            "action": self.action,
            "actor": self.actor,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "page": str(page),
        }
        return urlencode({k: v for k, v in params.items() if v})


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: uuid.UUID
    created_at: datetime
    action: str
    label: str | None
    actor: str | None
    actor_detail: str | None
    subject_type: str | None
    subject_id: str | None
    data: dict[str, Any]
    ip: str | None

    @property
    def details(self) -> list[tuple[str, str]]:
        """The event's data as readable pairs (Chinese kept as is, not \\u-escaped)."""
        return [
            (k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in self.data.items()
        ]


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]
    filter: AuditFilter
    has_previous: bool
    has_next: bool


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value.strip()) if value and value.strip() else None


def audit_filter(
    *,
    action: str | None = None,
    actor: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    page: str | int | None = None,
) -> AuditFilter:
    """The filter from query parameters. A malformed date is reported, not fatal: the
    page still shows, without that bound."""
    errors: dict[str, str] = {}
    bounds: dict[str, date | None] = {}
    for name, raw in (("from", date_from), ("to", date_to)):
        try:
            bounds[name] = _parse_date(raw)
        except ValueError:
            bounds[name] = None
            errors[name] = "Enter a date as YYYY-MM-DD."
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    return AuditFilter(
        action=(action or "").strip()[:64],
        actor=(actor or "").strip()[:100],
        date_from=bounds["from"],
        date_to=bounds["to"],
        page=number,
        errors=errors,
    )


def _entry(row: Any) -> AuditEntry:
    event = row.AuditEvent
    actor = row.user_name or row.key_name
    detail = row.user_email if row.user_name else ("API key" if row.key_name else None)
    return AuditEntry(
        id=event.id,
        created_at=event.created_at,
        action=event.action,
        label=AUDIT_ACTIONS.get(event.action),
        actor=actor,
        actor_detail=detail,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        data=dict(event.data or {}),
        ip=str(event.ip) if event.ip else None,
    )


async def list_audit_events(
    db: AsyncSession, tenant_id: TenantId, flt: AuditFilter, *, timezone: str = clock.DEFAULT_TZ
) -> AuditPage:
    """One page of the log, newest first. Dates are whole days in the enterprise's time
    zone, both ends included."""
    tz = clock.zone(timezone)
    since = datetime.combine(flt.date_from, time.min, tz) if flt.date_from else None
    until = datetime.combine(flt.date_to + timedelta(days=1), time.min, tz) if flt.date_to else None
    rows = await AuditRepository(db, tenant_id).events(
        action_prefix=flt.action,
        actor=flt.actor,
        since=since,
        until=until,
        limit=PAGE_SIZE + 1,
        offset=(flt.page - 1) * PAGE_SIZE,
    )
    return AuditPage(
        entries=[_entry(row) for row in rows[:PAGE_SIZE]],
        filter=flt,
        has_previous=flt.page > 1,
        has_next=len(rows) > PAGE_SIZE,
    )
