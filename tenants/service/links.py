"""One-time links sent by e-mail (password reset, staff invitation), and password reset.

A link carries `<tenant_id>.<secret>`: the console binds the tenant from the first part
(`access="tenant_token"`), and only the secret's SHA-256 is stored. Each link works once
and expires; a newer link of the same purpose voids the older ones.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.notifications.service import queue_message
from app.security.passwords import hash_password
from app.security.tokens import digest, new_secret
from app.settings import get_settings
from tenants.context import LINK_NOT_VALID, split_tenant_token
from tenants.models import AccountToken, MembershipStatus, TenantStatus
from tenants.repository import GlobalRepository
from tenants.repository_auth import AccountTokenRepository, LoginAttemptRepository
from tenants.repository_staff import StaffAccountRepository
from tenants.service.audit import record_audit
from tenants.service.auth import new_password_errors, normalize_email

__all__ = [
    "PASSWORD_RESET",
    "LinkInvalid",
    "check_account_token",
    "issue_account_token",
    "password_reset_email",
    "redeem_account_token",
    "request_password_reset",
    "reset_link_email",
    "reset_password",
]

PASSWORD_RESET = "password_reset"  # noqa: S105 - a token purpose, not a secret
# A reset link may be asked for this many times per validity period, so the form
# cannot be used to flood someone's mailbox.
MAX_RESET_MAILS = 3


def _now() -> datetime:
    return clock.now()


class LinkInvalid(NotFound):
    """An e-mailed link that is unknown, used, expired or no longer applies: one answer."""

    code = "link_invalid"
    message = LINK_NOT_VALID


async def issue_account_token(
    db: AsyncSession, tenant_id: TenantId, user_id: uuid.UUID, purpose: str, ttl: timedelta
) -> str:
    """A new link token `<tenant_id>.<secret>`; only the secret's digest is stored."""
    secret = new_secret()
    AccountTokenRepository(db, tenant_id).add(
        AccountToken(
            user_id=user_id, purpose=purpose, token_hash=digest(secret), expires_at=_now() + ttl
        )
    )
    return f"{tenant_id}.{secret}"


async def check_account_token(
    db: AsyncSession, tenant_id: TenantId, token: str, purpose: str
) -> AccountToken:
    """The unused, unexpired token of this purpose, or `LinkInvalid`."""
    parsed = split_tenant_token(token)
    if parsed is None or parsed[0] != tenant_id:
        raise LinkInvalid()
    row = await AccountTokenRepository(db, tenant_id).find(digest(parsed[1]), purpose)
    if row is None or row.used_at is not None or row.expires_at <= _now():
        raise LinkInvalid()
    return row


async def redeem_account_token(db: AsyncSession, tenant_id: TenantId, row: AccountToken) -> None:
    """Spend the token; a concurrent second use loses here and gets `LinkInvalid`."""
    if not await AccountTokenRepository(db, tenant_id).claim(row.id, _now()):
        raise LinkInvalid()


# Password reset -------------------------------------------------------------------


def password_reset_email(tenant_name: str, email: str, link: str, minutes: int) -> tuple[str, str]:
    subject = _("Reset your Zhilv password")
    body = _(
        "Someone asked to reset the password of %(email)s at %(tenant)s.\n\n"
        "To choose a new password, open this link within %(minutes)s minutes:\n%(link)s\n\n"
        "If it was not you, ignore this message: your password stays as it is.",
        email=email,
        tenant=tenant_name,
        minutes=minutes,
        link=link,
    )
    return subject, body


async def request_password_reset(
    db: AsyncSession, *, tenant_slug: str, email: str, ip: str | None = None
) -> None:
    """Send a reset link when the e-mail belongs to active staff of the enterprise.

    Returns the same way whether or not anything was sent, so the form tells nobody
    who works where."""
    repo = GlobalRepository(db)
    tenant = await repo.tenant_by_slug(tenant_slug.strip().lower()[:40])
    user = await repo.user_by_email(normalize_email(email))
    if tenant is None or tenant.status != TenantStatus.ACTIVE or user is None:
        return
    tenant_id = TenantId(tenant.id)
    await bind_tenant(db, tenant_id)
    member = await StaffAccountRepository(db, tenant_id).membership_for_user(user.id)
    if member is None or member.status != MembershipStatus.ACTIVE:
        return
    settings = get_settings()
    ttl = timedelta(minutes=settings.password_reset_ttl_minutes)
    tokens = AccountTokenRepository(db, tenant_id)
    if await tokens.count_issued_since(user.id, PASSWORD_RESET, _now() - ttl) >= MAX_RESET_MAILS:
        return
    token = await issue_account_token(db, tenant_id, user.id, PASSWORD_RESET, ttl)
    link = f"{settings.base_url.rstrip('/')}/console/reset?token={token}"
    minutes = settings.password_reset_ttl_minutes
    subject, body = password_reset_email(tenant.name, user.email, link, minutes)
    await queue_message(
        db,
        tenant_id,
        channel="email",
        recipient=user.email,
        subject=subject,
        body=body,
        purpose="password_reset",
    )
    await record_audit(
        db,
        tenant_id,
        "auth.password_reset_requested",
        subject_type="user",
        subject_id=user.id,
        ip=ip,
    )


async def reset_link_email(db: AsyncSession, tenant_id: TenantId, token: str) -> str:
    """Whose password a still-valid reset link would change (shown on the form)."""
    row = await check_account_token(db, tenant_id, token, PASSWORD_RESET)
    user = await GlobalRepository(db).user(row.user_id)
    if user is None:
        raise LinkInvalid()
    return user.email


async def reset_password(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    token: str,
    password: str,
    password_confirm: str,
    ip: str | None = None,
) -> str:
    """Set a new password from a reset link; returns the e-mail to sign in with.

    The link is spent, any other reset link of the user is void, and every session of
    the user in this enterprise ends: whoever knew the old password is out."""
    row = await check_account_token(db, tenant_id, token, PASSWORD_RESET)
    staff = StaffAccountRepository(db, tenant_id)
    member = await staff.membership_for_user(row.user_id)
    user = await GlobalRepository(db).user(row.user_id)
    if member is None or member.status != MembershipStatus.ACTIVE or user is None:
        raise LinkInvalid()
    errors = new_password_errors(password, password_confirm, "password")
    if errors:
        raise Invalid(errors=errors)
    await redeem_account_token(db, tenant_id, row)
    now = _now()
    await AccountTokenRepository(db, tenant_id).invalidate(user.id, PASSWORD_RESET, now)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    await staff.revoke_sessions(user.id, now)
    # Proving the mailbox clears this e-mail's failed attempts.
    await LoginAttemptRepository(db).record(normalize_email(user.email), ip, succeeded=True)
    await record_audit(
        db,
        tenant_id,
        "auth.password_reset",
        actor_user_id=user.id,
        subject_type="user",
        subject_id=user.id,
        ip=ip,
    )
    return user.email
