"""All SQL of the notification outbox, always filtered by the tenant it was built for
(row-level security is the second lock)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.notifications.models import OutboundMessage

# procrastinate's job table, read only to see whether a message still has a send job
# waiting (it has no model: its schema belongs to procrastinate).
_NO_JOB_WAITING = text(
    "NOT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.task_name = 'notifications.send' "
    "AND j.args->>'tenant_id' = CAST(outbound_messages.tenant_id AS text) "
    "AND j.args->>'message_id' = CAST(outbound_messages.id AS text) "
    "AND j.status IN ('todo', 'doing'))"
)


class OutboxRepository:
    def __init__(self, db: AsyncSession, tenant_id: TenantId) -> None:
        self.db = db
        self.tenant_id = tenant_id

    def _scoped(self) -> Select[tuple[OutboundMessage]]:
        return select(OutboundMessage).where(OutboundMessage.tenant_id == self.tenant_id)

    async def get(self, message_id: uuid.UUID) -> OutboundMessage | None:
        stmt = self._scoped().where(OutboundMessage.id == message_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def lock(self, message_id: uuid.UUID) -> OutboundMessage | None:
        """The message, locked until the transaction ends, so two runs of the same send
        job (a retry racing a slow first run) cannot both deliver it."""
        stmt = self._scoped().where(OutboundMessage.id == message_id).with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def page(
        self, *, channel: str | None, status: str | None, limit: int, offset: int
    ) -> Sequence[OutboundMessage]:
        stmt = self._scoped()
        if channel:
            stmt = stmt.where(OutboundMessage.channel == channel)
        if status:
            stmt = stmt.where(OutboundMessage.status == status)
        stmt = stmt.order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
        return (await self.db.execute(stmt.limit(limit).offset(offset))).scalars().all()

    async def counts_by_status(self) -> dict[str, int]:
        stmt = (
            select(OutboundMessage.status, func.count())
            .where(OutboundMessage.tenant_id == self.tenant_id)
            .group_by(OutboundMessage.status)
        )
        return {status: n for status, n in (await self.db.execute(stmt)).tuples()}

    async def mark_stuck(self, *, created_before: datetime, reason: str) -> list[uuid.UUID]:
        """Pending messages older than `created_before` that no send job will ever pick up
        (the job was deleted, or gave up on an unexpected error) become `failed`."""
        stmt = (
            update(OutboundMessage)
            .where(
                OutboundMessage.tenant_id == self.tenant_id,
                OutboundMessage.status == "pending",
                OutboundMessage.created_at < created_before,
                _NO_JOB_WAITING,
            )
            .values(status="failed", last_error=reason)
            .returning(OutboundMessage.id)
        )
        return list((await self.db.execute(stmt)).scalars().all())
