"""The enterprise's Ed25519 keys that sign boarding passes.

The newest key that is not retired signs. Rotating retires it and makes a new one; the
retired key keeps verifying until the last pass it signed expires (`verify_until`), so a
rotation never turns away a passenger holding a good pass. The private key is sealed at
rest like the bureau secrets (`app.security.crypto`), bound to the tenant and the key id,
with key material from settings (PASS_KEY_ENCRYPTION_KEY), never from the database.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.security.crypto import SecretBox
from app.settings import Settings, get_settings
from modules.boarding.domain import VerificationKey, new_kid
from modules.boarding.models import PassKey
from modules.boarding.repository.passes import PassKeyRepository
from tenants.service import record_audit

__all__ = [
    "KeyView",
    "pass_keys",
    "rotate_key",
    "verification_keys",
]


@dataclass(frozen=True, slots=True)
class KeyView:
    kid: str
    created_at: datetime
    retired_at: datetime | None
    verify_until: datetime | None
    signing: bool
    passes: int
    fingerprint: str  # first bytes of the public key, for comparing with a gate's pack


def key_box(settings: Settings | None = None) -> SecretBox:
    s = settings or get_settings()
    return SecretBox(
        s.pass_key_encryption_key or f"boarding-pass-keys:{s.filing_encryption_key or s.secret_key}"
    )


def _owner(tenant_id: TenantId, kid: str) -> str:
    return f"{tenant_id}:boarding-pass-key:{kid}"


def _raw(key: Ed25519PrivateKey) -> tuple[bytes, bytes]:
    private = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return private, public


async def _new_key(repo: PassKeyRepository) -> PassKey:
    private, public = _raw(Ed25519PrivateKey.generate())
    kid = new_kid()
    sealed = key_box().seal(base64.b64encode(private).decode(), owner=_owner(repo.tenant_id, kid))
    row = PassKey(kid=kid, public_key=public, private_key_sealed=sealed)
    repo.add(row)
    await repo.db.flush()
    return row


def unseal(tenant_id: TenantId, key: PassKey) -> bytes:
    """The raw private key (raises SecretUnreadable when the sealing key changed)."""
    return base64.b64decode(
        key_box().open(key.private_key_sealed, owner=_owner(tenant_id, key.kid))
    )


async def signing_key(db: AsyncSession, tenant_id: TenantId) -> tuple[str, bytes]:
    """The kid and private key that sign new passes, making the enterprise's first key
    when it has none. Holds the keys' lock shared until the transaction ends, so a
    rotation waits for these passes to be written."""
    repo = PassKeyRepository(db, tenant_id)
    if await repo.signing_key() is None:
        await repo.lock_exclusive()  # the first key is made once, however many ask
    await repo.lock_shared()
    key = await repo.signing_key() or await _new_key(repo)
    return key.kid, unseal(tenant_id, key)


async def key_for(db: AsyncSession, tenant_id: TenantId, kid: str) -> bytes | None:
    """The private key of `kid` (to draw an issued pass again: Ed25519 signs the same
    bytes the same way, so the code never changes)."""
    key = await PassKeyRepository(db, tenant_id).by_kid(kid)
    return unseal(tenant_id, key) if key is not None else None


async def rotate_key(db: AsyncSession, tenant_id: TenantId, *, actor: Actor) -> KeyView:
    """A new key signs from now on; the one it replaces verifies until the last pass it
    signed expires (at once, when it signed none)."""
    repo = PassKeyRepository(db, tenant_id)
    await repo.lock_exclusive()
    now = clock.now()
    old = await repo.signing_key()
    if old is not None:
        last = await repo.last_expiry(old.kid)
        old.retired_at = now
        old.verify_until = max(last, now) if last is not None else now
    new = await _new_key(repo)
    await record_audit(
        db,
        tenant_id,
        "boarding.pass_key_rotated",
        actor_user_id=actor.user_id,
        subject_type="boarding_pass_key",
        subject_id=new.id,
        data={"kid": new.kid, "retired": old.kid if old else None},
        ip=actor.ip,
    )
    await db.flush()
    return (await pass_keys(db, tenant_id))[0]


async def pass_keys(db: AsyncSession, tenant_id: TenantId) -> list[KeyView]:
    """Every key of the enterprise, newest first, with how many passes each signed."""
    repo = PassKeyRepository(db, tenant_id)
    keys = await repo.keys()
    counts = await repo.passes_signed(k.kid for k in keys)
    signer = await repo.signing_key()
    return [
        KeyView(
            kid=k.kid,
            created_at=k.created_at,
            retired_at=k.retired_at,
            verify_until=k.verify_until,
            signing=signer is not None and k.id == signer.id,
            passes=counts.get(k.kid, 0),
            fingerprint=k.public_key[:8].hex(),
        )
        for k in keys
    ]


async def verification_keys(
    db: AsyncSession, tenant_id: TenantId, *, at: datetime | None = None
) -> list[VerificationKey]:
    """The public keys a gate needs: each `(kid, public_key_bytes, verify_until)`, for the
    keys that still verify (at `at`, default now)."""
    keys = await PassKeyRepository(db, tenant_id).live_keys(at or clock.now())
    return [VerificationKey(k.kid, bytes(k.public_key), k.verify_until) for k in keys]
