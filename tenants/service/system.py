"""The console's system pages (the outbox, background jobs) and periodic clean-up of
credentials that can no longer be used.

Staff see only what their own enterprise caused: messages through row-level security
and the repository's tenant filter, jobs through `app.jobs.service`, which checks that
the job's arguments name the tenant (procrastinate's table has neither `tenant_id` nor
row-level security).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.support import LazyProxy
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.i18n import gettext, lazy_gettext
from app.jobs import service as jobs
from app.jobs.repository import JobRow
from app.notifications import service as outbox
from app.notifications.models import OutboundMessage
from tenants.repository_system import ExpiredCredentials, delete_operator_sessions
from tenants.service.audit import record_audit
from tenants.service.auth import prune_login_attempts

__all__ = [
    "SYSTEM_ROLES",
    "JobView",
    "JobsPage",
    "MessageView",
    "jobs_page",
    "message_detail",
    "messages_page",
    "purge_expired_credentials",
    "purge_global_credentials",
    "resend_message",
    "retry_job",
]

# Who may open the system pages and retry or resend (owners always may).
SYSTEM_ROLES = frozenset({"manager"})
# Sessions and one-time tokens are kept a week after they stop working (who was signed
# in from where, when), then deleted.
CREDENTIAL_GRACE = timedelta(days=7)
LOGIN_ATTEMPTS_KEPT = timedelta(days=30)

TRANSLATED_ERRORS = frozenset({outbox.STUCK_REASON})

TASK_LABELS: dict[str, LazyProxy] = {
    "notifications.send": lazy_gettext("Send a message"),
    "distribution.settle": lazy_gettext("Settle distribution statements"),
}


@dataclass(frozen=True, slots=True)
class JobView:
    id: int
    task: str
    label: str | LazyProxy
    status: str
    attempts: int
    scheduled_at: datetime | None
    queued_at: datetime | None
    changed_at: datetime | None
    details: list[tuple[str, Any]]
    message_id: str | None


@dataclass(frozen=True, slots=True)
class JobsPage:
    failed: list[JobView]
    pending: list[JobView]
    failed_total: int
    pending_total: int


@dataclass(frozen=True, slots=True)
class MessageView:
    message: OutboundMessage
    sensitive: bool

    @property
    def error(self) -> str | None:
        """The last error: our own reasons are msgids (translated), servers' replies are
        shown as they came."""
        error = self.message.last_error
        return gettext(error) if error in TRANSLATED_ERRORS else error


def _job_view(row: JobRow) -> JobView:
    details = [(k, v) for k, v in sorted(row.args.items()) if k != "tenant_id"]
    message_id = row.args.get("message_id") if row.task_name == "notifications.send" else None
    return JobView(
        id=row.id,
        task=row.task_name,
        label=TASK_LABELS.get(row.task_name, row.task_name),
        status=row.status,
        attempts=row.attempts,
        scheduled_at=row.scheduled_at,
        queued_at=row.queued_at,
        changed_at=row.changed_at,
        details=details,
        message_id=str(message_id) if message_id else None,
    )


async def jobs_page(db: AsyncSession, tenant_id: TenantId) -> JobsPage:
    """The tenant's dead-lettered and waiting jobs, for the Background jobs page."""
    overview = await jobs.job_overview(db, tenant_id)
    return JobsPage(
        failed=[_job_view(r) for r in overview.failed],
        pending=[_job_view(r) for r in overview.pending],
        failed_total=overview.failed_total,
        pending_total=overview.pending_total,
    )


async def retry_job(
    db: AsyncSession,
    tenant_id: TenantId,
    job_id: int,
    *,
    actor_user_id: uuid.UUID | None,
    ip: str | None = None,
) -> JobView:
    """Retry a dead-lettered job of this tenant (another tenant's job answers NotFound),
    and record who did it in the audit log."""
    row = await jobs.retry_tenant_job(db, tenant_id, job_id)
    await record_audit(
        db,
        tenant_id,
        "jobs.retried",
        actor_user_id=actor_user_id,
        subject_type="job",
        subject_id=str(job_id),
        data={"task": row.task_name},
        ip=ip,
    )
    return _job_view(row)


async def messages_page(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    channel: str | None = None,
    status: str | None = None,
    page: int = 1,
) -> outbox.MessagePage:
    return await outbox.list_messages(db, tenant_id, channel=channel, status=status, page=page)


async def message_detail(
    db: AsyncSession, tenant_id: TenantId, message_id: uuid.UUID
) -> MessageView:
    message = await outbox.get_message(db, tenant_id, message_id)
    return MessageView(message=message, sensitive=outbox.is_sensitive(message.purpose))


async def resend_message(
    db: AsyncSession,
    tenant_id: TenantId,
    message_id: uuid.UUID,
    *,
    actor_user_id: uuid.UUID | None,
    ip: str | None = None,
) -> None:
    """Queue a failed message again, and record who did it."""
    message = await outbox.resend_message(db, tenant_id, message_id)
    await record_audit(
        db,
        tenant_id,
        "notifications.resent",
        actor_user_id=actor_user_id,
        subject_type="outbound_message",
        subject_id=message.id,
        data={"channel": message.channel, "purpose": message.purpose},
        ip=ip,
    )


async def purge_expired_credentials(
    db: AsyncSession, tenant_id: TenantId, *, now: datetime | None = None
) -> int:
    """Delete the tenant's sessions and one-time tokens that stopped working more than
    CREDENTIAL_GRACE ago (a periodic job; the rows only cost space and index time)."""
    before = (now or clock.now()) - CREDENTIAL_GRACE
    repo = ExpiredCredentials(db, tenant_id)
    return await repo.delete_staff_sessions(before) + await repo.delete_account_tokens(before)


async def purge_global_credentials(db: AsyncSession, *, now: datetime | None = None) -> int:
    """Delete old sign-in attempts and dead operator sessions (global tables)."""
    before = (now or clock.now()) - CREDENTIAL_GRACE
    removed = await delete_operator_sessions(db, before)
    return removed + await prune_login_attempts(db, LOGIN_ATTEMPTS_KEPT)
