"""The platform operator console: people who run the Zhilv deployment (not any one
enterprise) list the enterprises and suspend or reactivate them.

Suspension is a switch, not a deletion: `tenants.context` refuses every staff session
and API key of a suspended enterprise on the next request, and reactivation restores
them with all data intact. Each switch is written to the enterprise's own audit log, so
its owner can see who suspended it and why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId, bind_tenant, keep_on_refusal
from app.errors import Conflict, Invalid, NotFound, TooManyRequests
from app.security.passwords import hash_password, password_problem, verify_password
from app.security.tokens import digest, new_secret
from app.settings import get_settings
from tenants.models import OperatorSession, Tenant, TenantStatus, User
from tenants.repository_platform import PlatformRepository
from tenants.service.audit import record_audit

__all__ = [
    "BAD_OPERATOR_CREDENTIALS",
    "OperatorSignedIn",
    "TenantList",
    "TenantSummary",
    "create_operator",
    "list_tenants_for_operator",
    "operator_sign_in",
    "operator_sign_out",
    "reactivate_tenant",
    "suspend_tenant",
    "tenant_exists",
    "tenant_for_operator",
    "tenant_id_by_slug",
]

BAD_OPERATOR_CREDENTIALS = "The e-mail or password is not correct."
TENANTS_PER_PAGE = 50
REASON_MAX = 500
# Addresses are shared (an office behind one NAT), so they get more room than one account.
IP_FAILURE_FACTOR = 4


@dataclass(frozen=True, slots=True)
class OperatorSignedIn:
    cookie_value: str
    max_age: int
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class TenantSummary:
    id: uuid.UUID
    name: str
    slug: str
    kinds: tuple[str, ...]
    enterprise_code: str | None
    status: str
    staff: int
    created_at: datetime
    suspended_at: datetime | None
    suspended_reason: str | None


@dataclass(frozen=True, slots=True)
class TenantList:
    tenants: list[TenantSummary]
    page: int
    has_next: bool
    status: str | None


def _summary(tenant: Tenant, staff: int) -> TenantSummary:
    return TenantSummary(
        id=tenant.id,
        name=tenant.name,
        slug=tenant.slug,
        kinds=tuple(tenant.kinds),
        enterprise_code=tenant.enterprise_code,
        status=tenant.status,
        staff=staff,
        created_at=tenant.created_at,
        suspended_at=tenant.suspended_at,
        suspended_reason=tenant.suspended_reason,
    )


async def create_operator(
    db: AsyncSession, *, email: str, password: str, name: str = ""
) -> tuple[User, bool]:
    """Make someone a platform operator: a new account, or an existing user flagged
    (their password is left as it is). Returns the user and whether it was created."""
    repo = PlatformRepository(db)
    user = await repo.user_by_email(email)
    if user is not None:
        user.is_operator = True
        await db.flush()
        return user, False
    problem = password_problem(password)
    if problem:
        raise Invalid.field("password", problem)
    if "@" not in email or len(email.strip()) > 254:
        raise Invalid.field("email", "Enter a valid e-mail address.")
    user = User(
        email=email.strip(),
        display_name=name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
        is_operator=True,
    )
    repo.add(user)
    await db.flush()
    return user, True


async def _throttle(repo: PlatformRepository, email: str, ip: str | None) -> None:
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    since = clock.now() - window
    limit = settings.login_max_failures
    if await repo.failures_for_email(email, since) >= limit or (
        ip is not None and await repo.failures_from_ip(ip, since) >= limit * IP_FAILURE_FACTOR
    ):
        raise TooManyRequests(retry_after=int(window.total_seconds()))


async def _failed_attempt(db: AsyncSession, email: str, ip: str | None) -> None:
    PlatformRepository(db).record_attempt(email, ip, succeeded=False)
    await db.flush()


async def operator_sign_in(
    db: AsyncSession, *, email: str, password: str, ip: str | None = None
) -> OperatorSignedIn:
    """Check an operator's credentials and open an operator session.

    A failure is recorded (kept although the request is refused) so that repeated
    guessing is throttled; a staff account that is not an operator gets the
    same answer as a wrong password."""
    repo = PlatformRepository(db)
    await _throttle(repo, email, ip)
    user = await repo.user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_operator:
        await keep_on_refusal(db, lambda session: _failed_attempt(session, email, ip))
        raise Invalid(BAD_OPERATOR_CREDENTIALS, code="bad_credentials")
    repo.record_attempt(email, ip, succeeded=True)
    ttl = timedelta(hours=get_settings().session_ttl_hours)
    secret = new_secret()
    repo.add(
        OperatorSession(user_id=user.id, token_hash=digest(secret), expires_at=clock.now() + ttl)
    )
    await db.flush()
    return OperatorSignedIn(cookie_value=secret, max_age=int(ttl.total_seconds()), user_id=user.id)


async def operator_sign_out(db: AsyncSession, session_id: uuid.UUID) -> None:
    await PlatformRepository(db).revoke_operator_session(session_id, clock.now())


async def list_tenants_for_operator(
    db: AsyncSession, *, page: int = 1, status: str | None = None
) -> TenantList:
    """Enterprises, newest first, with their number of active staff."""
    page = max(1, page)
    status = status if TenantStatus.parse(status) else None
    repo = PlatformRepository(db)
    tenants = await repo.tenants(
        limit=TENANTS_PER_PAGE + 1, offset=(page - 1) * TENANTS_PER_PAGE, status=status
    )
    shown = tenants[:TENANTS_PER_PAGE]
    counts = await repo.staff_counts([t.id for t in shown])
    return TenantList(
        tenants=[_summary(t, counts.get(t.id, 0)) for t in shown],
        page=page,
        has_next=len(tenants) > TENANTS_PER_PAGE,
        status=status,
    )


async def tenant_for_operator(db: AsyncSession, tenant_id: uuid.UUID) -> TenantSummary:
    repo = PlatformRepository(db)
    tenant = await repo.tenant(tenant_id)
    if tenant is None:
        raise NotFound()
    counts = await repo.staff_counts([tenant.id])
    return _summary(tenant, counts.get(tenant.id, 0))


async def tenant_exists(db: AsyncSession, slug: str) -> bool:
    return await tenant_id_by_slug(db, slug) is not None


async def tenant_id_by_slug(db: AsyncSession, slug: str) -> TenantId | None:
    tenant = await PlatformRepository(db).tenant_by_slug(slug)
    return TenantId(tenant.id) if tenant is not None else None


async def _audit_in_tenant(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    action: str,
    *,
    operator_id: uuid.UUID | None,
    data: dict[str, str],
    ip: str | None,
) -> None:
    """Write into the enterprise's own log: bind it for this insert, then unbind."""
    await bind_tenant(db, tenant_id)
    try:
        await record_audit(
            db,
            TenantId(tenant_id),
            action,
            actor_user_id=operator_id,
            subject_type="tenant",
            subject_id=tenant_id,
            data=data,
            ip=ip,
        )
        await db.flush()
    finally:
        await bind_tenant(db, None)


