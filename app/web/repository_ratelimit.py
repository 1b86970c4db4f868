"""SQL of public-page rate limiting (`app.web.ratelimit`); the table is global."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.web.ratelimit_models import RateLimitHit


@dataclass(frozen=True, slots=True)
class Counted:
    """This hit's window, the hits in it so far (this one included) and the database's
    time when it was counted."""

    window_start: datetime
    count: int
    now: datetime


class RateLimitRepository:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def count_hit(self, bucket: str, key: str, per: timedelta) -> Counted:
        """Add one hit to the current fixed window of `per` and return the new count.

        One statement: the upsert takes the row's lock, so concurrent hits are counted
        one after the other and each sees a distinct count. Windows are aligned on the
        database clock (epoch multiples of `per`), the same for every app process."""
        seconds = per.total_seconds()
        start = func.to_timestamp(func.floor(func.extract("epoch", func.now()) / seconds) * seconds)
        stmt = (
            insert(RateLimitHit)
            .values(
                bucket=bucket,
                key=key,
                window_start=start,
                count=1,
                expires_at=start + literal(per * 2),
            )
            .on_conflict_do_update(
                index_elements=[RateLimitHit.bucket, RateLimitHit.key, RateLimitHit.window_start],
                set_={"count": RateLimitHit.count + 1},
            )
            .returning(RateLimitHit.window_start, RateLimitHit.count, func.now())
        )
        row = (await self.db.execute(stmt)).one()
        return Counted(window_start=row[0], count=int(row[1]), now=row[2])

    async def count_in(self, bucket: str, key: str, window_start: datetime) -> int:
        """The hits of one earlier window. FOR SHARE waits for transactions still
        counting into it, so a hit at a window's start sees all of the window before."""
        stmt = (
            select(RateLimitHit.count)
            .where(
                RateLimitHit.bucket == bucket,
                RateLimitHit.key == key,
                RateLimitHit.window_start == window_start,
            )
            .with_for_update(read=True)
        )
        return int((await self.db.execute(stmt)).scalar_one_or_none() or 0)

    async def forget_expired(self, bucket: str, key: str) -> None:
        """Drop this caller's windows that no longer count (bounded: at most a few)."""
        await self.db.execute(
            delete(RateLimitHit).where(
                RateLimitHit.bucket == bucket,
                RateLimitHit.key == key,
                RateLimitHit.expires_at < func.now(),
            )
        )

    async def prune(self) -> int:
        """Drop every window that no longer counts (callers who never came back)."""
        result = await self.db.execute(
            delete(RateLimitHit).where(RateLimitHit.expires_at < func.now())
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
