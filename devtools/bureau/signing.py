"""How the bureau checks a request's signature (PROTOCOL.md, Request signing), written
from the document alone: the client's signing code is deliberately not imported.
"""

from __future__ import annotations

import hashlib
import hmac
import re

TIMESTAMP = re.compile(r"^\d{1,12}$")
NONCE = re.compile(r"^[A-Za-z0-9-]{16,64}$")
WINDOW_SECONDS = 300


def canonical(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """METHOD, path-with-query as sent, timestamp, nonce and the body's SHA-256, joined by
    newlines. `target` holds the request-target's bytes as latin-1, so it is signed
    byte for byte as it came over the wire."""
    return b"\n".join(
        (
            method.upper().encode("ascii"),
            target.encode("latin-1"),
            timestamp.encode("ascii"),
            nonce.encode("ascii"),
            hashlib.sha256(body).hexdigest().encode("ascii"),
        )
    )


def expected_signature(secret: bytes, message: bytes) -> str:
    return hmac.digest(secret, message, "sha256").hex()


def signature_matches(secret: bytes, message: bytes, given: str) -> bool:
    """Lowercase hex only, as published: an upper-case signature is refused too."""
    return hmac.compare_digest(
        expected_signature(secret, message).encode(), given.encode("latin-1")
    )
