"""Online pre-check-in and the passenger's passes.

From 72 hours before sailing the passengers of a cabin open one link (in the booking SMS
and on the confirmation), confirm their details and an emergency contact, and get a
boarding pass each: a page with a big QR code, a PNG and a PDF.

The link is `/checkin?token=<tenant id>.<reservation id hex><mac>`: the mac is an HMAC
(SECRET_KEY, labelled) of tenant and reservation, 128 bits, so a link cannot be guessed
or moved to another booking, and nothing has to be stored to check it. It names one
cabin's reservation; whoever holds the confirmation holds it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import timedelta

from app.db.engine import TenantId
from app.settings import get_settings

__all__ = [
    "CHECKIN_OPENS_BEFORE_SAILING",
    "CHECKIN_PATH",
    "checkin_token",
    "checkin_url",
    "reservation_of_secret",
]

CHECKIN_PATH = "/checkin"
CHECKIN_OPENS_BEFORE_SAILING = timedelta(hours=72)
_MAC_CHARS = 22  # 132 bits of base64url


def _mac(tenant_id: uuid.UUID, reservation_id: uuid.UUID) -> str:
    key = get_settings().secret_key.encode()
    msg = f"boarding-checkin:{tenant_id}:{reservation_id}".encode()
    digest = hmac.new(key, msg, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]


def checkin_token(tenant_id: uuid.UUID, reservation_id: uuid.UUID) -> str:
    return f"{tenant_id}.{reservation_id.hex}{_mac(tenant_id, reservation_id)}"


def checkin_url(tenant_id: uuid.UUID, reservation_id: uuid.UUID) -> str:
    """The full pre-check-in link of a cabin's booking (for the SMS and the confirmation)."""
    base = get_settings().base_url.rstrip("/")
    return f"{base}{CHECKIN_PATH}?token={checkin_token(tenant_id, reservation_id)}"


def reservation_of_secret(tenant_id: TenantId, secret: str) -> uuid.UUID | None:
    """The reservation a link's secret part names, or None for a wrong or altered link."""
    if len(secret) != 32 + _MAC_CHARS:
        return None
    try:
        reservation_id = uuid.UUID(hex=secret[:32])
    except ValueError:
        return None
    given = secret[32:].encode()
    if not hmac.compare_digest(given, _mac(tenant_id, reservation_id).encode()):
        return None
    return reservation_id
