"""The offline gate: the signed pack a gate verifies passes with when the river takes the
network away, and the batch of its queued scans applied when the network is back.

The pack is signed with the enterprise's pack key, an Ed25519 key derived from the server's
SECRET_KEY and the tenant's id (HKDF): never stored, the same for every pack of the
enterprise, independent of the pass keys (which rotate, and which the gate learns from the
pack). A gate is enrolled with its fingerprint and refuses a pack signed by anything else
(docs/boarding.md, "Offline gate").

A batch goes through the gangway's `record_scan`, one scan at a time in the device's order,
under a lock on the device: each scan is applied once (a repeated device sequence number is
answered from the stored scan), and a passenger two offline gates both let aboard is boarded
once and reported as a conflict for the purser, never counted twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.settings import get_settings
from modules.boarding.domain import PORTS, ScanOutcome, b64, key_fingerprint, seal_pack
from modules.boarding.repository.offline import OfflineRepository
from modules.boarding.service.gangway import DeviceSequenceReused, ScanResult, record_scan
from modules.boarding.service.keys import verification_keys

__all__ = [
    "MAX_BATCH",
    "PACK_VALID_FOR",
    "BatchItem",
    "BatchResult",
    "PackKey",
    "QueuedScan",
    "apply_scan_batch",
    "offline_pack",
    "offline_pack_key",
]

# How long a gate may use a pack: revocations made after it was downloaded are unknown to
# the gate, so a pack older than this is refused and must be downloaded again.
PACK_VALID_FOR = timedelta(hours=48)
MAX_BATCH = 1000
_PACK_KEY_SALT = b"zhilv boarding offline pack v1"


@dataclass(frozen=True, slots=True)
class PackKey:
    """The enterprise's pack key as a purser sees it to enrol a gate."""

    public_key: str  # base64url of the raw 32 bytes
    fingerprint: str


