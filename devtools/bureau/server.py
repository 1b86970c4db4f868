"""A small asyncio HTTP/1.1 server for the stand-in (keep-alive, pipelining,
Content-Length and chunked bodies, `Expect: 100-continue`), on the loop's protocol
interface: one loop turn per request, no task or stream per connection.

Why not granian or uvicorn: the stand-in must be able to read a request, store the
filing, and then close the connection without a single byte of answer (the answer lost
on the way back), and ASGI servers answer 500 when an application gives no response.
Handling is one synchronous call into `Bureau.handle`, so this serves thousands of
signed filings a second on one core.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path

from devtools.bureau.bureau import Bureau
from devtools.bureau.messages import Answer, Request, error
from devtools.bureau.state import dump, load, save_file

MAX_HEAD = 64 * 1024
MAX_BODY = 10 * 1024 * 1024
SAVE_EVERY_SECONDS = 1.0


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


CONTINUE = "100-continue"  # the head asked for an interim answer before its body


class BureauServer:
    def __init__(self, bureau: Bureau, state_file: Path | None = None) -> None:
        self.bureau = bureau
        self.state_file = state_file
        self.connections: set[Connection] = set()
        self._date = ("", 0)
        if state_file is not None and state_file.exists():
            bureau.state, bureau.sequence = load(state_file.read_text(encoding="utf-8"))

    async def serve(self, host: str, port: int, ready: Callable[[str], None]) -> None:
        """Serve until cancelled (SIGINT/SIGTERM), saving the state on the way out."""
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Connection(self), host, port)
        bound = server.sockets[0].getsockname()
        shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
        ready(f"http://{shown}:{bound[1]}")
        saver = asyncio.create_task(self._save_periodically())
        try:
            async with server:
                await server.serve_forever()
        finally:
            saver.cancel()
            for connection in list(self.connections):
                connection.close()
            self.save()

    def save(self) -> None:
        if self.state_file is not None and self.bureau.dirty:
            self.bureau.dirty = False
            save_file(self.state_file, dump(self.bureau.state, self.bureau.sequence))

    async def _save_periodically(self) -> None:
        while self.state_file is not None:
            await asyncio.sleep(SAVE_EVERY_SECONDS)
            if self.bureau.dirty:
                self.bureau.dirty = False
                text = dump(self.bureau.state, self.bureau.sequence)
                await asyncio.to_thread(save_file, self.state_file, text)

    def render(self, answer: Answer, keep_alive: bool) -> bytes:
        lines = [
            f"HTTP/1.1 {answer.status} {_reason(answer.status)}",
            f"content-length: {len(answer.body)}",
            f"date: {self._http_date()}",
            "server: zhilv-bureau-sim",
        ]
        lines += [f"{name}: {value}" for name, value in answer.headers]
        if not keep_alive:
            lines.append("connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + answer.body

    def _http_date(self) -> str:
        now = int(time.time())
        if self._date[1] != now:
            self._date = (formatdate(now, usegmt=True), now)
        return self._date[0]


class Connection(asyncio.Protocol):
    """One client connection: requests are answered in order; a delayed answer holds
    back the requests pipelined behind it."""

    def __init__(self, server: BureauServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.client: str | None = None
        self.waiting = False
        self.continued = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.client = peer[0] if peer else None
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.waiting:
            self._serve_buffered()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def _serve_buffered(self) -> None:
        while self.transport is not None and not self.waiting:
            try:
                taken = take_request(self.buffer)
            except BadRequest as exc:
                self._reply(error(exc.status, "bad_request", str(exc)), keep=False)
                return
            if taken is None:
                return
            if isinstance(taken, str):
                if not self.continued:
                    self.continued = True
                    self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                return
            request, keep = taken
            request.client, self.continued = self.client, False
            answer = self.server.bureau.handle(request)
            if answer.delay > 0:
                self.waiting = True
                loop = asyncio.get_running_loop()
                loop.call_later(answer.delay, self._reply_late, answer, keep)
                return
            self._reply(answer, keep)

    def _reply_late(self, answer: Answer, keep: bool) -> None:
        self.waiting = False
        self._reply(answer, keep)
        self._serve_buffered()

    def _reply(self, answer: Answer, keep: bool) -> None:
        transport = self.transport
        if transport is None:
            return
        if answer.drop:
            self.transport = None
            transport.abort()
            return
        transport.write(self.server.render(answer, keep))
        if not keep:
            self.close()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def take_request(buffer: bytearray) -> tuple[Request, bool] | str | None:
    """The first complete request in `buffer` (removed from it) and whether to keep the
    connection open; None while incomplete, CONTINUE when the head waits for that."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_HEAD:
            raise BadRequest(431, "request head too large")
        return None
    method, target, version, headers = parse_head(bytes(buffer[:end]))
    start = end + 4
    if "chunked" in headers.get("transfer-encoding", "").lower():
        found = _chunked(buffer, start)
    else:
        found = _sized(buffer, start, headers.get("content-length", "0"))
    if found is None:
        return CONTINUE if headers.get("expect", "").lower() == CONTINUE else None
    body, stop = found
    del buffer[:stop]
    connection = headers.get("connection", "").lower()
    keep = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
    return Request(method, target, headers, body), keep


def parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[1].startswith("/") or not parts[2].startswith("HTTP/1."):
        raise BadRequest(400, "malformed request line")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed header")
        key, text = name.lower(), value.strip()
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return parts[0].upper(), parts[1], parts[2], headers


def _sized(buffer: bytearray, start: int, declared: str) -> tuple[bytes, int] | None:
    if not declared.isdigit():
        raise BadRequest(400, "malformed content-length")
    length = int(declared)
    if length > MAX_BODY:
        raise BadRequest(413, "body too large")
    if len(buffer) < start + length:
        return None
    return bytes(buffer[start : start + length]), start + length


def _chunked(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    chunks: list[bytes] = []
    at, total = start, 0
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        try:
            size = int(bytes(buffer[at:line_end]).split(b";")[0].strip(), 16)
        except ValueError:
            raise BadRequest(400, "malformed chunk") from None
        total += size
        if total > MAX_BODY:
            raise BadRequest(413, "body too large")
        at = line_end + 2
        if size == 0:
            trailers_end = buffer.find(b"\r\n", at)
            while trailers_end > at:  # skip trailer lines up to the empty one
                at = trailers_end + 2
                trailers_end = buffer.find(b"\r\n", at)
            if trailers_end < 0:
                return None
            return b"".join(chunks), trailers_end + 2
        if len(buffer) < at + size + 2:
            return None
        chunks.append(bytes(buffer[at : at + size]))
        at += size + 2


def run(host: str, port: int, state_file: Path | None = None) -> None:
    """Serve in the foreground; the first line on stdout says where (port 0 picks one)."""

    def ready(url: str) -> None:
        print(f"bureau-sim listening on {url}", flush=True)

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        server = BureauServer(Bureau(), state_file)
        with contextlib.suppress(asyncio.CancelledError):
            await server.serve(host, port, ready)

    asyncio.run(main())
    sys.stdout.flush()