async def suspend_tenant(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    reason: str,
    operator_id: uuid.UUID | None = None,
    operator_email: str | None = None,
    ip: str | None = None,
) -> None:
    """Suspend an enterprise (unpaid, abuse, at its request). Its staff are signed out
    and its API keys refused from the next request; nothing is deleted."""
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Say why the enterprise is suspended.")
    if len(reason) > REASON_MAX:
        raise Invalid.field("reason", "Use at most 500 characters.")
    repo = PlatformRepository(db)
    tenant = await repo.tenant(tenant_id)
    if tenant is None:
        raise NotFound()
    if tenant.status == TenantStatus.SUSPENDED:
        raise Conflict("This enterprise is already suspended.", code="already_suspended")
    await repo.set_status(tenant_id, TenantStatus.SUSPENDED, at=clock.now(), reason=reason)
    await _audit_in_tenant(
        db,
        tenant_id,
        "tenant.suspended",
        operator_id=operator_id,
        data={"reason": reason, "operator": operator_email or ""},
        ip=ip,
    )


async def reactivate_tenant(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    operator_id: uuid.UUID | None = None,
    operator_email: str | None = None,
    ip: str | None = None,
) -> None:
    """Lift a suspension: staff can sign in again and the same API keys work again."""
    repo = PlatformRepository(db)
    tenant = await repo.tenant(tenant_id)
    if tenant is None:
        raise NotFound()
    if tenant.status == TenantStatus.ACTIVE:
        raise Conflict("This enterprise is active.", code="already_active")
    previous_reason = tenant.suspended_reason or ""
    await repo.set_status(tenant_id, "active", at=None, reason=None)
    await _audit_in_tenant(
        db,
        tenant_id,
        "tenant.reactivated",
        operator_id=operator_id,
        data={"operator": operator_email or "", "previous_reason": previous_reason},
        ip=ip,
    )
