"""The one clock. Services, jobs and pages read the time here, never from `datetime.now()`
or `date.today()`, so that tests can set it (time-machine moves what these return) and the
suite gives the same answers at any hour in any time zone.

An enterprise's local date is always taken in its own time zone (`tenants.timezone`,
Asia/Shanghai when unset): a Chongqing hotel's "today" starts at 00:00 in Chongqing, whatever
the server's zone. PostgreSQL's `now()` does not follow the test clock, so code whose answer
must agree with it passes `clock.now()` into SQL instead of calling `now()` there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


class _HasTimezone(Protocol):
    @property
    def timezone(self) -> str | None: ...


def tz_of(tenant: _HasTimezone | None) -> str:
    """The zone name an enterprise's dates are taken in: its own, or China's when unset."""
    return (tenant.timezone if tenant is not None else None) or DEFAULT_TZ


_AS_OF: ContextVar[datetime | None] = ContextVar("zhilv_clock_as_of", default=None)


def now() -> datetime:
    """The current instant, timezone-aware, in UTC (or the instant `as_of` set)."""
    moment = _AS_OF.get()
    return moment if moment is not None else datetime.now(UTC)


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """Read `moment` as the current instant inside the block (this task only): the demo
    records last month's business through the ordinary services. Rows' database defaults
    (`created_at`) still take the real time."""
    if moment.tzinfo is None:
        raise ValueError("as_of needs an aware datetime")
    token = _AS_OF.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _AS_OF.reset(token)


@lru_cache(maxsize=64)
def zone(tz: str | None = None) -> ZoneInfo:
    """A time zone by name; an enterprise without one is in China's."""
    return ZoneInfo(tz or DEFAULT_TZ)


def local_now(tz: str | None = None) -> datetime:
    """The current instant as a wall-clock time in the zone `tz`."""
    return now().astimezone(zone(tz))


def today(tz: str | None = None) -> date:
    """The calendar date in the zone `tz` (an enterprise's business date)."""
    return local_now(tz).date()


def local_date(moment: datetime, tz: str | None = None) -> date:
    """The calendar date of `moment` in the zone `tz`."""
    return moment.astimezone(zone(tz)).date()
