"""API keys for devices and partners: gangway scanners, POS outlets, exit gates,
distributors' systems.

A key is shown once, when created: the bearer token is `zk_<tenant hex>_<key hex>_<secret>`
and only the SHA-256 of the secret is stored, so a leaked database cannot be replayed
against the API. The tenant and key ids in the token let `tenants.context` find the key
under the right tenant's row-level security without a global lookup.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.security.access import Scope
from app.security.tokens import digest, new_secret, scoped_token
from tenants.context import API_KEY_PREFIX
from tenants.models import ApiKey
from tenants.repository_apikeys import ApiKeyRepository
from tenants.service.audit import record_audit

__all__ = [
    "APIKEY_ROLES",
    "SCOPES",
    "ApiKeyView",
    "CreatedApiKey",
    "create_api_key",
    "get_api_key",
    "list_api_keys",
    "parse_scopes",
    "revoke_api_key",
]

# The scope catalogue (English msgids shown next to the checkbox), in the kernel's order.
# The console offers only the scopes some route requires (`app.state.scopes_in_use`).
SCOPES: dict[str, str] = {scope.value: scope.label for scope in Scope}

# Who may manage keys in the console (owners always may).
APIKEY_ROLES = frozenset({"manager"})

NAME_MAX = 100


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    id: uuid.UUID
    name: str
    scopes: tuple[str, ...]
    token: str  # shown once, never stored


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    id: uuid.UUID
    name: str
    scopes: tuple[str, ...]
    hint: str
    created_at: datetime
    created_by_name: str | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def parse_scopes(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Scopes from a form (repeated checkboxes) or the CLI (`a,b`), de-duplicated in
    catalogue order; unknown names are kept so that validation can name them."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    wanted = {s.strip() for item in items for s in item.split(",") if s.strip()}
    known = [s for s in SCOPES if s in wanted]
    return (*known, *sorted(wanted - set(SCOPES)))


def _validate(name: str, scopes: tuple[str, ...], offered: Collection[str]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if not name.strip():
        errors.append({"field": "name", "code": "required", "message": "Give the key a name."})
    elif len(name.strip()) > NAME_MAX:
        errors.append(
            {"field": "name", "code": "too_long", "message": "Use at most 100 characters."}
        )
    unknown = [s for s in scopes if s not in offered]
    if not scopes:
        errors.append(
            {"field": "scopes", "code": "required", "message": "Choose at least one scope."}
        )
    elif unknown:
        errors.append(
            {"field": "scopes", "code": "unknown", "message": "Choose scopes from the list."}
        )
    return errors


async def create_api_key(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    name: str,
    scopes: tuple[str, ...],
    actor_user_id: uuid.UUID | None = None,
    ip: str | None = None,
    offered: Collection[str] = tuple(SCOPES),
) -> CreatedApiKey:
    """Create a key and return its token, the only time it can be seen. `offered` are the
    scopes that may be granted (the console passes those some route requires)."""
    errors = _validate(name, scopes, offered)
    if errors:
        raise Invalid(errors=errors)
    key_id = uuid7()
    secret = new_secret(24)
    token = scoped_token(API_KEY_PREFIX, tenant_id, key_id, secret=secret)
    ApiKeyRepository(db, tenant_id).add(
        ApiKey(
            id=key_id,
            name=name.strip(),
            scopes=list(scopes),
            secret_hash=digest(secret),
            hint=token[-4:],
            created_by=actor_user_id,
        )
    )
    await db.flush()
    await record_audit(
        db,
        tenant_id,
        "apikey.created",
        actor_user_id=actor_user_id,
        subject_type="api_key",
        subject_id=key_id,
        data={"name": name.strip(), "scopes": list(scopes)},
        ip=ip,
    )
    return CreatedApiKey(id=key_id, name=name.strip(), scopes=scopes, token=token)


async def revoke_api_key(
    db: AsyncSession,
    tenant_id: TenantId,
    key_id: uuid.UUID,
    *,
    actor_user_id: uuid.UUID | None = None,
    ip: str | None = None,
) -> bool:
    """Revoke a key at once (the next request with it gets 401). Revoking twice is
    harmless and audited once."""
    repo = ApiKeyRepository(db, tenant_id)
    key = await repo.key(key_id)
    if key is None:
        raise NotFound()
    if not await repo.revoke(key_id, actor_user_id, clock.now()):
        return False
    await record_audit(
        db,
        tenant_id,
        "apikey.revoked",
        actor_user_id=actor_user_id,
        subject_type="api_key",
        subject_id=key_id,
        data={"name": key.name},
        ip=ip,
    )
    return True


def _view(key: ApiKey, created_by_name: str | None = None) -> ApiKeyView:
    return ApiKeyView(
        id=key.id,
        name=key.name,
        scopes=tuple(key.scopes),
        hint=key.hint,
        created_at=key.created_at,
        created_by_name=created_by_name,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


async def list_api_keys(db: AsyncSession, tenant_id: TenantId) -> list[ApiKeyView]:
    """Every key of the enterprise, revoked ones kept for the record."""
    rows = await ApiKeyRepository(db, tenant_id).list_keys()
    return [_view(row.ApiKey, row.created_by_name) for row in rows]


async def get_api_key(db: AsyncSession, tenant_id: TenantId, key_id: uuid.UUID) -> ApiKeyView:
    key = await ApiKeyRepository(db, tenant_id).key(key_id)
    if key is None:
        raise NotFound()
    return _view(key)
