"""Rate limiting for public pages (contract check, guide look-up, signing codes).

`allow(db, bucket, key, limit=..., per=...)` counts one hit for `key` (a client address,
usually `ctx.ip`) in `bucket` (one name per kind of request) and says whether it stays
within `limit` hits per `per`. A "sliding window counter": hits are counted in fixed
windows of `per` and the previous window's count is weighed by how much of it still
overlaps the sliding window that ends now. This needs two small rows per caller instead
of a row per hit, and it never lets a burst of 2 x limit through at a window boundary
as plain fixed windows would.

Concurrency: the hit is counted by one upsert that holds the row's lock until the
caller's transaction ends, so racing requests from one caller are counted one after the
other and never more than `limit` of them are allowed (tests/app/test_ratelimit.py).
The hit is kept whatever the answer (`keep_on_refusal`): a request answered 400 or above
is rolled back, and its hit is then counted again in a transaction of its own. So a
refusal may be raised (`RateLimited`, rendered as a 429 page or JSON) or rendered, and a
wrong code answered 4xx is still counted.

Old windows are deleted for the same caller on each hit and for everyone by
`prune_rate_limits` (periodic job `web.prune_rate_limits` in app/web/tasks.py).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import keep_on_refusal
from app.errors import TooManyRequests
from app.web.repository_ratelimit import RateLimitRepository

__all__ = ["RateLimited", "allow", "prune_rate_limits"]

# Callers without a known address (a test client, a proxy not configured) share one key:
# limiting them together is the safe side.
UNKNOWN_KEY = "unknown"
MAX_KEY_LENGTH = 200


class RateLimited(TooManyRequests):
    """429, rendered as a page (or JSON) in the caller's language by the error mapper."""

    code = "rate_limited"
    message = "Too many requests from your network. Please wait a few minutes and try again."


def _key(key: str | None) -> str:
    if not key:
        return UNKNOWN_KEY
    if len(key) > MAX_KEY_LENGTH:
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


async def allow(
    db: AsyncSession, bucket: str, key: str | None, *, limit: int, per: timedelta
) -> bool:
    """Count this request and say whether it is within `limit` per `per` for this key."""
    if limit < 1 or per <= timedelta(0):
        raise ValueError("limit must be positive and per longer than zero")
    repo = RateLimitRepository(db)
    caller = _key(key)
    counted = await keep_on_refusal(
        db, lambda session: RateLimitRepository(session).count_hit(bucket, caller, per)
    )
    previous = await repo.count_in(bucket, caller, counted.window_start - per)
    await repo.forget_expired(bucket, caller)
    elapsed = (counted.now - counted.window_start) / per
    weighted = previous * max(0.0, 1.0 - elapsed)
    return counted.count + weighted <= limit


async def prune_rate_limits(db: AsyncSession) -> int:
    """Delete every window that no longer counts (for the periodic job)."""
    return await RateLimitRepository(db).prune()
