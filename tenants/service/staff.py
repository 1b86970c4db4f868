"""Staff of an enterprise: the list, invitations, roles and removal.

Owners make the changes (routes enforce the role); this module guards what must hold
whoever calls it: an enterprise always keeps at least one active owner, a removed
person's sessions and links stop working at once, an invitation link works once, and
every change lands in the audit log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.notifications.service import queue_message
from app.security.passwords import hash_password
from app.settings import get_settings
from tenants.models import ROLES, AccountToken, Membership, MembershipStatus, User
from tenants.repository import GlobalRepository
from tenants.repository_auth import AccountTokenRepository
from tenants.repository_staff import MemberRow, StaffAccountRepository
from tenants.service.audit import record_audit
from tenants.service.auth import new_password_errors, normalize_email, verify_password_throttled
from tenants.service.links import (
    PASSWORD_RESET,
    LinkInvalid,
    check_account_token,
    issue_account_token,
    redeem_account_token,
)
from tenants.service.provisioning import EMAIL_RE

__all__ = [
    "INVITATION_TTL",
    "Actor",
    "Invitation",
    "LastOwner",
    "MemberRow",
    "accept_invitation",
    "change_role",
    "invitation_details",
    "invite_staff",
    "list_staff",
    "remove_member",
    "resend_invitation",
    "role_label",
    "staff_member",
]

INVITATION = "invitation"
INVITATION_TTL = timedelta(days=7)


class LastOwner(Conflict):
    code = "last_owner"
    message = "An enterprise needs at least one owner. Make someone else an owner first."


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, as the audit log and the invitation e-mail name them."""

    user_id: uuid.UUID | None
    name: str
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class Invitation:
    email: str
    display_name: str
    role: str
    has_account: bool  # an existing user proves it with their password instead


def role_label(role: str) -> str:
    """The role's msgid ("front_desk" -> "Front desk"), as the console shows it."""
    return role.replace("_", " ").capitalize()


def _now() -> datetime:
    return clock.now()


async def list_staff(
    db: AsyncSession, tenant_id: TenantId, *, include_removed: bool = False
) -> list[MemberRow]:
    return await StaffAccountRepository(db, tenant_id).members(include_removed=include_removed)


async def staff_member(
    db: AsyncSession, tenant_id: TenantId, membership_id: uuid.UUID
) -> MemberRow:
    row = await StaffAccountRepository(db, tenant_id).member(membership_id)
    if row is None:
        raise NotFound()
    return row


def _invitation_errors(email: str, display_name: str, role: str) -> list[dict[str, str]]:
    errors = []
    if not EMAIL_RE.match(email):
        errors.append(
            {"field": "email", "code": "invalid", "message": "Enter a valid e-mail address."}
        )
    if not display_name or len(display_name) > 100:
        errors.append(
            {
                "field": "display_name",
                "code": "invalid",
                "message": "Enter a name (up to 100 characters).",
            }
        )
    if role not in ROLES:
        errors.append({"field": "role", "code": "invalid", "message": "Choose one of the roles."})
    return errors


async def invite_staff(
    db: AsyncSession,
    tenant_id: TenantId,
    tenant_name: str,
    *,
    actor: Actor,
    email: str,
    display_name: str,
    role: str,
) -> MemberRow:
    """Invite someone by e-mail. A new person gets an account without a password (they
    choose it when accepting); someone who already has an account keeps theirs, and their
    name is not changed by the inviter. A removed member can be invited again."""
    email, display_name = normalize_email(email), display_name.strip()
    errors = _invitation_errors(email, display_name, role)
    if errors:
        raise Invalid(errors=errors)
    users = GlobalRepository(db)
    staff = StaffAccountRepository(db, tenant_id)
    user = await users.user_by_email(email)
    if user is None:
        user = User(email=email, display_name=display_name)
        users.add(user)
        await db.flush()
    membership = await staff.membership_for_update(user.id)
    if membership is not None and membership.status != MembershipStatus.REMOVED:
        message = (
            "This person is already invited; send the invitation again from the list."
            if membership.status == MembershipStatus.INVITED
            else "This person is already on the staff."
        )
        raise Invalid.field("email", message, code="already_member")
    if membership is None:
        membership = Membership(user_id=user.id, role=role, status=MembershipStatus.INVITED)
        staff.add(membership)
    membership.role, membership.status, membership.removed_at = role, MembershipStatus.INVITED, None
    membership.invited_by = actor.user_id
    await db.flush()
    await _send_invitation(db, tenant_id, tenant_name, user, membership, actor)
    await record_audit(
        db,
        tenant_id,
        "staff.invited",
        actor_user_id=actor.user_id,
        subject_type="membership",
        subject_id=membership.id,
        data={"email": email, "role": role},
        ip=actor.ip,
    )
    return MemberRow(membership, user, None)


async def resend_invitation(
    db: AsyncSession,
    tenant_id: TenantId,
    tenant_name: str,
    membership_id: uuid.UUID,
    *,
    actor: Actor,
) -> MemberRow:
    """A fresh link for a pending invitation; the earlier link stops working."""
    row = await staff_member(db, tenant_id, membership_id)
    if row.membership.status != MembershipStatus.INVITED:
        raise Conflict("Only a pending invitation can be sent again.")
    await _send_invitation(db, tenant_id, tenant_name, row.user, row.membership, actor)
    await record_audit(
        db,
        tenant_id,
        "staff.invited",
        actor_user_id=actor.user_id,
        subject_type="membership",
        subject_id=membership_id,
        data={"email": row.user.email, "role": row.membership.role, "resent": True},
        ip=actor.ip,
    )
    return row


