"""The stand-in misbehaves on request, the way the filing engine must survive: busy,
down, slow, and answers lost after the filing was stored."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from tests.bureau_sim.conftest import Filer, encode
from tests.bureau_sim.payloads import contract, statistics


class TestFailNext:
    def test_next_requests_get_the_status_and_retry_after_then_it_recovers(
        self, filer: Filer, bureau_sim
    ):
        bureau_sim.fail_next(2, status=503, retry_after=2)
        answers = [filer.post("/v1/statistics", statistics(), key="k") for _ in range(3)]
        assert [a.status_code for a in answers] == [503, 503, 201]
        assert answers[0].headers["retry-after"] == "2"
        assert answers[0].json()["code"] == "unavailable"
        assert bureau_sim.stats()["faulted"] == 2
        assert len(bureau_sim.filings()) == 1

    def test_too_many_requests_and_other_errors(self, filer: Filer, bureau_sim):
        bureau_sim.fail_next(1, status=429)
        busy = filer.post("/v1/statistics", statistics())
        assert busy.status_code == 429
        assert busy.json()["code"] == "too_many_requests"
        assert "retry-after" not in busy.headers
        bureau_sim.fail_next(1, status=502)
        assert filer.get("/v1/receipts/X").status_code == 502

    def test_failed_request_is_not_processed_so_it_can_be_sent_again_as_is(
        self, filer: Filer, bureau_sim
    ):
        body = encode(statistics())
        headers = {
            **filer.headers("POST", "/v1/statistics", body),
            "Content-Type": "application/json",
            "Idempotency-Key": "k",
        }
        bureau_sim.fail_next(1)
        assert filer.http.post("/v1/statistics", content=body, headers=headers).status_code == 503
        assert filer.http.post("/v1/statistics", content=body, headers=headers).status_code == 201


class TestDelay:
    def test_answer_comes_late_but_the_filing_is_stored_first(self, filer: Filer, bureau_sim):
        bureau_sim.delay(0.6)
        result: dict[str, object] = {}

        def send() -> None:
            started = time.monotonic()
            result["status"] = filer.post("/v1/contracts", contract()).status_code
            result["took"] = time.monotonic() - started

        sender = threading.Thread(target=send)
        sender.start()
        deadline = time.monotonic() + 0.5
        while not bureau_sim.filings() and time.monotonic() < deadline:
            time.sleep(0.02)
        stored_while_waiting = bool(bureau_sim.filings()) and sender.is_alive()
        sender.join()
        assert stored_while_waiting
        assert result["status"] == 201
        assert result["took"] >= 0.6
        bureau_sim.delay(0)
        started = time.monotonic()
        filer.get("/v1/receipts/X")
        assert time.monotonic() - started < 0.3


class TestDropNext:
    def test_filing_is_stored_but_the_answer_never_comes(self, filer: Filer, bureau_sim):
        bureau_sim.drop_next(1)
        with pytest.raises(httpx.RemoteProtocolError):
            filer.post("/v1/contracts", contract(), key="lost")
        [stored] = bureau_sim.filings()
        retry = filer.post("/v1/contracts", contract(), key="lost")
        assert retry.status_code == 200
        assert retry.json()["receipt_no"] == stored["receipt_no"]
        assert bureau_sim.stats()["dropped"] == 1

    def test_not_a_single_byte_of_answer_is_sent(self, filer: Filer, bureau_sim):
        body = encode(statistics())
        headers = {
            **filer.headers("POST", "/v1/statistics", body),
            "Content-Type": "application/json",
            "Idempotency-Key": "k",
            "Content-Length": str(len(body)),
        }
        head = "POST /v1/statistics HTTP/1.1\r\nHost: x\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        bureau_sim.drop_next(1)
        host, port = bureau_sim.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(head.encode() + b"\r\n" + body)
            try:
                received = sock.recv(1024)
            except ConnectionResetError:
                received = b""
        assert received == b""
        assert len(bureau_sim.filings()) == 1

    def test_drops_count_down_then_answers_come_back(self, filer: Filer, bureau_sim):
        bureau_sim.drop_next(2)
        for _ in range(2):
            with pytest.raises(httpx.RemoteProtocolError):
                filer.get("/v1/receipts/X")
        assert filer.get("/v1/receipts/X").status_code == 404


class TestDown:
    def test_down_bureau_refuses_everything_until_it_is_back(self, filer: Filer, bureau_sim):
        bureau_sim.down()
        refused = filer.post("/v1/contracts", contract(), key="k")
        assert refused.status_code == 503
        assert "retry-after" not in refused.headers
        assert filer.get("/v1/receipts/X").status_code == 503
        assert bureau_sim.filings() == []
        bureau_sim.down(False)
        assert filer.post("/v1/contracts", contract(), key="k").status_code == 201

    def test_down_can_close_connections_instead(self, filer: Filer, bureau_sim):
        bureau_sim.down(how="close")
        with pytest.raises(httpx.RemoteProtocolError):
            filer.post("/v1/contracts", contract())
        assert bureau_sim.filings() == []
        assert bureau_sim.stats()["faulted"] == 1


class TestReset:
    def test_reset_forgets_enterprises_filings_nonces_and_faults(self, filer: Filer, bureau_sim):
        filer.post("/v1/statistics", statistics(), nonce="n" * 16)
        bureau_sim.fail_next(5)
        bureau_sim.drop_next(5)
        bureau_sim.clock(999)
        bureau_sim.reset()
        assert bureau_sim.filings() == []
        assert bureau_sim.stats()["requests"] == 0
        assert filer.get("/v1/receipts/X").status_code == 401
        bureau_sim.register(filer.code, filer.secret)
        assert filer.post("/v1/statistics", statistics(), nonce="n" * 16).status_code == 201
