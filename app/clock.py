"""The one clock. Services, jobs and pages read the time here, never from `datetime.now()`
or `date.today()`, so that tests can set it (time-machine moves what these return) and the
suite gives the same answers at any hour in any time zone.

An enterprise's local date is always taken in its own time zone (`tenants.timezone`,
Asia/Shanghai when unset): a Chongqing hotel's "today" starts at 00:00 in Chongqing, whatever
the server's zone. PostgreSQL's `now()` does not follow the test clock, so code whose answer
must agree with it passes `clock.now()` into SQL instead of calling `now()` there.
"""

from __future__ import annotations

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


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


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
