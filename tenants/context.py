"""The request's transaction and who is asking: the ONE place a tenant is bound.

Every route declares a typed guard, `opt={"guard": ...}` (app/security/access.py); the
app refuses to start without one. How each guard finds the caller:

- `Staff(Role...)`: a staff session cookie `<tenant_id>.<secret>`; the member's role must
  be one the guard admits (owners always pass; `Staff()` admits every member).
- `ApiKey(Scope...)`: `Authorization: Bearer zk_...`; the key must hold every scope.
- `Operator()`: a platform operator's session; no tenant is bound.
- `TenantPublic()`: anyone; the tenant comes from the `tenant_slug` path parameter.
- `TenantToken()`: anyone holding a link from an e-mail (password reset, staff
  invitation); the tenant comes from the `token` query or form field
  (`<tenant_id>.<secret>`). Only the tenant is bound here; the service checks the secret.
- `TenantLookup(fn)`: anyone; `fn(db, request) -> uuid | None` finds the tenant from what
  the caller typed (a contract's e-number). It may only read platform-wide tables (no
  tenant is bound while it runs). When it finds nothing, or a suspended tenant, no tenant
  is bound and `ctx.tenant` is None: the route answers exactly as for a wrong code, so
  the look-up is no existence oracle.
- `Device()`: a paired in-room or in-cabin terminal. It holds the cookie
  `zhilv_terminal` = `<tenant_id>.<device_id>.<secret>` (set by the terminals module when
  it is paired); the device must be known, not revoked, and its secret must match the
  stored digest. `ctx.principal` is `Principal(kind="device", device_id=..., unit_id=...)`:
  everything a terminal shows is derived from that unit, never from the request. An
  unknown or revoked device raises `NotAuthenticated` and the terminal pages answer with
  the pairing screen (see `modules.terminals.service.TERMINAL_EXCEPTION_HANDLERS`).
- `Public()`: anyone, no tenant bound.

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
from collections.abc import AsyncGenerator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import (
    Database,
    TenantId,
    bind_tenant,
    fetch_row,
    forget_kept,
    mark_bound,
    mark_unbound,
    write_kept,
)
from app.errors import Forbidden, NotAuthenticated, NotFound
from app.security.access import (
    ApiKey,
    Device,
    Guard,
    Operator,
    Staff,
    TenantLookup,
    TenantLookupFn,
    TenantPublic,
    TenantToken,
    guard_of,
)
from app.security.tokens import digest, parse_scoped_token, same

SESSION_COOKIE = "zhilv_session"
OPERATOR_COOKIE = "zhilv_operator"
DEVICE_COOKIE = "zhilv_terminal"
API_KEY_PREFIX = "zk"
LINK_NOT_VALID = "This link is not valid, has expired or has already been used."


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
    def actor(self) -> Actor:
        """Who acts in this request, for the records it writes."""
        p = self.principal
        return Actor(
            user_id=p.user_id,
            name=p.display_name or "",
            ip=self.ip,
            user_agent=self.user_agent,
            api_key_id=p.api_key_id,
            device_id=p.device_id,
        )

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


def _touch(table: str, column: str) -> Any:
    """Note when a session, key or device was last used (at most once a minute). The row is
    skipped when another request holds it: that request is noting the same moment, and the
    requests of one key (a fleet of POS tablets) must not queue behind each other's
    transactions for it, as they did when every one found the time stale at once."""
    return text(
        f"UPDATE {table} SET {column} = now() "
        f"WHERE id = (SELECT id FROM {table} WHERE id = :id FOR UPDATE SKIP LOCKED)"
    )


# Staff sessions, API keys and devices are resolved in the statement that binds their tenant:
# `b` calls set_config before the lateral look-up `p` runs (it depends on `b.bound`), so
# the look-up sees the tenant's rows under row-level security. One round trip, run on the
# driver's connection (`fetch_row`): $1 is the tenant, $2 the session's digest or the id.
_PRINCIPAL_IN_TENANT = (
    f"SELECT {_TENANT_COLUMNS}, p.* FROM tenants t "
    "CROSS JOIN LATERAL (SELECT set_config('app.tenant_id', t.id::text, true) AS bound) b "
    "LEFT JOIN LATERAL ({principal} AND b.bound IS NOT NULL) p ON true "
    "WHERE t.id = $1"
)
_STAFF = _PRINCIPAL_IN_TENANT.format(
    principal="""
    SELECT s.id AS session_id, s.last_seen_at, u.id AS user_id, u.email,
           u.display_name, m.id AS membership_id, m.role
    FROM staff_sessions s
    JOIN users u ON u.id = s.user_id
    JOIN memberships m ON m.user_id = u.id AND m.tenant_id = s.tenant_id
         AND m.status = 'active'
    WHERE s.token_hash = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
    """
)
_TOUCH_SESSION = _touch("staff_sessions", "last_seen_at")
_API_KEY = _PRINCIPAL_IN_TENANT.format(
    principal="SELECT k.id AS key_id, k.name AS key_name, k.scopes, k.secret_hash, "
    "k.last_used_at FROM api_keys k WHERE k.id = $2 AND k.revoked_at IS NULL"
)
_TOUCH_KEY = _touch("api_keys", "last_used_at")
_OPERATOR = text(
    """
    SELECT u.id AS user_id, u.email, u.display_name, s.id AS session_id
    FROM operator_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = :h AND s.revoked_at IS NULL AND s.expires_at > now() AND u.is_operator
    """
)
_DEVICE = _PRINCIPAL_IN_TENANT.format(
    principal="SELECT d.id AS device_id, d.name AS device_name, d.unit_id, d.secret_hash, "
    "d.last_seen_at FROM terminal_devices d "
    "WHERE d.id = $2 AND d.revoked_at IS NULL AND d.secret_hash IS NOT NULL"
)
_TOUCH_DEVICE = _touch("terminal_devices", "last_seen_at")
_TOUCH_EVERY = timedelta(minutes=1)


def _tenant(row: Mapping[str, Any] | RowMapping) -> TenantInfo:
    return TenantInfo(
        id=TenantId(row["id"]),
        slug=row["slug"],
        name=row["name"],
        kinds=tuple(row["kinds"]),
        enabled_modules=tuple(row["enabled_modules"]),
        locale=row["locale"],
        timezone=row["timezone"],
        status=row["status"],
    )


async def bind_tenant_by_id(db: AsyncSession, tenant_id: uuid.UUID) -> TenantInfo | None:
    row = (await db.execute(_TENANT_BY_ID, {"id": tenant_id})).one_or_none()
    mark_bound(db)
    return _tenant(row._mapping) if row else None


async def bind_tenant_by_slug(db: AsyncSession, slug: str) -> TenantInfo | None:
    row = (await db.execute(_TENANT_BY_SLUG, {"slug": slug})).one_or_none()
    mark_bound(db)
    return _tenant(row._mapping) if row else None


async def _principal_in_tenant(
    db: AsyncSession, statement: str, tenant_id: uuid.UUID, key: object
) -> tuple[TenantInfo, Mapping[str, Any]] | None:
    """The active tenant bound and the principal's row found in it, in one statement; None
    when the tenant is unknown or not active (the principal's columns are None when it is
    not found)."""
    row = await fetch_row(db, statement, tenant_id, key)
    mark_bound(db)
    if row is None or row["status"] != "active":
        return None
    return _tenant(row), row


def _stale(seen: datetime | None) -> bool:
    return seen is None or clock.now() - seen > _TOUCH_EVERY


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
    found = await _principal_in_tenant(db, _STAFF, parsed[0], digest(parsed[1]))
    if found is None or found[1]["session_id"] is None:
        raise NotAuthenticated()
    tenant, row = found
    if _stale(row["last_seen_at"]):
        await db.execute(_TOUCH_SESSION, {"id": row["session_id"]})
    return tenant, Principal(
        kind="staff",
        user_id=row["user_id"],
        membership_id=row["membership_id"],
        role=row["role"],
        email=row["email"],
        display_name=row["display_name"],
        session_id=row["session_id"],
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
    found = await _principal_in_tenant(db, _API_KEY, tenant_id, key_id)
    if (
        found is None
        or found[1]["key_id"] is None
        or not same(found[1]["secret_hash"], digest(secret))
    ):
        raise NotAuthenticated("A valid API key is required.")
    tenant, row = found
    if _stale(row["last_used_at"]):
        await db.execute(_TOUCH_KEY, {"id": key_id})
    return tenant, Principal(
        kind="apikey",
        api_key_id=row["key_id"],
        display_name=row["key_name"],
        scopes=frozenset(row["scopes"]),
    )


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
    found = await _principal_in_tenant(db, _DEVICE, tenant_id, device_id)
    if (
        found is None
        or found[1]["device_id"] is None
        or not same(found[1]["secret_hash"], digest(secret))
    ):
        raise NotAuthenticated("This terminal is not paired.")
    tenant, row = found
    if _stale(row["last_seen_at"]):
        await db.execute(_TOUCH_DEVICE, {"id": device_id})
    return tenant, Principal(
        kind="device",
        device_id=row["device_id"],
        unit_id=row["unit_id"],
        display_name=row["device_name"],
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
    db: AsyncSession, request: Request[Any, Any, Any], lookup: TenantLookupFn
) -> TenantInfo | None:
    await bind_tenant(db, None)
    tenant_id = await lookup(db, request)
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


def route_guard(request: Request[Any, Any, Any]) -> Guard:
    return guard_of(request.route_handler.opt)


async def _identify(
    db: AsyncSession, request: Request[Any, Any, Any], guard: Guard
) -> tuple[TenantInfo | None, Principal]:
    """Who is asking, as the guard says to find out; binds the tenant on the way."""
    if isinstance(guard, Staff):
        return await _staff(db, request)
    if isinstance(guard, ApiKey):
        return await _api_key(db, request)
    if isinstance(guard, Device):
        return await _device(db, request)
    if isinstance(guard, Operator):
        return None, await _operator(db, request)
    if isinstance(guard, TenantToken):
        return await _tenant_from_token(db, request), ANONYMOUS
    if isinstance(guard, TenantPublic):
        tenant = await bind_tenant_by_slug(db, request.path_params.get("tenant_slug", ""))
        if tenant is None or tenant.status != "active":
            raise NotFound()
        return tenant, ANONYMOUS
    if isinstance(guard, TenantLookup):
        return await _tenant_from_lookup(db, request, guard.lookup), ANONYMOUS
    await bind_tenant(db, None)
    return None, ANONYMOUS


def _check_permissions(guard: Guard, principal: Principal) -> None:
    if isinstance(guard, Staff) and not guard.admits(principal.role):
        raise Forbidden()
    if isinstance(guard, ApiKey) and not guard.admits(principal.scopes):
        raise Forbidden("This API key lacks the scope this call needs.")


async def resolve(
    db: AsyncSession, request: Request[Any, Any, Any]
) -> tuple[TenantInfo | None, Principal]:
    guard = route_guard(request)
    tenant, principal = await _identify(db, request, guard)
    _check_permissions(guard, principal)
    if "owns" in request.route_handler.opt:
        await _check_owned_ids(db, request)
    return tenant, principal


@dataclass(slots=True)
class _Answer:
    recorded: bool = False
    status: int | None = None


# The status of the answer the current request's handler produced (`record_answer`).
_ANSWER: ContextVar[_Answer | None] = ContextVar("zhilv_answer", default=None)


async def record_answer(response: Any) -> Any:
    """The app's `after_request` hook: note the status of the handler's answer, so that
    `provide_context` commits below 400 and rolls back from 400 up. It runs after the
    handler returns and before the dependency's clean-up, in the same task."""
    answer = _ANSWER.get()
    if answer is not None:
        answer.recorded = True
        # A Response built without a status gets the route's default (200, 201, 204)
        # when it is sent: a success.
        answer.status = getattr(response, "status_code", None) or 200
    return response