def _pack_private_key(tenant_id: TenantId) -> Ed25519PrivateKey:
    seed = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=_PACK_KEY_SALT,
        info=uuid.UUID(str(tenant_id)).bytes,
    ).derive(get_settings().secret_key.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def offline_pack_key(tenant_id: TenantId) -> PackKey:
    """The public half and fingerprint of the key that signs the enterprise's packs."""
    public = _pack_private_key(tenant_id).public_key().public_bytes_raw()
    return PackKey(public_key=b64(public), fingerprint=key_fingerprint(public))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


async def offline_pack(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> dict[str, object]:
    """Everything a gate needs to judge the voyage's passes without the network, signed:
    the voyage and its port calls, the public keys that still verify, each live pass with
    its passenger's name, cabin, boarding port call and whether they are aboard (no ID
    numbers: a lost gate must not leak the manifest's documents), and the revoked passes."""
    repo = OfflineRepository(db, tenant_id)
    voyage = await repo.voyage(voyage_id)
    if voyage is None:
        raise NotFound()
    now = clock.now()
    calls = await repo.port_calls(voyage.id)
    codes = {call.id: call.port_code for call in calls}
    payload: dict[str, object] = {
        "tenant_id": str(tenant_id),
        "generated_at": _iso(now),
        "expires_at": _iso(now + PACK_VALID_FOR),
        "voyage": {
            "id": str(voyage.id),
            "number": voyage.number,
            "direction": voyage.direction,
            "status": voyage.status,
            "ship": await repo.ship_name(voyage.ship_id),
            "sails_at": _iso(voyage.sails_at),
            "arrives_at": _iso(voyage.arrives_at),
            "port_calls": [
                {
                    "id": str(call.id),
                    "seq": call.seq,
                    "port_code": call.port_code,
                    "port_name": PORTS[call.port_code].name if call.port_code in PORTS else "",
                    "embarking": call.embarking,
                    "disembarking": call.disembarking,
                    "arrives_at": _iso(call.arrives_at),
                    "departs_at": _iso(call.departs_at),
                    "boarding_opens_at": _iso(call.boarding_opens_at),
                    "boarding_closes_at": _iso(call.boarding_closes_at),
                }
                for call in calls
            ],
        },
        "keys": [
            {"kid": k.kid, "public_key": b64(k.public_key), "verify_until": _iso(k.verify_until)}
            for k in await verification_keys(db, tenant_id, at=now)
        ],
        "passes": [
            {
                "pass_id": str(p.id),
                "passenger_id": str(person.id),
                "name": person.name,
                "cabin": person.cabin_number,
                "boarding_call_id": str(person.boarding_call_id),
                "boarding_port": codes.get(person.boarding_call_id, ""),
                "valid_from": _iso(p.valid_from),
                "valid_until": _iso(p.valid_until),
                "movements": person.movements,
                "aboard": person.aboard,
            }
            for p, person in await repo.live_passes(voyage.id, now)
        ],
        "revoked": [
            {"pass_id": str(pass_id), "revoked_at": _iso(at)}
            for pass_id, at in await repo.revoked_passes(voyage.id, now)
        ],
    }
    return seal_pack(payload, _pack_private_key(tenant_id))


# Batches of queued scans ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueuedScan:
    """One scan a gate let through while offline, as it queued it."""

    device_seq: int
    code: str
    direction: str
    port_call_id: uuid.UUID
    scanned_at: datetime


@dataclass(frozen=True, slots=True)
class BatchItem:
    """What became of one queued scan: `accepted`, `duplicate` (applied before; `outcome`
    says how), `refused` (with the reason) or `conflict` (the passenger was already moved by
    another gate: not applied, to be sorted out by the purser)."""

    device_seq: int
    result: str
    outcome: str | None
    reason: str | None
    passenger_id: uuid.UUID | None
    name: str
    cabin: str
    movement_no: int | None


@dataclass(frozen=True, slots=True)
class BatchResult:
    device_id: str
    voyage_id: uuid.UUID
    received: int
    accepted: int
    duplicates: int
    refused: int
    conflicts: int
    aboard: int
    items: list[BatchItem]


def _item(result: ScanResult) -> BatchItem:
    if result.replayed:
        kind = "duplicate"
    elif result.outcome is ScanOutcome.ACCEPTED:
        kind = "accepted"
    elif result.outcome is ScanOutcome.CONFLICT:
        kind = "conflict"
    else:
        kind = "refused"
    return BatchItem(
        device_seq=result.device_seq,
        result=kind,
        outcome=result.outcome.value,
        reason=result.reason.value if result.reason else None,
        passenger_id=result.passenger_id,
        name=result.passenger_name,
        cabin=result.cabin_number,
        movement_no=result.movement_no,
    )


def _not_applied(seq: int, reason: str) -> BatchItem:
    return BatchItem(seq, "refused", None, reason, None, "", "", None)


async def apply_scan_batch(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    device_id: str,
    voyage_id: uuid.UUID,
    scans: list[QueuedScan],
    actor: Actor,
) -> BatchResult:
    """Apply a gate's queued scans exactly once, in the device's order, each judged at the
    time the device scanned it. Uploading the same batch again changes nothing: every scan
    answers `duplicate` with what it did the first time."""
    if not scans or len(scans) > MAX_BATCH:
        raise Invalid.field("scans", "Send from 1 to 1000 scans in a batch.")
    seqs = [s.device_seq for s in scans]
    if len(set(seqs)) != len(seqs):
        raise Invalid.field("scans", "Each scan of a batch has its own device sequence number.")
    if not device_id:
        raise Invalid.field("device_id", "Name the scanning device (at most 64 characters).")
    repo = OfflineRepository(db, tenant_id)
    if await repo.voyage(voyage_id) is None:
        raise NotFound()
    await repo.lock_device(device_id)
    items: list[BatchItem] = []
    for scan in sorted(scans, key=lambda s: s.device_seq):
        try:
            result = await record_scan(
                db,
                tenant_id,
                code=scan.code,
                voyage_id=voyage_id,
                port_call_id=scan.port_call_id,
                direction=scan.direction,
                device_id=device_id,
                device_seq=scan.device_seq,
                scanned_at=scan.scanned_at,
                actor=actor,
                offline=True,
            )
        except DeviceSequenceReused:
            items.append(_not_applied(scan.device_seq, "device_seq_reused"))
            continue
        except Invalid:
            items.append(_not_applied(scan.device_seq, "invalid"))
            continue
        items.append(_item(result))
    counts = {kind: sum(1 for i in items if i.result == kind) for kind in _KINDS}
    return BatchResult(
        device_id=device_id,
        voyage_id=voyage_id,
        received=len(scans),
        accepted=counts["accepted"],
        duplicates=counts["duplicate"],
        refused=counts["refused"],
        conflicts=counts["conflict"],
        aboard=await repo.aboard_count(voyage_id),
        items=items,
    )


_KINDS = ("accepted", "duplicate", "refused", "conflict")
