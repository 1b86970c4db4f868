"""Pure rules of cruise boarding: the Yangtze ports, voyage and passenger states, scan outcomes
and voyage numbers.

Ports (shared/domain/REFERENCE.md §5.2): a Three Gorges cruise downstream (下水) boards at 重庆
朝天门 and calls at 丰都, 忠县, 万州, 奉节, 巫山 (and 巴东 or 秭归 on some ships) before passengers
leave the ship in the 宜昌 area; upstream (上水) is the reverse. When the water is low at
朝天门 the line buses passengers to 丰都 or 涪陵 and boards them there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import struct
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.enums import LabelledEnum


@dataclass(frozen=True, slots=True)
class Port:
    code: str
    name: str  # shown as is: a place name
    name_en: str
    district: str  # GB/T 2260 county code (REFERENCE §5.1), or the Hubei city's
    pier: str  # the pier passengers are sent to, with its address


PORTS: dict[str, Port] = {
    p.code: p
    for p in (
        Port("CTM", "朝天门", "Chaotianmen (Chongqing)", "500103", "重庆市渝中区 朝天门码头"),
        Port("FL", "涪陵", "Fuling", "500102", "重庆市涪陵区 涪陵港客运码头"),
        Port("FD", "丰都", "Fengdu", "500230", "重庆市丰都县 名山码头"),
        Port("ZX", "忠县", "Zhongxian (Shibaozhai)", "500233", "重庆市忠县 石宝寨码头"),
        Port("WZ", "万州", "Wanzhou", "500101", "重庆市万州区 万州港客运码头"),
        Port("FJ", "奉节", "Fengjie (White Emperor City)", "500236", "重庆市奉节县 白帝城码头"),
        Port("WS", "巫山", "Wushan", "500237", "重庆市巫山县 巫山港客运码头"),
        Port("BD", "巴东", "Badong", "422823", "湖北省巴东县 巴东港"),
        Port("ZG", "秭归", "Zigui (Maoping)", "420527", "湖北省秭归县 茅坪港"),
        Port("YC", "宜昌", "Yichang", "420500", "湖北省宜昌市 宜昌港客运码头"),
    )
}
# Where a low-water voyage may board instead of 朝天门 (buses from the city).
LOW_WATER_PORTS = ("FD", "FL")
DOWNSTREAM_CALLS = ("CTM", "FD", "ZX", "WZ", "FJ", "WS", "YC")


class Direction(LabelledEnum):
    DOWNSTREAM = "downstream", "Downstream (Chongqing → Yichang)"
    UPSTREAM = "upstream", "Upstream (Yichang → Chongqing)"


class VoyageStatus(LabelledEnum):
    PLANNED = "planned", "Planned"
    BOARDING = "boarding", "Boarding"
    SAILING = "sailing", "Sailing"
    ARRIVED = "arrived", "Arrived"
    CANCELLED = "cancelled", "Cancelled"


# The moves a purser may make; anything else is refused.
VOYAGE_MOVES: dict[VoyageStatus, tuple[VoyageStatus, ...]] = {
    VoyageStatus.PLANNED: (VoyageStatus.BOARDING, VoyageStatus.CANCELLED),
    VoyageStatus.BOARDING: (VoyageStatus.SAILING, VoyageStatus.CANCELLED),
    VoyageStatus.SAILING: (VoyageStatus.ARRIVED,),
    VoyageStatus.ARRIVED: (),
    VoyageStatus.CANCELLED: (),
}


class PassengerStatus(LabelledEnum):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Pre-checked-in"
    CANCELLED = "cancelled", "Cancelled"


class ScanDirection(LabelledEnum):
    EMBARK = "embark", "Boarding"
    DISEMBARK = "disembark", "Going ashore"


class ScanOutcome(LabelledEnum):
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"
    CONFLICT = "conflict", "Conflict"


class RefusalReason(LabelledEnum):
    """Why the gangway said no (shown big and red, and stored with the scan)."""

    ALREADY_ABOARD = "already_aboard", "Already aboard"
    NOT_ABOARD = "not_aboard", "Not aboard"
    WRONG_VOYAGE = "wrong_voyage", "Another voyage"
    WRONG_PORT = "wrong_port", "Boards at another port"
    NOT_YET_VALID = "not_yet_valid", "Not yet valid"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    FORGED = "forged", "Forged"
    UNKNOWN = "unknown", "Unknown code"
    CANCELLED = "cancelled", "Booking cancelled"


class CrewRole(LabelledEnum):
    CAPTAIN = "captain", "Captain"
    OFFICER = "officer", "Officer"
    ENGINEER = "engineer", "Engineer"
    PURSER = "purser", "Purser"
    HOSPITALITY = "hospitality", "Hospitality"
    GUIDE = "guide", "Tour guide"
    MEDICAL = "medical", "Medical"
    OTHER = "other", "Other crew"


VOYAGE_NUMBER = re.compile(r"^[A-Z]{2,4}\d{8}[A-Z]?$", re.ASCII)


def voyage_number(prefix: str, sails_on: date, suffix: str = "A") -> str:
    """`CJ20261210A`: the line's prefix, the sailing date, a letter for a second sailing."""
    return f"{prefix}{sails_on:%Y%m%d}{suffix}"


