"""A signed-in person's own account: their password and their sessions.

Sessions are listed and ended within the current enterprise only; the password is the
person's across every enterprise they belong to.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.security.passwords import hash_password
from tenants.models import StaffSession, User
from tenants.repository import GlobalRepository
from tenants.repository_staff import StaffAccountRepository
from tenants.service.audit import record_audit
from tenants.service.auth import new_password_errors, verify_password_throttled

__all__ = [
    "AccountView",
    "account_overview",
    "change_password",
    "end_other_sessions",
    "end_session",
]


@dataclass(frozen=True, slots=True)
class AccountView:
    user: User
    sessions: Sequence[StaffSession]
    current_session_id: uuid.UUID | None


def _now() -> datetime:
    return clock.now()


async def _user(db: AsyncSession, user_id: uuid.UUID | None) -> User:
    user = await GlobalRepository(db).user(user_id) if user_id else None
    if user is None:
        raise NotFound()
    return user


async def account_overview(
    db: AsyncSession, tenant_id: TenantId, user_id: uuid.UUID | None, session_id: uuid.UUID | None
) -> AccountView:
    user = await _user(db, user_id)
    sessions = await StaffAccountRepository(db, tenant_id).live_sessions(user.id, _now())
    return AccountView(user=user, sessions=sessions, current_session_id=session_id)


async def change_password(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    user_id: uuid.UUID | None,
    session_id: uuid.UUID | None,
    current_password: str,
    new_password: str,
    new_password_confirm: str,
    ip: str | None = None,
) -> None:
    """Change one's own password. The current password is required (a session left open
    on a shared front-desk computer must not be enough) and checked under the sign-in
    throttle; the person's other sessions here end, this one stays."""
    user = await _user(db, user_id)
    errors = new_password_errors(new_password, new_password_confirm, "new_password")
    if not await verify_password_throttled(db, user, current_password, ip):
        errors.insert(
            0,
            {
                "field": "current_password",
                "code": "invalid",
                "message": "The password is not correct.",
            },
        )
    if errors:
        raise Invalid(errors=errors)
    now = _now()
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    await StaffAccountRepository(db, tenant_id).revoke_sessions(user.id, now, except_id=session_id)
    await record_audit(
        db,
        tenant_id,
        "auth.password_changed",
        actor_user_id=user.id,
        subject_type="user",
        subject_id=user.id,
        ip=ip,
    )


async def end_session(
    db: AsyncSession,
    tenant_id: TenantId,
    session_id: uuid.UUID,
    *,
    user_id: uuid.UUID | None,
    ip: str | None = None,
) -> None:
    """Sign out one of one's own sessions (a lost phone, a forgotten front-desk PC).
    Someone else's session answers 404, as if it did not exist."""
    staff = StaffAccountRepository(db, tenant_id)
    session = await staff.get(StaffSession, session_id)
    if session is None or session.user_id != user_id:
        raise NotFound()
    await staff.revoke_session(session.id, _now())
    await record_audit(
        db,
        tenant_id,
        "auth.session_ended",
        actor_user_id=user_id,
        subject_type="staff_session",
        subject_id=session.id,
        ip=ip,
    )


async def end_other_sessions(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    user_id: uuid.UUID | None,
    current_session_id: uuid.UUID | None,
    ip: str | None = None,
) -> None:
    user = await _user(db, user_id)
    await StaffAccountRepository(db, tenant_id).revoke_sessions(
        user.id, _now(), except_id=current_session_id
    )
    await record_audit(db, tenant_id, "auth.signed_out_elsewhere", actor_user_id=user.id, ip=ip)
