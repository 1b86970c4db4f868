"""The stand-in's control API, its state file and its command."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from devtools.bureau.bureau import Bureau
from devtools.bureau.messages import Request
from tests.bureau_fixtures import PROJECT_ROOT, running_bureau_sim, wait_for_url
from tests.bureau_sim.conftest import CODE, SECRET, Filer
from tests.bureau_sim.payloads import cancellation, contract, statistics


@pytest.fixture(autouse=True)
def _on_the_machine_clock(machine_clock):  # type: ignore[no-untyped-def]
    """ZHILV_TEST_CLOCK moves this process only: the stand-in is restarted in a process of its own, on the machine's clock."""
    yield


class TestFilingsAndStats:
    def test_filings_are_listed_oldest_first_and_filtered(
        self, filer: Filer, other_filer: Filer, bureau_sim
    ):
        filer.post("/v1/contracts", contract())
        filer.post("/v1/contracts/HT-2026-000123/cancellation", cancellation())
        other_filer.post("/v1/statistics", statistics())
        assert [f["kind"] for f in bureau_sim.filings()] == [
            "contract",
            "cancellation",
            "statistics",
        ]
        assert [f["kind"] for f in bureau_sim.filings(kind="cancellation")] == ["cancellation"]
        mine = bureau_sim.filings(enterprise_code=other_filer.code)
        assert [(f["kind"], f["enterprise_code"]) for f in mine] == [
            ("statistics", other_filer.code)
        ]
        assert set(mine[0]) == {
            "kind",
            "key",
            "enterprise_code",
            "path",
            "body",
            "receipt_no",
            "received_at",
        }

    def test_stats_count_what_the_bureau_saw(self, filer: Filer, bureau_sim):
        filer.post("/v1/contracts", contract(), key="a")
        filer.post("/v1/contracts", contract(), key="a")
        filer.post("/v1/contracts", contract(), key="b")
        filer.get("/v1/receipts/X", secret="y" * 40)
        bureau_sim.fail_next(1)
        filer.get("/v1/receipts/X")
        assert bureau_sim.stats() == {
            "requests": 5,
            "accepted": 1,
            "replayed": 1,
            "rejected": 2,
            "faulted": 1,
            "dropped": 0,
            "by_status": {"201": 1, "200": 1, "409": 1, "401": 1, "503": 1},
            "by_kind": {"contract": 1},
            "filings": 1,
        }


class TestControlInput:
    def test_registration_needs_a_credit_code_and_a_long_enough_secret(self, bureau_sim):
        response = httpx.post(
            f"{bureau_sim.url}/_sim/enterprises",
            json={"enterprise_code": "91500103", "filing_secret": "short"},
            trust_env=False,
        )
        assert response.status_code == 400
        assert {e["field"] for e in response.json()["errors"]} == {
            "enterprise_code",
            "filing_secret",
        }

    def test_unknown_or_malformed_fault_switches_are_refused(self, bureau_sim):
        for body in (
            {"fail_nxt": 1},
            {"fail_next": -1},
            {"fail_next": 1, "status": 200},
            {"delay_seconds": "1"},
        ):
            response = httpx.post(f"{bureau_sim.url}/_sim/faults", json=body, trust_env=False)
            assert response.status_code == 400, body
        assert bureau_sim.faults()["fail_next"] == 0

    def test_control_api_answers_only_on_loopback(self):
        bureau = Bureau()
        outside = bureau.handle(Request("POST", "/_sim/reset", {}, b"", "203.0.113.10"))
        assert outside.status == 404
        assert bureau.handle(Request("GET", "/_sim/stats", {}, b"", "::1")).status == 200
        assert bureau.handle(Request("GET", "/_sim/stats", {}, b"", "127.0.0.1")).status == 200


class TestStateFile:
    def test_restart_with_a_state_file_remembers_filings_keys_nonces_and_receipts(self, tmp_path):
        state = tmp_path / "bureau.json"
        with running_bureau_sim(state) as sim:
            sim.register(CODE, SECRET)
            with Filer(sim.url) as filer:
                first = filer.post("/v1/contracts", contract(), key="ht", nonce="0000000000000001")
        with running_bureau_sim(state) as sim:
            assert [f["receipt_no"] for f in sim.filings()] == [first.json()["receipt_no"]]
            with Filer(sim.url) as filer:
                assert filer.post("/v1/contracts", contract(), key="ht").content == first.content
                assert filer.post("/v1/contracts", contract(), key="other").status_code == 409
                assert filer.get("/v1/receipts/X", nonce="0000000000000001").status_code == 401
                later = filer.post("/v1/contracts", contract("HT-2"), key="ht-2").json()
        assert later["receipt_no"] != first.json()["receipt_no"]

    def test_without_a_state_file_a_restart_starts_empty(self):
        with running_bureau_sim() as sim:
            assert sim.filings() == []
            assert sim.stats()["requests"] == 0


class TestCommand:
    def test_zhilv_bureau_sim_serves_on_the_port_it_prints(self):
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "bureau-sim", "--port", "0"],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = wait_for_url(process)
            assert httpx.get(f"{url}/_sim/stats", trust_env=False).status_code == 200
        finally:
            process.terminate()
            assert process.wait(timeout=10) == 0
            process.stdout.close()
