"""The audit log: append-only, per tenant. Modules call `record_audit` for every money
or filing action, in the same transaction as the action."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from tenants.models import AuditEvent

__all__ = ["record_audit"]


async def record_audit(
    db: AsyncSession,
    tenant_id: TenantId,
    action: str,
    *,
    actor_user_id: uuid.UUID | None = None,
    actor_api_key_id: uuid.UUID | None = None,
    subject_type: str | None = None,
    subject_id: uuid.UUID | str | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """Write one audit event. Never updated or deleted (a trigger refuses it)."""
    db.add(
        AuditEvent(
            tenant_id=tenant_id,
            action=action,
            actor_user_id=actor_user_id,
            actor_api_key_id=actor_api_key_id,
            subject_type=subject_type,
            subject_id=str(subject_id) if subject_id is not None else None,
            data=data or {},
            ip=ip,
            created_at=clock.now(),  # the app's clock, which the page's date filter uses
        )
    )
