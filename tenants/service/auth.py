"""Staff sign-in, throttling, sessions and password rules.

A session is a random secret in a cookie (`<tenant_id>.<secret>`); the database keeps
only its SHA-256. Each sign-in makes a new session and revokes the one the browser
presented (rotation), so a session id planted before sign-in is worthless.

Throttling counts failed attempts in `login_attempts` per e-mail and per client address
inside a sliding window. Once over the limit, attempts are refused without looking at the
password, so guessing stops being possible, not merely slow.

Functions here that raise `Invalid` or `LoginThrottled` have already recorded the attempt,
kept although the request is refused and rolled back (`keep_on_refusal`).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId, bind_tenant, keep_on_refusal
from app.errors import Invalid, TooManyRequests
from app.security.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.security.tokens import digest, new_secret
from app.settings import get_settings
from tenants.context import split_tenant_token
from tenants.models import Membership, MembershipStatus, StaffSession, Tenant, TenantStatus, User
from tenants.repository import GlobalRepository
from tenants.repository_auth import LoginAttemptRepository
from tenants.repository_staff import StaffAccountRepository
from tenants.service.audit import record_audit

__all__ = [
    "BAD_CREDENTIALS",
    "LoginThrottled",
    "SignedIn",
    "new_password_errors",
    "normalize_email",
    "prune_login_attempts",
    "sign_in",
    "sign_out",
    "verify_password_throttled",
]

BAD_CREDENTIALS = "The enterprise, e-mail or password is not correct."
TENANT_SUSPENDED = "This enterprise's account is suspended. Please contact the platform operator."
# Many staff of one hotel may sign in from one office address: allow that address more.
IP_FAILURE_FACTOR = 4


class LoginThrottled(TooManyRequests):
    code = "login_throttled"


@dataclass(frozen=True, slots=True)
class SignedIn:
    cookie_value: str
    max_age: int
    tenant_id: TenantId
    user_id: uuid.UUID


def normalize_email(email: str) -> str:
    return email.strip().lower()[:254]


def _now() -> datetime:
    return clock.now()


async def _check_throttle(db: AsyncSession, email: str, ip: str | None) -> None:
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    limit = settings.login_max_failures
    attempts = LoginAttemptRepository(db)
    blocking = [await attempts.blocking_failure(email=email, limit=limit, window=window)]
    if ip:
        blocking.append(
            await attempts.blocking_failure(ip=ip, limit=limit * IP_FAILURE_FACTOR, window=window)
        )
    found = [at for at in blocking if at is not None]
    if found:
        wait = (max(found) + window - await attempts.now()).total_seconds()
        raise LoginThrottled(retry_after=max(1, math.ceil(wait)))


async def verify_password_throttled(
    db: AsyncSession, user: User, password: str, ip: str | None
) -> bool:
    """Check a signed-in or invited user's own password (changing it, joining another
    enterprise) under the same throttle as sign-in, so these forms cannot be used to
    guess it either."""
    email = normalize_email(user.email)
    await _check_throttle(db, email, ip)
    ok = verify_password(user.password_hash, password)
    if not ok:
        await keep_on_refusal(
            db, lambda session: LoginAttemptRepository(session).record(email, ip, succeeded=False)
        )
    return ok


async def _failed_sign_in(
    db: AsyncSession,
    tenant: Tenant | None,
    member: Membership | None,
    email: str,
    ip: str | None,
    reason: str,
) -> None:
    """Record the failure; the enterprise named (if it exists) sees it in its audit log.
    The reason only distinguishes its own staff, never whether the e-mail exists elsewhere.
    Kept although the sign-in is refused (`keep_on_refusal`)."""
    tenant_id = TenantId(tenant.id) if tenant is not None else None
    user_id = member.user_id if member is not None else None

    async def record(session: AsyncSession) -> None:
        await LoginAttemptRepository(session).record(email, ip, succeeded=False)
        if tenant_id is None:
            return
        await bind_tenant(session, tenant_id)
        await record_audit(
            session,
            tenant_id,
            "auth.sign_in_failed",
            subject_type="user" if user_id else None,
            subject_id=user_id,
            data={"email": email, "reason": reason},
            ip=ip,
        )

    await keep_on_refusal(db, record)


async def _revoke_presented(db: AsyncSession, cookie: str | None, tenant_id: TenantId) -> None:
    """Revoke the session the browser presented at sign-in, in whichever enterprise it was."""
    parsed = split_tenant_token(cookie)
    if parsed is None:
        return
    other = TenantId(parsed[0])
    if other != tenant_id:
        await bind_tenant(db, other)
    await StaffAccountRepository(db, other).revoke_by_token_hash(digest(parsed[1]), _now())
    if other != tenant_id:
        await bind_tenant(db, tenant_id)


async def sign_in(
    db: AsyncSession,
    *,
    tenant_slug: str,
    email: str,
    password: str,
    ip: str | None = None,
    user_agent: str | None = None,
    locale: str | None = None,
    presented_cookie: str | None = None,
) -> SignedIn:
    """Check the credentials within the enterprise and open a new session.

    Wrong enterprise, unknown e-mail and wrong password give the same answer, so the
    form cannot be used to find out who works where. Over the failure limit, the answer
    is `LoginThrottled` before the password is even looked at."""
    email = normalize_email(email)
    repo = GlobalRepository(db)
    tenant = await repo.tenant_by_slug(tenant_slug.strip().lower()[:40])
    user = await repo.user_by_email(email)
    member = None
    if tenant is not None and user is not None:
        await bind_tenant(db, tenant.id)
        member = await StaffAccountRepository(db, TenantId(tenant.id)).membership_for_user(user.id)
    if member is not None and member.status != MembershipStatus.ACTIVE:
        member = None
    try:
        await _check_throttle(db, email, ip)
    except LoginThrottled:
        await _failed_sign_in(db, tenant, member, email, ip, "throttled")
        raise
    if not verify_password(user.password_hash if user else None, password):
        await _failed_sign_in(
            db, tenant, member, email, ip, "bad_password" if member else "not_member"
        )
        raise Invalid(BAD_CREDENTIALS, code="bad_credentials")
    if tenant is None or user is None or member is None:
        await _failed_sign_in(db, tenant, member, email, ip, "not_member")
        raise Invalid(BAD_CREDENTIALS, code="bad_credentials")
    if tenant.status != TenantStatus.ACTIVE:
        await _failed_sign_in(db, tenant, member, email, ip, "tenant_suspended")
        raise Invalid(TENANT_SUSPENDED, code="tenant_suspended")
    return await _open_session(db, tenant, user, password, ip, user_agent, locale, presented_cookie)


async def _open_session(
    db: AsyncSession,
    tenant: Tenant,
    user: User,
    password: str,
    ip: str | None,
    user_agent: str | None,
    locale: str | None,
    presented_cookie: str | None,
) -> SignedIn:
    tenant_id = TenantId(tenant.id)
    await LoginAttemptRepository(db).record(normalize_email(user.email), ip, succeeded=True)
    await _revoke_presented(db, presented_cookie, tenant_id)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    ttl = timedelta(hours=get_settings().session_ttl_hours)
    secret = new_secret()
    StaffAccountRepository(db, tenant_id).add(
        StaffSession(
            user_id=user.id,
            token_hash=digest(secret),
            expires_at=_now() + ttl,
            ip=ip,
            user_agent=(user_agent or "")[:500] or None,
            locale=locale,
        )
    )
    await record_audit(db, tenant_id, "auth.signed_in", actor_user_id=user.id, ip=ip)
    return SignedIn(
        cookie_value=f"{tenant.id}.{secret}",
        max_age=int(ttl.total_seconds()),
        tenant_id=tenant_id,
        user_id=user.id,
    )


async def sign_out(
    db: AsyncSession,
    tenant_id: TenantId,
    session_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    ip: str | None = None,
) -> None:
    if session_id is not None:
        await StaffAccountRepository(db, tenant_id).revoke_session(session_id, _now())
    await record_audit(db, tenant_id, "auth.signed_out", actor_user_id=user_id, ip=ip)


async def prune_login_attempts(db: AsyncSession, older_than: timedelta = timedelta(days=30)) -> int:
    """Delete sign-in attempts older than any throttling window (for a periodic job)."""
    return await LoginAttemptRepository(db).prune(older_than)


def new_password_errors(password: str, confirm: str, field: str) -> list[dict[str, str]]:
    problem = password_problem(password)
    if problem:
        return [{"field": field, "code": "weak_password", "message": problem}]
    if password != confirm:
        return [
            {
                "field": f"{field}_confirm",
                "code": "mismatch",
                "message": "The two passwords do not match.",
            }
        ]
    return []
