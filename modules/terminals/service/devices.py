"""Terminal devices: registration, one-time pairing codes, revocation, room moves.

A device's token is `<tenant_id>.<device_id>.<secret>`; only the secret's digest is kept
(`tenants.context` checks it on every request). Pairing codes are six digits, live for
fifteen minutes, are kept as a keyed digest and die on first use. Wrong codes are counted
per tenant and per address so that nobody can walk through the million codes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId, keep_on_refusal
from app.errors import Invalid, NotFound, TooManyRequests
from app.security.tokens import digest, new_secret
from app.settings import get_settings
from modules.reservations import service as reservations
from modules.reservations.service import UnitView
from modules.terminals.domain import DeviceStatus
from modules.terminals.models import TerminalDevice
from modules.terminals.repository import DeviceRepository
from modules.terminals.schemas import DeviceView, PairedDevice, PairingCode
from tenants.service import record_audit

__all__ = [
    "CODE_TTL",
    "MAX_FAILURES_PER_ADDRESS",
    "MAX_FAILURES_PER_TENANT",
    "demo_pair",
    "list_devices",
    "move_device",
    "pair",
    "register_device",
    "repair_device",
    "revoke_device",
]

CODE_TTL = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 5
MAX_FAILURES_PER_TENANT = 30
WRONG_CODE = "This code is wrong or has expired. Ask the front desk for a new one."


def _code_hash(tenant_id: uuid.UUID, code: str) -> str:
    """Keyed, so that a copy of the table does not give the live codes away."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{tenant_id}:{code}".encode(), hashlib.sha256).hexdigest()


def device_token(tenant_id: uuid.UUID, device_id: uuid.UUID, secret: str) -> str:
    return f"{tenant_id}.{device_id}.{secret}"


def _status(d: TerminalDevice, now: datetime) -> DeviceStatus:
    if d.revoked_at is not None:
        return DeviceStatus.REVOKED
    if d.secret_hash is not None:
        return DeviceStatus.PAIRED
    if d.pairing_expires_at is not None and d.pairing_expires_at > now:
        return DeviceStatus.PAIRING
    return DeviceStatus.UNPAIRED


def _view(d: TerminalDevice, units: dict[uuid.UUID, UnitView]) -> DeviceView:
    unit = units.get(d.unit_id)
    return DeviceView(
        id=d.id,
        name=d.name,
        unit_id=d.unit_id,
        unit_number=unit.number if unit else "",
        status=_status(d, clock.now()),
        paired_at=d.paired_at,
        last_seen_at=d.last_seen_at,
        pairing_expires_at=d.pairing_expires_at,
    )


async def _units(db: AsyncSession, tenant_id: TenantId) -> dict[uuid.UUID, UnitView]:
    return {u.id: u for u in await reservations.list_units(db, tenant_id)}


async def list_devices(db: AsyncSession, tenant_id: TenantId) -> list[DeviceView]:
    units = await _units(db, tenant_id)
    devices = await DeviceRepository(db, tenant_id).devices()
    return sorted((_view(d, units) for d in devices), key=lambda v: (v.unit_number, v.name))


async def _new_code(repo: DeviceRepository, device: TerminalDevice) -> PairingCode:
    """A fresh code for the device; the old token (if any) dies at once."""
    for _ in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        code_hash = _code_hash(repo.tenant_id, code)
        if not await repo.code_in_use(code_hash):
            break
    else:  # pragma: no cover - a million codes, a handful live
        raise TooManyRequests("Too many pairing codes are open. Try again in a minute.")
    expires = clock.now() + CODE_TTL
    device.secret_hash = None
    device.paired_at = None
    device.revoked_at = None
    device.pairing_code_hash = code_hash
    device.pairing_expires_at = expires
    await repo.flush()
    units = await _units(repo.db, repo.tenant_id)
    return PairingCode(device=_view(device, units), code=code, expires_at=expires)


async def _unit(db: AsyncSession, tenant_id: TenantId, unit_id: uuid.UUID | None) -> UnitView:
    unit = (await _units(db, tenant_id)).get(unit_id) if unit_id else None
    if unit is None:
        raise Invalid.field("unit_id", "Choose a room or cabin.")
    return unit


async def register_device(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    name: str,
    unit_id: uuid.UUID | None,
    actor_id: uuid.UUID | None = None,
) -> PairingCode:
    """A new terminal for a room or cabin, with its first pairing code."""
    errors = []
    if not name.strip() or len(name.strip()) > 100:
        errors.append({"field": "name", "code": "required", "message": "Give the terminal a name."})
    try:
        unit = await _unit(db, tenant_id, unit_id)
    except Invalid as exc:
        errors.extend(exc.errors or [])
    if errors:
        raise Invalid(errors=errors)
    repo = DeviceRepository(db, tenant_id)
    device = TerminalDevice(name=name.strip(), unit_id=unit.id, created_by=actor_id)
    repo.add(device)
    await repo.flush()
    await record_audit(
        db,
        tenant_id,
        "terminal.registered",
        actor_user_id=actor_id,
        subject_type="terminal_device",
        subject_id=device.id,
        data={"unit": unit.number},
    )
    return await _new_code(repo, device)


