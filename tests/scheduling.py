"""How `pytest -n N --dist loadfile` (`make test`) shares the test files among its workers.

xdist's own loadfile hands out files in order of how many tests they hold, so the browser
flows (one test of 10-40 s per file) and the other heavy one-test files came last, and one
worker ran on alone for minutes after the other had finished. Here:

- every browser test file is one unit of work, so one worker starts the live server, the
  browser and the Stripe emulator for all of them instead of each worker starting its own;
- units go out longest first: by the seconds each file took in the last full run (kept in
  pytest's cache), else by the committed tests/durations.json, else by a guess from the
  number of tests. The short files at the end even the workers out.

Refresh tests/durations.json now and then with `pytest -n 2 --dist loadfile
--store-durations`; a stale entry only changes the order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

DURATIONS = Path(__file__).with_name("durations.json")
CACHE_KEY = "zhilv/file-seconds"
BROWSER_UNIT = "browser tests"
BROWSER_GUESS = 15.0  # seconds a browser test takes when nothing is known of its file
TEST_GUESS = 0.5


def is_browser_file(path: str) -> bool:
    return path.startswith("tests/e2e/") or path.endswith("_browser.py")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-durations",
        action="store_true",
        help="write each file's seconds of this run into tests/durations.json",
    )


def known_seconds(config: pytest.Config) -> dict[str, float]:
    known: dict[str, float] = {}
    if DURATIONS.exists():
        known.update(json.loads(DURATIONS.read_text(encoding="utf-8")))
    cache = getattr(config, "cache", None)
    if cache is not None:
        known.update(cache.get(CACHE_KEY, {}))
    return known


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadFileScheduling

    class LongestFirst(LoadFileScheduling):
        """Files as units (browser files as one), handed out longest first."""

        _ordered = False

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return BROWSER_UNIT if is_browser_file(path) else path

        def _assign_work_unit(self, node: Any) -> None:
            if not self._ordered:  # the first assignment: the queue is complete
                self._ordered = True
                known = known_seconds(self.config)
                units = sorted(self.workqueue.items(), key=lambda u: -unit_seconds(u[1], known))
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return LongestFirst(config, log)


def unit_seconds(nodeids: dict[str, bool], known: dict[str, float]) -> float:
    tests: dict[str, int] = defaultdict(int)
    for nodeid in nodeids:
        tests[nodeid.split("::", 1)[0]] += 1
    return sum(
        known.get(path, n * (BROWSER_GUESS if is_browser_file(path) else TEST_GUESS))
        for path, n in tests.items()
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadfile":
        return None
    return make_scheduler(config, log)


class Stopwatch:
    """Seconds per file of this run (set-up, call and teardown), in the controlling process."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid.split("::", 1)[0]] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        option = config.option
        if not self.seconds or option.keyword or option.markexpr or getattr(option, "lf", 0):
            return  # a part of the suite: its files' seconds may be of some of their tests
        measured = {path: round(s, 1) for path, s in sorted(self.seconds.items())}
        cache = getattr(config, "cache", None)
        if cache is not None:
            cache.set(CACHE_KEY, {**cache.get(CACHE_KEY, {}), **measured})
        if config.option.store_durations:
            DURATIONS.write_text(json.dumps(measured, indent=1) + "\n", encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controlling process, or a run without -n
        config.pluginmanager.register(Stopwatch(), "zhilv-stopwatch")
