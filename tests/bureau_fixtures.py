"""The bureau stand-in as pytest fixtures (registered in tests/conftest.py).

- `bureau_sim_server` (session): `python -m devtools.bureau` as a subprocess on a free
  loopback port, stopped at the end of the session (one per xdist worker);
- `bureau_sim`: the same server, reset before each test (no enterprises, filings,
  nonces or faults; the clock offset back to 0).

Filing kinds as the stand-in names them (`filings(kind=...)`, `stats()["by_kind"]`):
"contract", "amendment", "cancellation", "group", "statistics", "guide_assignment".
Each filing is {kind, key, enterprise_code, path, body, receipt_no, received_at}.
`stats()` counts bureau requests (`/v1/...`) seen: requests, accepted (201), replayed
(200 replays), rejected (4xx), faulted (fail_next and down), dropped, by_status
({"201": n, ...}), by_kind (accepted filings) and filings (their total).
Receipt numbers ("CQ" + kind + YYYYMMDD + sequence) never repeat within one server
process, resets included. Beyond the shared interface: `clock(offset_seconds)`,
`faults()`, `down(how="close")`, and `running_bureau_sim(state_file)` for a private one.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 20.0


def travelled_seconds() -> float:
    """How far ZHILV_TEST_CLOCK moved this process's clock: the stand-in runs in its own
    process, on the machine's clock, and is moved by as much to agree with the tests."""
    if not os.environ.get("ZHILV_TEST_CLOCK"):
        return 0.0
    import time_machine

    return time.time() - time_machine.escape_hatch.time.time()


class BureauSim:
    """Sync control of a running stand-in (fine from async tests too: it is loopback)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=10.0, trust_env=False)

    def register(self, enterprise_code: str, filing_secret: str, suspended: bool = False) -> None:
        """Register (or update) an enterprise the way the bureau does before it may file."""
        self._post(
            "/_sim/enterprises",
            {
                "enterprise_code": enterprise_code,
                "filing_secret": filing_secret,
                "suspended": suspended,
            },
        )

    def fail_next(self, n: int, status: int = 503, retry_after: int | None = None) -> None:
        """The next n bureau requests get `status` (with Retry-After when given), unprocessed."""
        self._post("/_sim/faults", {"fail_next": n, "status": status, "retry_after": retry_after})

    def delay(self, seconds: float) -> None:
        """Answer every bureau request this much later (after storing); 0 stops it."""
        self._post("/_sim/faults", {"delay_seconds": seconds})

    def drop_next(self, n: int) -> None:
        """Process (and store) the next n requests, then close the connection unanswered."""
        self._post("/_sim/faults", {"drop_next": n})

    def down(self, is_down: bool = True, how: str = "503") -> None:
        """Refuse every bureau request until set back: with a 503 (no Retry-After), or with
        how="close" by closing the connection without answering."""
        self._post("/_sim/faults", {"down": is_down, "how": how})

    def clock(self, offset_seconds: float) -> None:
        """Move the bureau's clock (the 300 s window, 24 h nonces, 30-day keys)."""
        self._post("/_sim/clock", {"offset_seconds": travelled_seconds() + offset_seconds})

    def reset(self) -> None:
        """Forget enterprises, nonces, filings, faults and the clock offset (the stand-in
        then reads the same time as the tests, ZHILV_TEST_CLOCK included)."""
        self._post("/_sim/reset", {})
        if offset := travelled_seconds():
            self._post("/_sim/clock", {"offset_seconds": offset})

    def filings(
        self, kind: str | None = None, enterprise_code: str | None = None
    ) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"kind": kind, "enterprise_code": enterprise_code}.items() if v}
        return self._get("/_sim/filings", params)  # type: ignore[no-any-return]

    def stats(self) -> dict[str, Any]:
        return self._get("/_sim/stats")  # type: ignore[no-any-return]

    def faults(self) -> dict[str, Any]:
        return self._get("/_sim/faults")  # type: ignore[no-any-return]

    def close(self) -> None:
        self._http.close()

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        response = self._http.post(path, json=payload)
        if response.status_code != 200:
            raise AssertionError(f"bureau-sim {path} refused {payload}: {response.text}")
        return response.json()

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        response = self._http.get(path, params=params)
        response.raise_for_status()
        return response.json()


@contextmanager
def running_bureau_sim(state_file: Path | None = None) -> Iterator[BureauSim]:
    """A stand-in in its own process for the duration of the block."""
    command = [sys.executable, "-m", "devtools.bureau", "--host", "127.0.0.1", "--port", "0"]
    if state_file is not None:
        command += ["--state-file", str(state_file)]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        sim = BureauSim(wait_for_url(process))
        try:
            yield sim
        finally:
            sim.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def wait_for_url(process: subprocess.Popen[str]) -> str:
    """The server prints "bureau-sim listening on <url>" once its socket is bound."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            line = process.stdout.readline()
            if line.startswith("bureau-sim listening on "):
                return line.rsplit(" ", 1)[1].strip()
        if process.poll() is not None:
            break
    raise RuntimeError(f"bureau-sim did not start (exit code {process.poll()})")


@pytest.fixture(scope="session")
def bureau_sim_server() -> Iterator[BureauSim]:
    with running_bureau_sim() as sim:
        yield sim


@pytest.fixture
def bureau_sim(bureau_sim_server: BureauSim) -> BureauSim:
    bureau_sim_server.reset()
    return bureau_sim_server