async def _device(repo: DeviceRepository, device_id: uuid.UUID) -> TerminalDevice:
    device = await repo.device(device_id)
    if device is None:
        raise NotFound()
    return device


async def repair_device(
    db: AsyncSession, tenant_id: TenantId, device_id: uuid.UUID, *, actor_id: uuid.UUID | None
) -> PairingCode:
    """A new code for a replaced or reset tablet; whatever held the old token is out."""
    repo = DeviceRepository(db, tenant_id)
    device = await _device(repo, device_id)
    await record_audit(
        db,
        tenant_id,
        "terminal.repair",
        actor_user_id=actor_id,
        subject_type="terminal_device",
        subject_id=device.id,
    )
    return await _new_code(repo, device)


async def revoke_device(
    db: AsyncSession, tenant_id: TenantId, device_id: uuid.UUID, *, actor_id: uuid.UUID | None
) -> None:
    """A lost or stolen tablet: its token and any open code stop working at once."""
    repo = DeviceRepository(db, tenant_id)
    device = await _device(repo, device_id)
    device.revoked_at = device.revoked_at or clock.now()
    device.secret_hash = None
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    await repo.flush()
    await record_audit(
        db,
        tenant_id,
        "terminal.revoked",
        actor_user_id=actor_id,
        subject_type="terminal_device",
        subject_id=device.id,
    )


async def move_device(
    db: AsyncSession,
    tenant_id: TenantId,
    device_id: uuid.UUID,
    *,
    unit_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
) -> DeviceView:
    """The tablet now hangs in another room: from its next request it shows that room."""
    repo = DeviceRepository(db, tenant_id)
    device = await _device(repo, device_id)
    unit = await _unit(db, tenant_id, unit_id)
    device.unit_id = unit.id
    await repo.flush()
    await record_audit(
        db,
        tenant_id,
        "terminal.moved",
        actor_user_id=actor_id,
        subject_type="terminal_device",
        subject_id=device.id,
        data={"unit": unit.number},
    )
    return _view(device, await _units(db, tenant_id))


async def _check_throttle(repo: DeviceRepository, ip: str | None, now: datetime) -> None:
    since = now - FAILURE_WINDOW
    if ip is not None and await repo.failures_since(since, ip) >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyRequests(retry_after=int(FAILURE_WINDOW.total_seconds()))
    if await repo.failures_since(since) >= MAX_FAILURES_PER_TENANT:
        raise TooManyRequests(retry_after=int(FAILURE_WINDOW.total_seconds()))


async def _failed_pairing(db: AsyncSession, tenant_id: TenantId, ip: str | None) -> None:
    repo = DeviceRepository(db, tenant_id)
    repo.record_attempt(ip, False)
    await repo.flush()


async def pair(db: AsyncSession, tenant_id: TenantId, code: str, *, ip: str | None) -> PairedDevice:
    """Trade a code typed on the device for the device's token (returned once).

    A wrong or expired code is recorded (kept although the request is refused) and
    answers `Invalid`; past the limits it answers `TooManyRequests` without even looking
    at the code."""
    repo = DeviceRepository(db, tenant_id)
    await repo.lock_pairing()
    now = clock.now()
    await _check_throttle(repo, ip, now)
    typed = "".join(ch for ch in code if ch in "0123456789")
    secret = new_secret()
    device = None
    if len(typed) == 6:
        device = await repo.claim_code(_code_hash(tenant_id, typed), digest(secret), now)
    if device is None:
        await keep_on_refusal(db, lambda session: _failed_pairing(session, tenant_id, ip))
        raise Invalid.field("code", WRONG_CODE, "wrong_code")
    repo.record_attempt(ip, True)
    await repo.flush()
    await record_audit(
        db,
        tenant_id,
        "terminal.paired",
        subject_type="terminal_device",
        subject_id=device.id,
        ip=ip,
    )
    return PairedDevice(device_id=device.id, token=device_token(tenant_id, device.id, secret))


async def demo_pair(db: AsyncSession, tenant_id: TenantId, room: str) -> PairedDevice:
    """Development only (the route checks): the room's terminal, paired at once with a
    fresh token, so `make run` can show a terminal without typing a code."""
    unit = next((u for u in await reservations.list_units(db, tenant_id) if u.number == room), None)
    if unit is None:
        raise NotFound()
    repo = DeviceRepository(db, tenant_id)
    device = await repo.first_for_unit(unit.id)
    if device is None:
        device = TerminalDevice(name=f"演示终端 {unit.number}", unit_id=unit.id)
        repo.add(device)
    secret = new_secret()
    now = clock.now()
    device.secret_hash = digest(secret)
    device.paired_at = device.paired_at or now
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    await repo.flush()
    return PairedDevice(device_id=device.id, token=device_token(tenant_id, device.id, secret))