def movement_direction(movement_no: int) -> ScanDirection:
    """A passenger's moves alternate: the first (and every odd) move is boarding, the next
    going ashore. Numbering them lets the database refuse a second boarding by a unique key."""
    return ScanDirection.EMBARK if movement_no % 2 == 1 else ScanDirection.DISEMBARK


# Offline pack ---------------------------------------------------------------------------
#
# What a gate carries when the river takes the network away (GET .../offline-pack): the
# voyage, the live passes with each passenger's name and cabin, the public keys, the revoked
# pass ids, signed by the server with the enterprise's pack key (docs/boarding.md, "Offline
# gate"). The signature is Ed25519 over PACK_FORMAT, a newline and the payload's canonical
# JSON (keys sorted, no spaces, UTF-8); the prefix keeps a pack's signature from ever
# passing for a pass's.

PACK_FORMAT = "zhilv-offline-pack/1"


class PackRefused(ValueError):
    """The pack is not one a gate may trust: altered, signed by another key, malformed."""


def canonical_json(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def pack_message(payload: Mapping[str, object]) -> bytes:
    """The signed bytes of an offline pack."""
    return PACK_FORMAT.encode() + b"\n" + canonical_json(payload)


def key_fingerprint(public_key: bytes) -> str:
    """What a purser compares when enrolling a gate: SHA-256 of the raw public key, the
    first 16 bytes as eight groups of four hex digits."""
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return "-".join(digest[i : i + 4] for i in range(0, 32, 4))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal_pack(payload: Mapping[str, object], private_key: Ed25519PrivateKey) -> dict[str, object]:
    """The envelope a gate downloads: the payload, who signed it and the signature."""
    public = private_key.public_key().public_bytes_raw()
    return {
        "format": PACK_FORMAT,
        "signer": {"public_key": b64(public), "fingerprint": key_fingerprint(public)},
        "payload": payload,
        "signature": b64(private_key.sign(pack_message(payload))),
    }


def open_pack(envelope: object, *, trusted_key: bytes | None) -> tuple[dict[str, object], bytes]:
    """The payload of a signed pack and its signer's public key, once the signature holds.

    With a trusted key (the one the gate was enrolled with), a pack signed by any other key
    is refused, whatever key it names. Without one (the first download, over TLS with the
    gate's API key) the named key is returned for the caller to pin."""
    if not isinstance(envelope, dict) or envelope.get("format") != PACK_FORMAT:
        raise PackRefused("not an offline pack")
    payload, signer = envelope.get("payload"), envelope.get("signer")
    if not isinstance(payload, dict) or not isinstance(signer, dict):
        raise PackRefused("not an offline pack")
    try:
        named = unb64(str(signer["public_key"]))
        signature = unb64(str(envelope["signature"]))
    except (KeyError, ValueError, binascii.Error) as exc:
        raise PackRefused("not an offline pack") from exc
    if trusted_key is not None and named != trusted_key:
        raise PackRefused("signed by a key this gate does not trust")
    if not _signature_holds(named, pack_message(payload), signature):
        raise PackRefused("the signature does not hold: the pack was altered")
    return payload, named


# Pass codec -----------------------------------------------------------------------------
#
# A boarding pass is `ZB1.` followed by the RFC 4648 base32 (upper case, no padding) of
#
#   kid          5 bytes   the signing key's id (its 8 base32 characters, PassKey.kid)
#   pass id     16 bytes   boarding_passes.id
#   voyage id   16 bytes   boarding_voyages.id (= voyages.id)
#   passenger   16 bytes   passengers.id
#   valid from   4 bytes   unsigned Unix seconds, big-endian
#   valid until  4 bytes
#   port         1 + n     length, then the boarding port's code (ASCII, PORTS)
#   cabin        1 + n     length, then the cabin number (UTF-8)
#   signature   64 bytes   Ed25519 over b"ZB1." + everything above
#
# About 135 bytes, 220 characters: every character is in the QR alphanumeric set, so the
# code fits a version 8-9 QR (49-53 modules) at error level M, and a HID scanner types it
# without shifted symbols. A gate verifies it offline with the enterprise's public keys.

CODE_PREFIX = "ZB1."
KID_BYTES = 5
KID_LENGTH = 8  # base32 characters of KID_BYTES
SIGNATURE_BYTES = 64
_PASS_HEAD = struct.Struct(f">{KID_BYTES}s16s16s16sII")
_MAX_CODE_LENGTH = 400


@dataclass(frozen=True, slots=True)
class PassClaims:
    """What a pass says (trusted only once its signature has been checked)."""

    kid: str
    pass_id: uuid.UUID
    voyage_id: uuid.UUID
    passenger_id: uuid.UUID
    valid_from: datetime
    valid_until: datetime
    port_code: str
    cabin: str


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A public key a gate accepts, until `verify_until` (None: the key signs today)."""

    kid: str
    public_key: bytes
    verify_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class OfflineCheck:
    """The pass's claims when it verifies (`reason` None); else why not. Claims come with
    a refusal only when the signature held (an expired pass still names its passenger)."""

    reason: RefusalReason | None
    claims: PassClaims | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def new_kid() -> str:
    """A fresh key id: 40 random bits as 8 base32 characters."""
    return base64.b32encode(secrets.token_bytes(KID_BYTES)).decode()


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def pass_message(claims: PassClaims) -> bytes:
    """The signed bytes of a pass: the prefix and the packed claims."""
    port = claims.port_code.encode("ascii")
    cabin = claims.cabin.encode()
    if len(port) > 255 or len(cabin) > 255:
        raise ValueError("port code or cabin too long for a pass")
    head = _PASS_HEAD.pack(
        base64.b32decode(claims.kid),
        claims.pass_id.bytes,
        claims.voyage_id.bytes,
        claims.passenger_id.bytes,
        _seconds(claims.valid_from),
        _seconds(claims.valid_until),
    )
    return CODE_PREFIX.encode() + head + bytes([len(port)]) + port + bytes([len(cabin)]) + cabin


def encode_pass(claims: PassClaims, signature: bytes) -> str:
    """The code printed in the QR: prefix, then base32 of the claims and the signature."""
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError("an Ed25519 signature has 64 bytes")
    body = pass_message(claims)[len(CODE_PREFIX) :] + signature
    return CODE_PREFIX + base64.b32encode(body).decode().rstrip("=")


def sign_pass(claims: PassClaims, private_key: bytes) -> str:
    """Sign the claims with a raw 32-byte Ed25519 private key and encode the pass."""
    key = Ed25519PrivateKey.from_private_bytes(private_key)
    return encode_pass(claims, key.sign(pass_message(claims)))


def decode_pass(code: str) -> tuple[PassClaims, bytes, bytes] | None:
    """The claims, the signed message and the signature of a code; None when the text is
    not a pass of ours at all (a hotel key card, a typo, a truncated scan)."""
    text = "".join(code.split()).upper()
    if len(text) > _MAX_CODE_LENGTH or not text.startswith(CODE_PREFIX):
        return None
    data = text[len(CODE_PREFIX) :]
    try:
        raw = base64.b32decode(data + "=" * (-len(data) % 8))
    except (binascii.Error, ValueError):
        return None
    body, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    if len(signature) != SIGNATURE_BYTES or len(body) < _PASS_HEAD.size + 2:
        return None
    kid, pass_id, voyage_id, passenger_id, start, end = _PASS_HEAD.unpack_from(body)
    rest = body[_PASS_HEAD.size :]
    port_len = rest[0]
    port, rest = rest[1 : 1 + port_len], rest[1 + port_len :]
    if len(port) != port_len or not rest or len(rest) != 1 + rest[0]:
        return None
    try:
        port_code, cabin = port.decode("ascii"), rest[1:].decode()
    except UnicodeDecodeError:
        return None
    claims = PassClaims(
        kid=base64.b32encode(kid).decode(),
        pass_id=uuid.UUID(bytes=pass_id),
        voyage_id=uuid.UUID(bytes=voyage_id),
        passenger_id=uuid.UUID(bytes=passenger_id),
        valid_from=datetime.fromtimestamp(start, UTC),
        valid_until=datetime.fromtimestamp(end, UTC),
        port_code=port_code,
        cabin=cabin,
    )
    return claims, CODE_PREFIX.encode() + body, signature


def _signature_holds(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_offline(
    code: str,
    keys: Iterable[VerificationKey | tuple[str, bytes, datetime | None]],
    *,
    at: datetime,
    voyage_id: uuid.UUID | None = None,
    revoked: Collection[uuid.UUID] = (),
) -> OfflineCheck:
    """Judge a pass with nothing but the enterprise's public keys (a gate without network).

    In order: not a pass of ours or a key id we do not know (another enterprise's pass) is
    `unknown`; a signature that does not hold is `forged`; then another voyage (when the
    gate says which it serves), a revoked pass id (from the offline pack), not yet valid,
    expired. A retired key whose `verify_until` has passed verifies nothing new: what it
    signed has expired."""
    decoded = decode_pass(code)
    if decoded is None:
        return OfflineCheck(RefusalReason.UNKNOWN)
    claims, message, signature = decoded
    listed = (k if isinstance(k, VerificationKey) else VerificationKey(*k) for k in keys)
    by_kid = {k.kid: k for k in listed}
    key = by_kid.get(claims.kid)
    if key is None:
        return OfflineCheck(RefusalReason.UNKNOWN)
    if not _signature_holds(key.public_key, message, signature):
        return OfflineCheck(RefusalReason.FORGED)
    if voyage_id is not None and claims.voyage_id != voyage_id:
        return OfflineCheck(RefusalReason.WRONG_VOYAGE, claims)
    if claims.pass_id in revoked:
        return OfflineCheck(RefusalReason.REVOKED, claims)
    return OfflineCheck(validity_refusal(claims.valid_from, claims.valid_until, key, at), claims)


def validity_refusal(
    valid_from: datetime, valid_until: datetime, key: VerificationKey, at: datetime
) -> RefusalReason | None:
    """Not yet valid, expired (the pass's window or its key's), or None."""
    if key.verify_until is not None and at >= key.verify_until:
        return RefusalReason.EXPIRED
    if at < valid_from:
        return RefusalReason.NOT_YET_VALID
    if at >= valid_until:
        return RefusalReason.EXPIRED
    return None
