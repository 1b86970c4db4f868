"""Random secrets and their stored digests. Only digests are ever stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def scoped_token(prefix: str, *ids: uuid.UUID, secret: str) -> str:
    """`<prefix>_<id hex>_..._<secret>`: ids say where to look, the secret proves it."""
    return "_".join([prefix, *(i.hex for i in ids), secret])


def parse_scoped_token(token: str, prefix: str, n_ids: int) -> tuple[list[uuid.UUID], str] | None:
    parts = token.split("_", n_ids + 1)
    if len(parts) != n_ids + 2 or parts[0] != prefix or not parts[-1]:
        return None
    try:
        ids = [uuid.UUID(hex=p) for p in parts[1:-1]]
    except ValueError:
        return None
    return ids, parts[-1]