async def _send_invitation(
    db: AsyncSession,
    tenant_id: TenantId,
    tenant_name: str,
    user: User,
    membership: Membership,
    actor: Actor,
) -> None:
    await AccountTokenRepository(db, tenant_id).invalidate(user.id, INVITATION, _now())
    token = await issue_account_token(db, tenant_id, user.id, INVITATION, INVITATION_TTL)
    link = f"{get_settings().base_url.rstrip('/')}/console/invitation?token={token}"
    subject = _("You are invited to join %(tenant)s on Zhilv", tenant=tenant_name)
    body = _(
        "%(inviter)s invited you to join %(tenant)s on Zhilv as %(role)s.\n\n"
        "To accept, open this link within %(days)s days:\n%(link)s\n\n"
        "If you did not expect this, ignore this message.",
        inviter=actor.name,
        tenant=tenant_name,
        role=_(role_label(membership.role)),
        days=INVITATION_TTL.days,
        link=link,
    )
    await queue_message(
        db,
        tenant_id,
        channel="email",
        recipient=user.email,
        subject=subject,
        body=body,
        purpose="invitation",
    )


async def _pending(
    db: AsyncSession, tenant_id: TenantId, token: str
) -> tuple[Membership, User, AccountToken]:
    row = await check_account_token(db, tenant_id, token, INVITATION)
    membership = await StaffAccountRepository(db, tenant_id).membership_for_update(row.user_id)
    user = await GlobalRepository(db).user(row.user_id)
    if membership is None or membership.status != MembershipStatus.INVITED or user is None:
        raise LinkInvalid()
    return membership, user, row


async def invitation_details(db: AsyncSession, tenant_id: TenantId, token: str) -> Invitation:
    membership, user, _row = await _pending(db, tenant_id, token)
    return Invitation(
        user.email, user.display_name, membership.role, user.password_hash is not None
    )


async def accept_invitation(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    token: str,
    display_name: str = "",
    password: str = "",
    password_confirm: str = "",
    current_password: str = "",
    ip: str | None = None,
) -> str:
    """Join the enterprise from an invitation link; returns the e-mail to sign in with.

    A new person sets their name and password here. Someone with an account already
    proves it with their current password: the link alone must never let its holder
    take over an existing account."""
    membership, user, row = await _pending(db, tenant_id, token)
    if user.password_hash is not None:
        if not await verify_password_throttled(db, user, current_password, ip):
            raise Invalid.field("current_password", "The password is not correct.")
    else:
        display_name = display_name.strip()
        errors = new_password_errors(password, password_confirm, "password")
        if not display_name or len(display_name) > 100:
            errors.insert(
                0,
                {
                    "field": "display_name",
                    "code": "invalid",
                    "message": "Enter a name (up to 100 characters).",
                },
            )
        if errors:
            raise Invalid(errors=errors)
        user.display_name = display_name
        user.password_hash = hash_password(password)
        user.password_changed_at = _now()
    await redeem_account_token(db, tenant_id, row)
    membership.status = "active"
    await record_audit(
        db,
        tenant_id,
        "staff.joined",
        actor_user_id=user.id,
        subject_type="membership",
        subject_id=membership.id,
        data={"role": membership.role},
        ip=ip,
    )
    return user.email


async def _locked_member(
    staff: StaffAccountRepository, membership_id: uuid.UUID
) -> tuple[MemberRow, list[uuid.UUID]]:
    # Owners first, then the member, always in this order: concurrent changes queue
    # instead of deadlocking, and each one counts the owners after the other committed.
    owners = await staff.lock_active_owners()
    row = await staff.member(membership_id)
    if row is None:
        raise NotFound()
    return row, owners


def _is_last_owner(membership: Membership, owners: list[uuid.UUID]) -> bool:
    return owners == [membership.id]


async def change_role(
    db: AsyncSession, tenant_id: TenantId, membership_id: uuid.UUID, role: str, *, actor: Actor
) -> MemberRow:
    if role not in ROLES:
        raise Invalid.field("role", "Choose one of the roles.")
    staff = StaffAccountRepository(db, tenant_id)
    row, owners = await _locked_member(staff, membership_id)
    membership = row.membership
    if membership.status == MembershipStatus.REMOVED:
        raise Conflict("This person was removed; invite them again instead.")
    if membership.role == role:
        return row
    if role != "owner" and _is_last_owner(membership, owners):
        raise LastOwner()
    before, membership.role = membership.role, role
    await record_audit(
        db,
        tenant_id,
        "staff.role_changed",
        actor_user_id=actor.user_id,
        subject_type="membership",
        subject_id=membership.id,
        data={"email": row.user.email, "from": before, "to": role},
        ip=actor.ip,
    )
    return row


async def remove_member(
    db: AsyncSession, tenant_id: TenantId, membership_id: uuid.UUID, *, actor: Actor
) -> MemberRow:
    """Take someone off the staff: their sessions end and their links stop working.
    The membership row stays (status `removed`) so the history keeps its names."""
    staff = StaffAccountRepository(db, tenant_id)
    row, owners = await _locked_member(staff, membership_id)
    membership = row.membership
    if membership.status == MembershipStatus.REMOVED:
        return row
    if _is_last_owner(membership, owners):
        raise LastOwner()
    now = _now()
    membership.status, membership.removed_at = MembershipStatus.REMOVED, now
    await staff.revoke_sessions(membership.user_id, now)
    tokens = AccountTokenRepository(db, tenant_id)
    for purpose in (INVITATION, PASSWORD_RESET):
        await tokens.invalidate(membership.user_id, purpose, now)
    await record_audit(
        db,
        tenant_id,
        "staff.removed",
        actor_user_id=actor.user_id,
        subject_type="membership",
        subject_id=membership.id,
        data={"email": row.user.email, "role": membership.role},
        ip=actor.ip,
    )
    return row
