"""Provisioning: a new enterprise with its owner, from the CLI, the sign-up page or the
demo seed. `create_tenant` is the single path by which an enterprise comes to exist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.errors import Conflict, Invalid, TooManyRequests
from app.identifiers import normalize_uscc, uscc_problem
from app.security.passwords import hash_password, password_problem, verify_password
from tenants.models import KINDS, ROLES, Membership, Tenant, User
from tenants.repository import GlobalRepository, StaffRepository
from tenants.repository_platform import SIGNUP_MARKER, PlatformRepository
from tenants.service.audit import record_audit
from tenants.service.auth import SignedIn, sign_in

__all__ = [
    "DEFAULT_MODULES",
    "KIND_LABELS",
    "MODULES",
    "SIGNUP_LIMIT",
    "NewTenant",
    "add_member",
    "create_tenant",
    "sign_up",
    "validate_new_tenant",
]

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
RESERVED_SLUGS = {"admin", "api", "console", "platform", "static", "schema", "www", "book"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

KIND_LABELS = {"hotel": "Hotel", "agency": "Agency", "cruise": "Cruise", "hot_spring": "Hot spring"}

# The module catalogue: every business module an enterprise can switch on, with its
# label (an English msgid). Navigation items name these keys in `NavItem.module`.
MODULES: dict[str, str] = {
    "reservations": "Reservations",
    "frontdesk": "Front desk and room status",
    "terminals": "Guest terminals",
    "boarding": "Code boarding",
    "keytags": "Key tags and spa billing",
    "contracts": "Electronic travel contracts",
    "guides": "Guide archives",
    "groups": "Tour groups",
    "filings": "Filings with the tourism bureau",
    "distribution": "Distribution and settlement",
    "statistics": "Statistics for the bureau",
}

# Modules each kind of enterprise gets by default.
DEFAULT_MODULES = {
    "hotel": ("reservations", "frontdesk", "terminals", "distribution"),
    "agency": ("contracts", "guides", "groups", "filings", "distribution"),
    "cruise": ("reservations", "boarding", "terminals", "distribution"),
    "hot_spring": ("reservations", "keytags", "distribution"),
}

# Sign-ups per client address per hour: enough for a group registering its properties,
# too few for a script filling the platform with enterprises.
SIGNUP_LIMIT = 5
SIGNUP_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class NewTenant:
    name: str
    slug: str
    kinds: tuple[str, ...]
    owner_email: str
    owner_password: str
    owner_name: str = ""
    enterprise_code: str | None = None
    locale: str = "zh_CN"
    timezone: str = "Asia/Shanghai"


def validate_new_tenant(data: NewTenant) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"field": field, "code": "invalid", "message": message})

    if not data.name.strip():
        bad("name", "Enter the enterprise's name.")
    elif len(data.name.strip()) > 200:
        bad("name", "Use at most 200 characters.")
    if not SLUG_RE.match(data.slug) or data.slug in RESERVED_SLUGS:
        bad("slug", "Use 3–40 lower-case letters, digits or hyphens.")
    if not data.kinds or any(k not in KINDS for k in data.kinds):
        bad("kinds", "Choose at least one kind: hotel, agency, cruise or hot spring.")
    if data.enterprise_code:
        problem = uscc_problem(data.enterprise_code)
        if problem:
            bad("enterprise_code", problem)
    if not EMAIL_RE.match(data.owner_email.strip()) or len(data.owner_email.strip()) > 254:
        bad("owner_email", "Enter a valid e-mail address.")
    if len(data.owner_name.strip()) > 100:
        bad("owner_name", "Use at most 100 characters.")
    problem = password_problem(data.owner_password)
    if problem:
        bad("owner_password", problem)
    return errors


async def _owner(repo: GlobalRepository, data: NewTenant) -> User:
    """The owner's account. An existing user (same e-mail) becomes the owner only if the
    password given is theirs, so nobody can attach someone else."""
    user = await repo.user_by_email(data.owner_email)
    if user is not None:
        if not verify_password(user.password_hash, data.owner_password):
            raise Conflict(
                "An account with this e-mail exists; enter its password to add this enterprise.",
                code="email_taken",
            )
        return user
    user = User(
        email=data.owner_email.strip(),
        display_name=data.owner_name.strip() or data.owner_email.split("@")[0],
        password_hash=hash_password(data.owner_password),
    )
    repo.add(user)
    return user


async def _check_unique(db: AsyncSession, slug: str, code: str | None) -> None:
    platform = PlatformRepository(db)
    if await platform.tenant_by_slug(slug):
        raise Invalid.field("slug", "This enterprise code is already taken.", code="taken")
    if code and await platform.enterprise_code_owner(code):
        raise Invalid.field(
            "enterprise_code",
            "This credit code is already registered to another enterprise.",
            code="taken",
        )


async def create_tenant(db: AsyncSession, data: NewTenant) -> tuple[Tenant, User]:
    """Create the enterprise and its owner, with the default modules of its kinds."""
    errors = validate_new_tenant(data)
    if errors:
        raise Invalid(errors=errors)
    code = normalize_uscc(data.enterprise_code) if data.enterprise_code else None
    await _check_unique(db, data.slug, code)
    repo = GlobalRepository(db)
    tenant = Tenant(
        slug=data.slug,
        name=data.name.strip(),
        kinds=list(dict.fromkeys(data.kinds)),
        enterprise_code=code,
        locale=data.locale,
        timezone=data.timezone,
        enabled_modules=sorted({m for k in data.kinds for m in DEFAULT_MODULES[k]}),
    )
    try:
        # A savepoint: a twin registered a moment ago fails alone, and the caller's
        # transaction stays usable to show the form again.
        async with db.begin_nested():
            user = await _owner(repo, data)
            repo.add(tenant)
            await db.flush()
    except IntegrityError as exc:
        await _check_unique(db, data.slug, code)
        raise Conflict(
            "An account with this e-mail exists; enter its password to add this enterprise.",
            code="email_taken",
        ) from exc
    await bind_tenant(db, tenant.id)
    db.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
    await record_audit(
        db,
        TenantId(tenant.id),
        "tenant.created",
        actor_user_id=user.id,
        subject_type="tenant",
        subject_id=tenant.id,
        data={"slug": tenant.slug, "kinds": tenant.kinds},
    )
    await db.flush()
    return tenant, user


async def sign_up(
    db: AsyncSession,
    data: NewTenant,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    locale: str | None = None,
) -> SignedIn:
    """The public sign-up: create the enterprise, then sign its owner in.

    Limited per client address so that the public form cannot be used to flood the
    platform with enterprises (or to burn CPU on password hashing)."""
    platform = PlatformRepository(db)
    if ip is not None:
        recent = await platform.signups_from_ip(ip, clock.now() - SIGNUP_WINDOW)
        if recent >= SIGNUP_LIMIT:
            raise TooManyRequests(
                "Too many enterprises were registered from your network. "
                "Please try again in an hour.",
                retry_after=int(SIGNUP_WINDOW.total_seconds()),
            )
    try:
        await create_tenant(db, data)
    except Conflict as exc:
        raise Invalid.field("owner_email", exc.message, code=exc.code) from exc
    platform.record_attempt(SIGNUP_MARKER + data.slug, ip, succeeded=True)
    return await sign_in(
        db,
        tenant_slug=data.slug,
        email=data.owner_email,
        password=data.owner_password,
        ip=ip,
        user_agent=user_agent,
        locale=locale,
    )


async def add_member(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    email: str,
    display_name: str,
    role: str,
    password: str | None = None,
    password_hash: str | None = None,
) -> Membership:
    """An account with a known password and a role in one enterprise, for the demo
    seed and scripted set-ups. (In the console, owners invite staff instead, so that
    nobody else ever knows a staff member's password.) An existing account keeps its
    password. `password_hash` lets a seed hash one shared password once."""
    if role not in ROLES:
        raise Invalid.field("role", "Choose a role from the list.")
    if password_hash is None:
        problem = password_problem(password or "")
        if password is None or problem:
            raise Invalid.field("password", problem or "Use at least 10 characters.")
        password_hash = hash_password(password)
    repo = GlobalRepository(db)
    user = await repo.user_by_email(email)
    if user is None:
        user = User(
            email=email.strip(), display_name=display_name.strip(), password_hash=password_hash
        )
        repo.add(user)
        await db.flush()
    await bind_tenant(db, tenant_id)
    staff = StaffRepository(db, tenant_id)
    membership = await staff.membership_for_user(user.id)
    if membership is None:
        membership = Membership(user_id=user.id, role=role)
        staff.add(membership)
        await db.flush()
        await record_audit(
            db,
            tenant_id,
            "staff.added",
            subject_type="user",
            subject_id=user.id,
            data={"email": user.email, "role": role},
        )
    return membership
