"""Tables of the contracts module (every one tenant-scoped, row-level security forced by its
migration)."""

from __future__ import annotations

from app.db.base import Base  # noqa: F401
