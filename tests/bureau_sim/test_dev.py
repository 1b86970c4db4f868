"""`zhilv dev` starts the stand-in where BUREAU_URL points, when that is on loopback."""

from __future__ import annotations

import socket

import httpx

from devtools.bureau.dev import start_for_development


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestStartForDevelopment:
    def test_starts_on_the_bureau_url_and_keeps_its_state_file(self, tmp_path):
        url = f"http://127.0.0.1:{free_port()}"
        state = tmp_path / "data" / "bureau-sim.json"
        process = start_for_development(url, state)
        assert process is not None
        try:
            registered = httpx.post(
                f"{url}/_sim/enterprises",
                json={"enterprise_code": "91500103MA5U7Q2K0X", "filing_secret": "s" * 32},
                trust_env=False,
            )
            assert registered.status_code == 200
            assert start_for_development(url, state) is None  # already there: not a second one
        finally:
            process.terminate()
            process.wait(timeout=10)
        assert "91500103MA5U7Q2K0X" in state.read_text()

    def test_a_bureau_elsewhere_is_left_alone(self, tmp_path):
        assert (
            start_for_development("https://bureau.cq.gov.example/api", tmp_path / "s.json") is None
        )
        assert start_for_development("http://10.0.0.5:8100", tmp_path / "s.json") is None
        assert not (tmp_path / "s.json").exists()
