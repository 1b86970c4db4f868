"""The reference offline gate end to end: two gates download the voyage's pack from a running
server, the server goes away, the gates judge 200 scans on their own (one passenger let
aboard at both), then upload their queues: exact counts aboard, the double boarding reported
as one conflict, and uploading again changes nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.db.admin import DatabaseUrls
from app.db.engine import TenantId, bind_tenant
from app.settings import PROJECT_ROOT
from modules.boarding.cli import gate
from modules.boarding.models import Passenger, Scan
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_tenant
from tests.modules.boarding.test_offline import boarding_now, manifest

PASSENGERS = 150


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The app under granian, started and stopped at will (real commits)."""

    def __init__(self, urls: DatabaseUrls, log: Path) -> None:
        self.urls = urls
        self.log = log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.urls.app_url,
            "DATABASE_OWNER_URL": self.urls.owner_url,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "WORKERS": "1",
            "ZHILV_ENV": "test",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline, last = time.monotonic() + 60, "no answer"
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                health = httpx.get(f"{self.url}/healthz", timeout=1)
                if health.status_code == 200:
                    return
                last = f"{health.status_code} {health.text[:500]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start ({last}):\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
            self.proc = None


@pytest.fixture
def server(committed_urls: DatabaseUrls, machine_clock, tmp_path) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    running = Server(committed_urls, tmp_path / "server.log")
    running.start()
    yield running
    running.stop()


@pytest.fixture
async def voyage_with_passes(committed_database):  # type: ignore[no-untyped-def]
    """A voyage boarding now with 150 passengers holding passes, and a gate's API key."""
    async with committed_database.sessionmaker() as db:
        owner = await make_tenant(db, kinds=("cruise",), name="长江壹号游轮")
        _, token = await make_api_key(db, owner.tenant, scopes={"boarding:scan"}, name="闸机")
        voyage = await boarding_now(db, owner.tenant)
        codes = await manifest(db, owner, voyage, PASSENGERS)
        await db.commit()
    return owner.tenant.id, voyage.id, token, list(codes.values())


def run_gate(*args: str, stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(gate, list(args), input=stdin)
    return result.exit_code, result.output


def scan(files: tuple[Path, Path], voyage: object, codes: list[str], *extra: str) -> list[str]:
    pack, queue = files
    code, out = run_gate(
        "--voyage", str(voyage), "--offline-pack", str(pack), "--queue", str(queue), *extra,
        stdin="\n".join(codes) + "\n",
    )  # fmt: skip
    assert code == 0, out
    return [line for line in out.splitlines() if line.startswith(("✓", "✗"))]


def talk(files: tuple[Path, Path], voyage: object, action: str, url: str, key: str) -> str:
    pack, queue = files
    code, out = run_gate(
        "--voyage", str(voyage), "--offline-pack", str(pack), "--queue", str(queue), action,
        "--server", url, "--api-key", key, "--retries", "1", "--retry-wait", "0.01",
    )  # fmt: skip
    assert code == 0, out
    return out


def summary(out: str) -> dict[str, int]:
    return json.loads(out.strip().splitlines()[-1])


async def test_two_offline_gates_board_200_scans_and_upload_exactly_once(
    server, voyage_with_passes, committed_database, tmp_path
):  # type: ignore[no-untyped-def]
    tenant_id, voyage, key, codes = voyage_with_passes
    a = (tmp_path / "a" / "pack.json", tmp_path / "a" / "queue.jsonl")
    b = (tmp_path / "b" / "pack.json", tmp_path / "b" / "queue.jsonl")
    for pack, _ in (a, b):
        pack.parent.mkdir()
    assert "150" in talk(a, voyage, "--download", server.url, key)
    talk(b, voyage, "--download", server.url, key)
    server.stop()  # the river takes the network away

    flipped = "B" if codes[0][-30] == "A" else "A"
    forged = codes[0][:-30] + flipped + codes[0][-29:]  # a character of the signature
    lines = scan(a, voyage, [*codes[:140], codes[0], forged])
    lines += scan(a, voyage, codes[:20], "--direction", "disembark")
    lines += scan(a, voyage, codes[:10])
    lines += scan(a, voyage, codes[20:35], "--direction", "disembark", "--port", "CTM")
    lines += scan(b, voyage, [*codes[140:], codes[50], "HELLO-GANGWAY", codes[140]])
    assert len(lines) == 200
    assert sum(line.startswith("✓") for line in lines) == 196
    assert lines[0].startswith("✓ 允许登船")
    assert lines[140].startswith("✗ 已登船") and lines[141].startswith("✗ 伪造")

    code, out = run_gate(
        "--voyage", str(voyage), "--offline-pack", str(a[0]), "--queue", str(a[1]), "--upload",
        "--server", server.url, "--api-key", key, "--retries", "1", "--retry-wait", "0.01",
    )  # fmt: skip
    assert code != 0 and "无法连接服务器" in out  # still offline: the queue is kept

    server.start()  # the network is back
    first = summary(talk(a, voyage, "--upload", server.url, key))
    assert (first["uploaded"], first["accepted"], first["conflict"]) == (185, 185, 0)
    out_b = talk(b, voyage, "--upload", server.url, key)
    second = summary(out_b)
    assert (second["accepted"], second["conflict"]) == (10, 1)
    assert "冲突" in out_b and "已登船" in out_b

    async with committed_database.sessionmaker() as db:
        await bind_tenant(db, TenantId(tenant_id))
        aboard = await db.scalar(
            select(func.count()).where(Passenger.voyage_id == voyage, Passenger.aboard.is_(True))
        )
        outcomes = dict(
            (await db.execute(select(Scan.outcome, func.count()).group_by(Scan.outcome))).all()
        )
    assert aboard == 150 - 25
    assert outcomes == {"accepted": 195, "conflict": 1}

    # Uploading again (the answer was lost, say) changes nothing.
    for queue in (a[1], b[1]):
        lines_before = queue.read_text().count("\n")
        queue.write_text(
            "".join(line + "\n" for line in queue.read_text().splitlines() if '"ack"' not in line)
        )
        assert queue.read_text().count("\n") < lines_before
    again = summary(talk(a, voyage, "--upload", server.url, key))
    assert (again["accepted"], again["duplicate"]) == (0, 185)
    again_b = summary(talk(b, voyage, "--upload", server.url, key))
    assert (again_b["duplicate"], again_b["conflict"]) == (11, 0)
    async with committed_database.sessionmaker() as db:
        await bind_tenant(db, TenantId(tenant_id))
        assert await db.scalar(select(func.count()).select_from(Scan)) == 196
        assert (
            await db.scalar(
                select(func.count()).where(Passenger.voyage_id == voyage, Passenger.aboard)
            )
        ) == 125