async def provide_context(request: Request[Any, Any, Any]) -> AsyncGenerator[RequestContext, None]:
    """The request's transaction: committed when the handler answers below 400 (redirects
    included), rolled back when it answers 400 or above (a form shown again with 409/422
    errors too) or raises. What must outlast a refusal is written by `keep_on_refusal`.

    The transaction begins with the first statement (asyncpg starts it then: BEGIN is one
    round trip, the statement that binds the tenant and finds the caller the second)."""
    database: Database = request.app.state.database
    session = database.sessionmaker()
    answer = _Answer()
    _ANSWER.set(answer)
    tenant: TenantInfo | None = None
    try:
        await session.begin()
        mark_unbound(session)
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
        if not answer.recorded or answer.status is None:
            raise RuntimeError("the request's answer was not recorded (after_request hook)")
        if answer.status < 400:
            await session.commit()
            forget_kept(session)
            return
        await session.rollback()
    except BaseException:
        await session.rollback()
        await write_kept(session, tenant.id if tenant else None)
        raise
    else:
        await write_kept(session, tenant.id if tenant else None)
    finally:
        await session.close()


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    """The client address (behind a reverse proxy, from X-Forwarded-For when the proxy is
    listed in FORWARDED_ALLOW_IPS; see README).

    Only a real IP address is returned (it is stored in `inet` columns and keys sign-in
    throttling); anything else, such as a test client's placeholder, is None."""
    client = request.client
    return None if client is None else _ip_address(client.host)


@lru_cache(maxsize=4096)
def _ip_address(host: str) -> str | None:
    """The canonical text of an IP address, else None (cached: a few callers ask often)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


# What a handler declares to receive the request's context: `ctx: Ctx`.
Ctx = NamedDependency[RequestContext]
