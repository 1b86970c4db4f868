"""argon2id password hashing (RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)
# A hash verified when the account does not exist, so that timing does not tell.
_DUMMY = _hasher.hash("zhilv-dummy-password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """An msgid when the password is too weak to accept."""
    if len(password) < MIN_LENGTH:
        return "Use at least 10 characters."
    if password.isdigit() or password.isalpha():
        return "Mix letters with digits or symbols."
    return None
