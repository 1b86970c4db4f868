"""The kernel clock: it follows the test's clock, gives an enterprise's date in its own
zone, and is the only place the product reads the time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import time_machine

from app import clock
from app.settings import PROJECT_ROOT


class TestNow:
    def test_follows_the_test_clock(self) -> None:
        with time_machine.travel(datetime(2026, 12, 7, 15, 30, tzinfo=UTC), tick=False):
            assert clock.now() == datetime(2026, 12, 7, 15, 30, tzinfo=UTC)
            assert clock.now().tzinfo is not None

    def test_local_now_is_the_same_instant_on_the_zone_s_wall(self) -> None:
        with time_machine.travel(datetime(2026, 12, 7, 15, 30, tzinfo=UTC), tick=False):
            local = clock.local_now("Asia/Shanghai")
            assert (local.hour, local.minute) == (23, 30)
            assert local == clock.now()


class TestAsOf:
    def test_the_block_reads_the_given_instant_and_the_real_clock_after(self) -> None:
        moment = datetime(2026, 11, 12, 10, 0, tzinfo=clock.zone())
        with time_machine.travel(datetime(2026, 12, 7, 15, 30, tzinfo=UTC), tick=False):
            with clock.as_of(moment):
                assert clock.now() == moment
                assert clock.today() == date(2026, 11, 12)
            assert clock.now() == datetime(2026, 12, 7, 15, 30, tzinfo=UTC)

    def test_a_naive_instant_is_refused(self) -> None:
        import pytest

        with pytest.raises(ValueError), clock.as_of(datetime(2026, 11, 12, 10, 0)):
            pass


class TestToday:
    def test_chongqing_is_already_tomorrow_when_utc_is_not(self) -> None:
        # 23:30 UTC on the 7th is 07:30 on the 8th in Chongqing.
        with time_machine.travel(datetime(2026, 12, 7, 23, 30, tzinfo=UTC), tick=False):
            assert clock.today("UTC") == date(2026, 12, 7)
            assert clock.today("Asia/Shanghai") == date(2026, 12, 8)
            assert clock.today() == date(2026, 12, 8)

    def test_half_past_midnight_in_chongqing_is_yesterday_in_utc(self) -> None:
        with time_machine.travel(datetime.fromisoformat("2026-12-08T00:30:00+08:00"), tick=False):
            assert clock.today("Asia/Shanghai") == date(2026, 12, 8)
            assert clock.today("UTC") == date(2026, 12, 7)
            assert clock.today("America/New_York") == date(2026, 12, 7)

    def test_an_enterprise_without_a_zone_is_in_china_s(self) -> None:
        class Tenant:
            timezone: str | None = None

        assert clock.tz_of(None) == clock.DEFAULT_TZ
        assert clock.tz_of(Tenant()) == clock.DEFAULT_TZ
        chongqing = Tenant()
        chongqing.timezone = "Asia/Chongqing"
        assert clock.tz_of(chongqing) == "Asia/Chongqing"

    def test_local_date_of_a_moment(self) -> None:
        moment = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
        assert clock.local_date(moment, "Asia/Shanghai") == date(2026, 12, 8)
        assert clock.local_date(moment, "UTC") == date(2026, 12, 7)


# Development stand-ins (devtools/, outside the product) read the machine's clock as they like.
_EXEMPT = ("app/clock.py",)
_WALL_CLOCK = re.compile(
    r"\bdatetime\.(now|utcnow|today)\(|\bdate\.today\(|\btime\.time\(|\bdatetime\.datetime\.now\("
)


def _reads_of_the_wall_clock() -> list[str]:
    found = []
    for package in ("app", "tenants", "modules", "workers"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            name = path.relative_to(PROJECT_ROOT).as_posix()
            if name.startswith(_EXEMPT):
                continue
            for number, line in enumerate(Path(path).read_text().splitlines(), 1):
                if _WALL_CLOCK.search(line) and "# clock-ok" not in line:
                    found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_the_product_reads_the_time_only_from_the_kernel_clock() -> None:
    assert _reads_of_the_wall_clock() == [], (
        "read the time with app.clock (now, today, local_now), or mark a justified "
        "exception with `# clock-ok`"
    )
