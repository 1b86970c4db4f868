"""Public-page rate limiting: the limit holds per caller and per bucket, earlier windows
still weigh, and a race of real concurrent transactions never lets more through."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db.engine import Database
from app.web.ratelimit import allow, prune_rate_limits
from app.web.ratelimit_models import RateLimitHit
from tests.races import Race

HOUR = timedelta(hours=1)


def _bucket() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


async def _hits(db, bucket: str, key: str | None, n: int, limit: int = 3) -> list[bool]:
    return [await allow(db, bucket, key, limit=limit, per=HOUR) for _ in range(n)]


async def _window_start(db, per: timedelta):
    seconds = per.total_seconds()
    return await db.scalar(
        select(func.to_timestamp(func.floor(func.extract("epoch", func.now()) / seconds) * seconds))
    )


class TestLimit:
    async def test_the_limit_is_honoured_then_refused(self, db):
        assert await _hits(db, _bucket(), "198.51.100.7", 5) == [True, True, True, False, False]

    async def test_callers_and_buckets_are_counted_separately(self, db):
        bucket, other = _bucket(), _bucket()
        assert await _hits(db, bucket, "198.51.100.7", 4) == [True, True, True, False]
        assert await _hits(db, bucket, "198.51.100.8", 3) == [True, True, True]
        assert await _hits(db, other, "198.51.100.7", 3) == [True, True, True]

    async def test_callers_without_an_address_share_one_limit(self, db):
        bucket = _bucket()
        assert await _hits(db, bucket, None, 2) == [True, True]
        assert await _hits(db, bucket, "", 2) == [True, False]

    async def test_a_very_long_key_is_still_counted(self, db):
        key = "x" * 500
        assert await _hits(db, _bucket(), key, 4) == [True, True, True, False]

    async def test_nonsense_limits_are_refused(self, db):
        with pytest.raises(ValueError):
            await allow(db, _bucket(), "k", limit=0, per=HOUR)


class TestSlidingWindow:
    async def test_a_full_previous_window_still_refuses(self, db):
        bucket, key = _bucket(), "198.51.100.9"
        start = await _window_start(db, HOUR)
        db.add(
            RateLimitHit(
                bucket=bucket,
                key=key,
                window_start=start - HOUR,
                count=10**6,
                expires_at=start + HOUR,
            )
        )
        await db.flush()
        # A previous window's weight only falls to zero at the end of the current one.
        assert await allow(db, bucket, key, limit=10, per=HOUR) is False

    async def test_windows_before_the_previous_one_no_longer_count(self, db):
        bucket, key = _bucket(), "198.51.100.9"
        start = await _window_start(db, HOUR)
        db.add(
            RateLimitHit(
                bucket=bucket,
                key=key,
                window_start=start - 2 * HOUR,
                count=10**6,
                expires_at=start,
            )
        )
        await db.flush()
        assert await allow(db, bucket, key, limit=10, per=HOUR) is True
        # ...and the caller's expired window is gone.
        rows = await db.scalar(
            select(func.count()).select_from(RateLimitHit).where(RateLimitHit.bucket == bucket)
        )
        assert rows == 1

    async def test_prune_deletes_only_expired_windows(self, db):
        bucket = _bucket()
        start = await _window_start(db, HOUR)
        db.add_all(
            [
                RateLimitHit(
                    bucket=bucket,
                    key="old",
                    window_start=start - 3 * HOUR,
                    count=1,
                    expires_at=start - HOUR,
                ),
                RateLimitHit(
                    bucket=bucket,
                    key="new",
                    window_start=start,
                    count=1,
                    expires_at=start + 2 * HOUR,
                ),
            ]
        )
        await db.flush()
        assert await prune_rate_limits(db) >= 1
        keys = (
            await db.scalars(select(RateLimitHit.key).where(RateLimitHit.bucket == bucket))
        ).all()
        assert keys == ["new"]


@pytest.mark.realdb
class TestRace:
    async def test_concurrent_requests_never_exceed_the_limit(self, committed_database):
        """40 requests from one address, each in its own real transaction that lingers
        after counting (as a request rendering its page does): exactly `limit` pass."""
        bucket, limit = _bucket(), 7

        race = Race(committed_database)

        async def request(database: Database) -> bool:
            async with database.transaction() as db:
                allowed = await allow(db, bucket, "192.0.2.50", limit=limit, per=HOUR)
                await race.hold(db)  # lingers until the next request waits on its count
                return allowed

        outcomes = await race.run(*(request(committed_database) for _ in range(40)))
        assert outcomes.count(True) == limit
        async with committed_database.transaction() as db:
            assert await allow(db, bucket, "192.0.2.50", limit=limit, per=HOUR) is False
            assert await allow(db, bucket, "192.0.2.51", limit=limit, per=HOUR) is True
