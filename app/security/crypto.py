"""Secrets we must be able to read back (a tenant's bureau filing secret), encrypted at
rest with AES-256-GCM.

Unlike passwords and API keys, which we only ever compare and so store as digests, a
filing secret is needed in clear to sign each request. A database dump alone must not
give it away: the key comes from settings (FILING_ENCRYPTION_KEY, else derived from
SECRET_KEY), never from the database. Each value is bound to its owner (the tenant id is
the associated data), so a ciphertext copied into another tenant's row does not decrypt.

Stored form: `v1:<base64url(nonce ‖ ciphertext+tag)>`.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_NONCE_BYTES = 12
_INFO = b"zhilv secrets at rest v1"


class SecretUnreadable(Exception):
    """The stored value was not made with this key for this owner (or was altered)."""


def derive_key(material: str) -> bytes:
    """A 256-bit key from any configured string (HKDF-SHA256; the string is the IKM)."""
    if not material:
        raise ValueError("no key material configured")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    return hkdf.derive(material.encode())


class SecretBox:
    def __init__(self, material: str) -> None:
        self._aead = AESGCM(derive_key(material))

    def seal(self, plaintext: str, *, owner: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), owner.encode())
        return f"{VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, stored: str, *, owner: str) -> str:
        version, _, payload = stored.partition(":")
        if version != VERSION:
            raise SecretUnreadable(f"unknown format {version!r}")
        try:
            raw = base64.urlsafe_b64decode(payload.encode())
            clear = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], owner.encode())
        except (InvalidTag, ValueError) as exc:
            raise SecretUnreadable("cannot decrypt with this key for this owner") from exc
        return clear.decode()


def secret_box(filing_encryption_key: str, secret_key: str) -> SecretBox:
    """The box for filing secrets: FILING_ENCRYPTION_KEY, else one derived from SECRET_KEY
    (HKDF gives an independent key; SECRET_KEY itself is never used as the cipher key)."""
    return SecretBox(filing_encryption_key or f"filing-secrets:{secret_key}")
