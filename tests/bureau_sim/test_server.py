"""The stand-in's HTTP/1.1 server speaks enough HTTP for any client: keep-alive,
pipelining, chunked bodies, `Expect: 100-continue`, and refuses malformed requests."""

from __future__ import annotations

import re
import socket

from tests.bureau_sim.conftest import Filer, encode
from tests.bureau_sim.payloads import statistics


def raw_request(
    filer: Filer, body: bytes, *, chunked: bool = False, extra: str = "", key: str = "k"
) -> bytes:
    headers = {
        **filer.headers("POST", "/v1/statistics", body),
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    head = "POST /v1/statistics HTTP/1.1\r\nHost: bureau\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    if chunked:
        middle = len(body) // 2
        chunks = (
            f"{middle:x}\r\n".encode()
            + body[:middle]
            + f"\r\n{len(body) - middle:X};x=1\r\n".encode()
        )
        return (
            (head + "Transfer-Encoding: chunked\r\n" + extra + "\r\n").encode()
            + chunks
            + body[middle:]
            + b"\r\n0\r\n\r\n"
        )
    return (head + f"Content-Length: {len(body)}\r\n" + extra + "\r\n").encode() + body


def exchange(url: str, data: bytes, answers: int = 1, *, send_after_first: bytes = b"") -> bytes:
    host, port = url.removeprefix("http://").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        while received.count(b"HTTP/1.1 ") < answers or not received.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
            if send_after_first and received.startswith(b"HTTP/1.1 100"):
                sock.sendall(send_after_first)
                send_after_first = b""
    return received


class TestHttp:
    def test_pipelined_requests_are_answered_in_order(self, filer: Filer):
        first = raw_request(filer, encode(statistics()), key="a")
        second = raw_request(filer, encode(statistics("hot_spring_monthly")), key="b")
        third = raw_request(filer, encode(statistics()), key="a")
        received = exchange(str(filer.http.base_url).rstrip("/"), first + second + third, answers=3)
        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", received)
        assert statuses == [b"201", b"201", b"200"]

    def test_chunked_body_is_signed_as_the_whole_body(self, filer: Filer, bureau_sim):
        received = exchange(bureau_sim.url, raw_request(filer, encode(statistics()), chunked=True))
        assert received.startswith(b"HTTP/1.1 201 Created\r\n")
        assert bureau_sim.filings()[0]["body"] == statistics()

    def test_expect_continue_gets_an_interim_answer_before_the_body(self, filer: Filer, bureau_sim):
        body = encode(statistics())
        request = raw_request(filer, body, extra="Expect: 100-continue\r\n")
        head = request[: -len(body)]
        received = exchange(bureau_sim.url, head, answers=2, send_after_first=body)
        assert received.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n")

    def test_malformed_request_is_refused_and_the_connection_closed(self, bureau_sim):
        received = exchange(bureau_sim.url, b"NONSENSE\r\n\r\n")
        assert received.startswith(b"HTTP/1.1 400 ")
        assert b"connection: close" in received

    def test_connection_close_is_honoured(self, filer: Filer, bureau_sim):
        received = exchange(
            bureau_sim.url, raw_request(filer, encode(statistics()), extra="Connection: close\r\n")
        )
        assert b"connection: close" in received
        assert received.startswith(b"HTTP/1.1 201 ")

    def test_answers_are_json_with_length_and_date(self, filer: Filer):
        response = filer.get("/v1/receipts/X")
        assert response.headers["content-type"] == "application/json"
        assert int(response.headers["content-length"]) == len(response.content)
        assert response.headers["date"].endswith(" GMT")
