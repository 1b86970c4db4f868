"""Tables of tenants and staff.

Global tables (no `tenant_id`, read before a tenant is known): `tenants`, `users`,
`login_attempts`, `operator_sessions`. Every other table here is tenant-owned and
protected by forced row-level security.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import (
    Base,
    CreatedMixin,
    IdMixin,
    TenantScoped,
    tenant_foreign_key,
    tenant_key,
)
from app.enums import LabelledEnum
from app.security.access import Role

KINDS = ("hotel", "agency", "cruise", "hot_spring")
ROLES = tuple(role.value for role in Role)  # the kernel enum, in its order


class TenantStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class MembershipStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    INVITED = "invited", "Invited"
    REMOVED = "removed", "Removed"


class Tenant(IdMixin, CreatedMixin, Base):
    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("kinds <@ ARRAY['hotel','agency','cruise','hot_spring']::text[]", "kinds"),
        CheckConstraint("cardinality(kinds) > 0", "kinds_not_empty"),
        CheckConstraint("status IN ('active','suspended')", "status"),
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'", "slug"),
    )

    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kinds: Mapped[list[str]] = mapped_column(ARRAY(Text))
    enterprise_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    locale: Mapped[str] = mapped_column(String(10), server_default="zh_CN")
    timezone: Mapped[str] = mapped_column(String(64), server_default="Asia/Shanghai")
    # Printed on confirmations and receipts; empty until the owner fills them in.
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    enabled_modules: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    suspended_at: Mapped[datetime | None]
    suspended_reason: Mapped[str | None] = mapped_column(Text)


class User(IdMixin, CreatedMixin, Base):
    """A person who signs in. Global: one e-mail, one password, memberships in tenants.

    The application role sees a user only when it has a reason to (row-level security,
    migration 0016) and never reads `password_hash` with a plain SELECT: it arrives only
    through `tenants.repository_auth` (security-definer functions). Elsewhere it is not
    loaded, and reading it raises instead of querying."""

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower(text("email")), unique=True),)

    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(Text, deferred=True, deferred_raiseload=True)
    is_operator: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    password_changed_at: Mapped[datetime | None]


class Membership(TenantScoped, Base):
    """A user's role in one tenant; `status='removed'` keeps the history."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        CheckConstraint(
            "role IN ('owner','manager','front_desk','cashier','agent','guide','auditor')", "role"
        ),
        CheckConstraint("status IN ('active','invited','removed')", "status"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    invited_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None]


class StaffSession(TenantScoped, Base):
    """A signed-in staff session. The cookie carries `<tenant_id>.<secret>`; only the
    SHA-256 of the secret is stored, and the row is found under the tenant's RLS."""

    __tablename__ = "staff_sessions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        Index(None, "tenant_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(server_default=func.now())
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str | None] = mapped_column(String(10))


class OperatorSession(IdMixin, CreatedMixin, Base):
    """A platform operator's session (the operator console is not inside any tenant)."""

    __tablename__ = "operator_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginAttempt(IdMixin, Base):
    """Sign-in attempts, for throttling by account and by client address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index(None, "email", "attempted_at"),
        Index(None, "ip", "attempted_at"),
    )

    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str | None] = mapped_column(INET)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(server_default=func.now())


class AccountToken(TenantScoped, Base):
    """One-time tokens: password reset and staff invitation. Only a hash is stored."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        CheckConstraint("purpose IN ('password_reset','invitation')", "purpose"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ApiKey(TenantScoped, Base):
    """A device's or partner's key. The bearer token is `zk_<tenant hex>_<key hex>_<secret>`;
    only the SHA-256 of the secret is kept."""

    __tablename__ = "api_keys"
    __table_args__ = (
        Index(None, "tenant_id", "revoked_at"),
        tenant_key(),
    )

    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    secret_hash: Mapped[str] = mapped_column(String(64))
    hint: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class AuditEvent(TenantScoped, Base):
    """Append-only (a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index(None, "tenant_id", "created_at"),
        tenant_foreign_key("audit_events", "actor_api_key_id", "api_keys"),
    )

    action: Mapped[str] = mapped_column(String(64))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_api_key_id: Mapped[uuid.UUID | None]
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    ip: Mapped[str | None] = mapped_column(INET)
