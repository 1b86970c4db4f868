"""The request's transaction and who is asking: the ONE place a tenant is bound.

Every route declares in `opt` who may call it:

- `access="staff"`: a staff session cookie; `roles={...}` narrows it (owners always pass).
- `access="apikey"`: `Authorization: Bearer zk_...`; `scopes={...}` are all required.
- `access="operator"`: a platform operator's session.
- `access="tenant_public"`: anyone; the tenant comes from the `tenant_slug` path parameter.
- `access="tenant_token"`: anyone holding a link from an e-mail (password reset, staff
  invitation); the tenant comes from the `token` query or form field
  (`<tenant_id>.<secret>`). Only the tenant is bound here; the service checks the secret.
- `access="tenant_lookup"`: anyone; the route names in `opt["tenant_lookup"]` an
  `async (db, request) -> uuid | None` that finds the tenant from what the caller typed
  (a contract's e-number). It may only read platform-wide tables (no tenant is bound
  while it runs). When it finds nothing, or a suspended tenant, no tenant is bound and
  `ctx.tenant` is None: the route answers exactly as for a wrong code, so the look-up is
  no existence oracle.
- `access="device"`: a paired in-room or in-cabin terminal. It holds the cookie
  `zhilv_terminal` = `<tenant_id>.<device_id>.<secret>` (set by the terminals module when
  it is paired); the device must be known, not revoked, and its secret must match the
  stored digest. `ctx.principal` is `Principal(kind="device", device_id=..., unit_id=...)`:
  everything a terminal shows is derived from that unit, never from the request. An
  unknown or revoked device raises `NotAuthenticated` and the terminal pages answer with
  the pairing screen (see `modules.terminals.service.TERMINAL_EXCEPTION_HANDLERS`).
- `access="public"` (the default): anyone, no tenant bound.

A route with identifiers in its path declares which table each one names:
`opt={"owns": {"membership_id": Membership}}`; see `_check_owned_ids`.

`provide_context` opens the transaction, resolves the tenant (a global lookup), binds
`app.tenant_id` with `set_config(..., true)` in the same statement, then finds the
principal under row-level security. The transaction commits when the handler returns
(redirects included) and rolls back when it raises.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import Database, TenantId, bind_tenant
from app.errors import Forbidden, NotAuthenticated, NotFound
from app.security.tokens import digest, parse_scoped_token, same

SESSION_COOKIE = "zhilv_session"
OPERATOR_COOKIE = "zhilv_operator"
DEVICE_COOKIE = "zhilv_terminal"
API_KEY_PREFIX = "zk"
LINK_NOT_VALID = "This link is not valid, has expired or has already been used."

Access = Literal[
    "staff",
    "apikey",
    "operator",
    "device",
    "tenant_public",
    "tenant_token",
    "tenant_lookup",
    "public",
]


@dataclass(frozen=True, slots=True)
class TenantInfo:
    id: TenantId
    slug: str
    name: str
    kinds: tuple[str, ...]
    enabled_modules: tuple[str, ...]
    locale: str
    timezone: str
    status: str


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Literal["staff", "apikey", "operator", "device", "anonymous"]
    user_id: uuid.UUID | None = None
    membership_id: uuid.UUID | None = None
    role: str | None = None
    email: str | None = None
    display_name: str | None = None
    session_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    device_id: uuid.UUID | None = None  # a terminal: which device, fixed to which room
    unit_id: uuid.UUID | None = None

    def has_role(self, *roles: str) -> bool:
        return self.role == "owner" or self.role in roles


ANONYMOUS = Principal(kind="anonymous")


@dataclass(slots=True)
class RequestContext:
    db: AsyncSession
    tenant: TenantInfo | None
    principal: Principal
    ip: str | None
    user_agent: str | None

    @property
    def tenant_id(self) -> TenantId:
        if self.tenant is None:
            raise NotFound()
        return self.tenant.id


_TENANT_COLUMNS = "t.id, t.slug, t.name, t.kinds, t.enabled_modules, t.locale, t.timezone, t.status"
_TENANT_BY_ID = text(
    f"SELECT {_TENANT_COLUMNS}, set_config('app.tenant_id', t.id::text, true) AS bound "
    "FROM tenants t WHERE t.id = :id"
)
_TENANT_BY_SLUG = text(
    f"SELECT {_TENANT_COLUMNS}, set_config('app.tenant_id', t.id::text, true) AS bound "
    "FROM tenants t WHERE t.slug = :slug"
)
_STAFF = text(
    """
    SELECT s.id AS session_id, s.expires_at, s.last_seen_at, u.id AS user_id, u.email,
           u.display_name, m.id AS membership_id, m.role
    FROM staff_sessions s
    JOIN users u ON u.id = s.user_id
    JOIN memberships m ON m.user_id = u.id AND m.tenant_id = s.tenant_id AND m.status = 'active'
    WHERE s.token_hash = :h AND s.revoked_at IS NULL AND s.expires_at > now()
    """
)
_TOUCH_SESSION = text("UPDATE staff_sessions SET last_seen_at = now() WHERE id = :id")
_API_KEY = text(
    "SELECT id, scopes, secret_hash, last_used_at FROM api_keys "
    "WHERE id = :id AND revoked_at IS NULL"
)
_TOUCH_KEY = text("UPDATE api_keys SET last_used_at = now() WHERE id = :id")
_OPERATOR = text(
    """
    SELECT u.id AS user_id, u.email, u.display_name, s.id AS session_id
    FROM operator_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = :h AND s.revoked_at IS NULL AND s.expires_at > now() AND u.is_operator
    """
)
_DEVICE = text(
    "SELECT id, name, unit_id, secret_hash, last_seen_at FROM terminal_devices "
    "WHERE id = :id AND revoked_at IS NULL AND secret_hash IS NOT NULL"
)
_TOUCH_DEVICE = text("UPDATE terminal_devices SET last_seen_at = now() WHERE id = :id")
_TOUCH_EVERY = timedelta(minutes=1)


def _tenant(row: Any) -> TenantInfo:
    return TenantInfo(
        id=TenantId(row.id),
        slug=row.slug,
        name=row.name,
        kinds=tuple(row.kinds),
        enabled_modules=tuple(row.enabled_modules),
        locale=row.locale,
        timezone=row.timezone,
        status=row.status,
    )


async def bind_tenant_by_id(db: AsyncSession, tenant_id: uuid.UUID) -> TenantInfo | None:
    row = (await db.execute(_TENANT_BY_ID, {"id": tenant_id})).one_or_none()
    return _tenant(row) if row else None


async def bind_tenant_by_slug(db: AsyncSession, slug: str) -> TenantInfo | None:
    row = (await db.execute(_TENANT_BY_SLUG, {"slug": slug})).one_or_none()
    return _tenant(row) if row else None


def split_tenant_token(value: str | None) -> tuple[uuid.UUID, str] | None:
    """`<tenant_id>.<secret>` (session cookies, e-mailed links) into its two parts."""
    if not value or "." not in value:
        return None
    tenant_part, secret = value.split(".", 1)
    try:
        return uuid.UUID(tenant_part), secret
    except ValueError:
        return None


async def _staff(db: AsyncSession, request: Request[Any, Any, Any]) -> tuple[TenantInfo, Principal]:
    parsed = split_tenant_token(request.cookies.get(SESSION_COOKIE))
    if parsed is None:
        raise NotAuthenticated()
    tenant = await bind_tenant_by_id(db, parsed[0])
    if tenant is None or tenant.status != "active":
        raise NotAuthenticated()
    row = (await db.execute(_STAFF, {"h": digest(parsed[1])})).one_or_none()
    if row is None:
        raise NotAuthenticated()
    if datetime.now(UTC) - row.last_seen_at > _TOUCH_EVERY:
        await db.execute(_TOUCH_SESSION, {"id": row.session_id})
    return tenant, Principal(
        kind="staff",
        user_id=row.user_id,
        membership_id=row.membership_id,
        role=row.role,
        email=row.email,
        display_name=row.display_name,
        session_id=row.session_id,
    )


async def _api_key(
    db: AsyncSession, request: Request[Any, Any, Any]
) -> tuple[TenantInfo, Principal]:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    parsed = (
        parse_scoped_token(token.strip(), API_KEY_PREFIX, 2) if scheme.lower() == "bearer" else None
    )
    if parsed is None:
        raise NotAuthenticated("A valid API key is required.")
    (tenant_id, key_id), secret = parsed
    tenant = await bind_tenant_by_id(db, tenant_id)
    if tenant is None or tenant.status != "active":
        raise NotAuthenticated("A valid API key is required.")
    row = (await db.execute(_API_KEY, {"id": key_id})).one_or_none()
    if row is None or row.secret_hash != digest(secret):
        raise NotAuthenticated("A valid API key is required.")
    if row.last_used_at is None or datetime.now(UTC) - row.last_used_at > _TOUCH_EVERY:
        await db.execute(_TOUCH_KEY, {"id": key_id})
    return tenant, Principal(kind="apikey", api_key_id=row.id, scopes=frozenset(row.scopes))


def split_device_token(value: str | None) -> tuple[uuid.UUID, uuid.UUID, str] | None:
    """`<tenant_id>.<device_id>.<secret>` (a terminal's cookie) into its three parts."""
    parts = (value or "").split(".", 2)
    if len(parts) != 3 or not parts[2]:
        return None
    try:
        return uuid.UUID(parts[0]), uuid.UUID(parts[1]), parts[2]
    except ValueError:
        return None


async def _device(
    db: AsyncSession, request: Request[Any, Any, Any]
) -> tuple[TenantInfo, Principal]:
    """A paired terminal. Revoking or re-pairing clears the stored digest, so the old
    cookie stops working at its very next request."""
    parsed = split_device_token(request.cookies.get(DEVICE_COOKIE))
    if parsed is None:
        raise NotAuthenticated("This terminal is not paired.")
    tenant_id, device_id, secret = parsed
    tenant = await bind_tenant_by_id(db, tenant_id)
    if tenant is None or tenant.status != "active":
        raise NotAuthenticated("This terminal is not paired.")
    row = (await db.execute(_DEVICE, {"id": device_id})).one_or_none()
    if row is None or not same(row.secret_hash, digest(secret)):
        raise NotAuthenticated("This terminal is not paired.")
    if row.last_seen_at is None or datetime.now(UTC) - row.last_seen_at > _TOUCH_EVERY:
        await db.execute(_TOUCH_DEVICE, {"id": device_id})
    return tenant, Principal(
        kind="device", device_id=row.id, unit_id=row.unit_id, display_name=row.name
    )


async def _operator(db: AsyncSession, request: Request[Any, Any, Any]) -> Principal:
    await bind_tenant(db, None)
    value = request.cookies.get(OPERATOR_COOKIE)
    row = (await db.execute(_OPERATOR, {"h": digest(value)})).one_or_none() if value else None
    if row is None:
        raise NotAuthenticated()
    return Principal(
        kind="operator",
        user_id=row.user_id,
        email=row.email,
        display_name=row.display_name,
        session_id=row.session_id,
    )


async def _tenant_from_token(db: AsyncSession, request: Request[Any, Any, Any]) -> TenantInfo:
    """The tenant named by an e-mailed link. A mangled link or a suspended tenant answers
    404 like any other unknown link; whether the secret is good is the service's call."""
    value = request.query_params.get("token")
    if value is None and request.method == "POST":
        form_value = (await request.form()).get("token")
        value = form_value if isinstance(form_value, str) else None
    parsed = split_tenant_token(value)
    tenant = await bind_tenant_by_id(db, parsed[0]) if parsed else None
    if tenant is None or tenant.status != "active":
        raise NotFound(LINK_NOT_VALID)
    return tenant


async def _tenant_from_lookup(
    db: AsyncSession, request: Request[Any, Any, Any]
) -> TenantInfo | None:
    await bind_tenant(db, None)
    tenant_id = await request.route_handler.opt["tenant_lookup"](db, request)
    tenant = await bind_tenant_by_id(db, tenant_id) if tenant_id else None
    if tenant is None or tenant.status != "active":
        await bind_tenant(db, None)
        return None
    return tenant


async def _check_owned_ids(db: AsyncSession, request: Request[Any, Any, Any]) -> None:
    """Every identifier in the path must name a row the bound tenant can see, else 404.

    Routes declare it: `opt={"owns": {"membership_id": Membership}}`. This runs before
    the request body is validated, so another tenant's identifier always answers 404,
    never a validation error that would confirm the object exists."""
    for name, model in request.route_handler.opt.get("owns", {}).items():
        table = model if isinstance(model, str) else model.__tablename__
        if not table.replace("_", "").isalnum():
            raise ValueError(f"bad table name {table!r}")
        value = request.path_params.get(name)
        found = await db.scalar(text(f"SELECT 1 FROM {table} WHERE id = :id"), {"id": value})
        if found is None:
            raise NotFound()


def _check_permissions(opt: dict[str, Any], principal: Principal) -> None:
    roles = opt.get("roles")
    if roles and principal.kind == "staff" and not principal.has_role(*roles):
        raise Forbidden()
    scopes = opt.get("scopes")
    if scopes and principal.kind == "apikey" and not set(scopes) <= principal.scopes:
        raise Forbidden("This API key lacks the scope this call needs.")


async def resolve(
    db: AsyncSession, request: Request[Any, Any, Any]
) -> tuple[TenantInfo | None, Principal]:
    opt = request.route_handler.opt
    access: Access = opt.get("access", "public")
    tenant: TenantInfo | None = None
    principal = ANONYMOUS
    if access == "staff":
        tenant, principal = await _staff(db, request)
    elif access == "apikey":
        tenant, principal = await _api_key(db, request)
    elif access == "operator":
        principal = await _operator(db, request)
    elif access == "device":
        tenant, principal = await _device(db, request)
    elif access == "tenant_token":
        tenant = await _tenant_from_token(db, request)
    elif access == "tenant_public":
        tenant = await bind_tenant_by_slug(db, request.path_params.get("tenant_slug", ""))
        if tenant is None or tenant.status != "active":
            raise NotFound()
    elif access == "tenant_lookup":
        tenant = await _tenant_from_lookup(db, request)
    else:
        await bind_tenant(db, None)
    _check_permissions(opt, principal)
    if "owns" in opt:
        await _check_owned_ids(db, request)
    return tenant, principal


async def provide_context(request: Request[Any, Any, Any]) -> AsyncGenerator[RequestContext, None]:
    database: Database = request.app.state.database
    session = database.sessionmaker()
    try:
        await session.begin()
        tenant, principal = await resolve(session, request)
        request.state.tenant = tenant
        request.state.principal = principal
        yield RequestContext(
            db=session,
            tenant=tenant,
            principal=principal,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except BaseException:
        await session.rollback()
        raise
    else:
        await session.commit()
    finally:
        await session.close()


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    """The client address (behind a reverse proxy, from X-Forwarded-For when the proxy is
    listed in FORWARDED_ALLOW_IPS; see README).

    Only a real IP address is returned (it is stored in `inet` columns and keys sign-in
    throttling); anything else, such as a test client's placeholder, is None."""
    client = request.client
    if client is None:
        return None
    try:
        return str(ipaddress.ip_address(client.host))
    except ValueError:
        return None


# What a handler declares to receive the request's context: `ctx: Ctx`.
Ctx = NamedDependency[RequestContext]
