"""`zhilv gate`: the reference offline gate client (docs/boarding.md, "Offline gate").

A gangway on the Yangtze loses the network between the city and the gorges. The gate
downloads the voyage's signed offline pack while it has the network, then judges every code
a scanner types on standard input against the pack alone: the pass's Ed25519 signature with
the enterprise's public keys, the voyage, the revocations, the validity window, and who this
gate has let aboard (green 允许登船 or the red reason, one line each). Every scan goes to the
queue file with the device's next sequence number before the answer is shown (append, then
fsync: a scan the passenger saw accepted survives a crash). When the network is back the
queue is uploaded; the server applies each scan once, so uploading again is harmless.

Pure HTTP and the domain's codecs: no database, nothing of the server's configuration.

    zhilv gate --voyage V --offline-pack pack.json --queue gate.jsonl --download \\
        --server https://zhilv.example --api-key zk_...
    zhilv gate --voyage V --offline-pack pack.json --queue gate.jsonl --port CTM < scanner
    zhilv gate --voyage V --offline-pack pack.json --queue gate.jsonl --upload \\
        --server https://zhilv.example --api-key zk_...
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypedDict, cast

import click
import httpx

from app.i18n import gettext
from modules.boarding.domain import (
    PackRefused,
    RefusalReason,
    ScanDirection,
    VerificationKey,
    key_fingerprint,
    open_pack,
    unb64,
    verify_offline,
)

BATCH_SIZE = 500
ALLOWED = "allowed"
REFUSED = "refused"
_GREEN, _RED, _RESET = "\033[1;32m", "\033[1;31m", "\033[0m"


def _now() -> datetime:
    """The gate's own clock (a device, not the server: there is no app clock here)."""
    return datetime.now(UTC)  # clock-ok: the gate device's own clock, not the server's


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# The pack ---------------------------------------------------------------------------------


def _trust_path(pack_path: Path) -> Path:
    return pack_path.with_name(pack_path.name + ".trust")


def _trusted_key(pack_path: Path, fingerprint: str | None) -> bytes | None:
    path = _trust_path(pack_path)
    if not path.exists():
        return None
    pinned = unb64(json.loads(path.read_text(encoding="utf-8"))["public_key"])
    if fingerprint and key_fingerprint(pinned) != fingerprint:
        raise click.ClickException(
            gettext("This gate trusts another pack key (%(fp)s).", fp=key_fingerprint(pinned))
        )
    return pinned


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


class _PackVoyage(TypedDict):
    """The voyage part of a pack's payload, as the server writes it."""

    id: str
    number: str
    port_calls: list[dict[str, Any]]


class _PackPayload(TypedDict):
    """A pack's signed payload, as the server writes it (checked only by its signature)."""

    voyage: _PackVoyage
    generated_at: str
    expires_at: str
    keys: list[dict[str, Any]]
    passes: list[dict[str, Any]]
    revoked: list[dict[str, Any]]


@dataclass
class Pack:
    voyage_id: uuid.UUID
    number: str
    generated_at: datetime
    expires_at: datetime
    calls: list[dict[str, Any]]
    keys: list[VerificationKey]
    passes: dict[uuid.UUID, dict[str, Any]]
    revoked: set[uuid.UUID]

    def call(self, wanted: str | None, at: datetime) -> dict[str, Any]:
        """The port call by id or port code; by default the one the ship is at by the
        schedule (the last it has arrived at, the first before that), as the gangway does."""
        for call in self.calls:
            if wanted and wanted in (call["id"], call["port_code"]):
                return call
        if wanted:
            raise click.BadParameter(
                gettext("Not a port call of this voyage."), param_hint="--port"
            )
        here = self.calls[0]
        for call in self.calls[1:]:
            arrives = _time(call["arrives_at"])
            if arrives is not None and arrives <= at:
                here = call
        return here


def read_pack(path: Path, voyage_id: uuid.UUID, *, trusted: bytes | None) -> Pack:
    """The pack from disk, refused unless its signature holds under the pinned key and it
    is this voyage's."""
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
        opened, _signer = open_pack(envelope, trusted_key=trusted)
    except (OSError, ValueError, PackRefused) as exc:
        raise click.ClickException(
            gettext("The offline pack cannot be used: %(why)s", why=exc)
        ) from exc
    payload = cast(_PackPayload, opened)
    voyage = payload["voyage"]
    if voyage["id"] != str(voyage_id):
        raise click.ClickException(gettext("The offline pack is of another voyage."))
    return Pack(
        voyage_id=voyage_id,
        number=voyage["number"],
        generated_at=datetime.fromisoformat(payload["generated_at"]),
        expires_at=datetime.fromisoformat(payload["expires_at"]),
        calls=voyage["port_calls"],
        keys=[
            VerificationKey(k["kid"], unb64(k["public_key"]), _time(k["verify_until"]))
            for k in payload["keys"]
        ],
        passes={uuid.UUID(p["pass_id"]): p for p in payload["passes"]},
        revoked={uuid.UUID(r["pass_id"]) for r in payload["revoked"]},
    )


# The queue --------------------------------------------------------------------------------


class Queue:
    """The gate's journal, one JSON object a line: the device line first, then every scan,
    the server's answer to each uploaded scan (`ack`) and every pack downloaded."""

    def __init__(self, path: Path, voyage_id: uuid.UUID) -> None:
        self.path = path
        self.lines: list[dict[str, Any]] = []
        self._last_seq: int | None = None
        if path.exists():
            self._load()
        else:
            device = f"gate-{secrets.token_hex(6)}"
            self.append({"type": "device", "device_id": device, "voyage_id": str(voyage_id)})
        head = self.lines[0]
        if head.get("type") != "device" or head.get("voyage_id") != str(voyage_id):
            raise click.ClickException(gettext("The queue file is of another voyage."))
        self.device_id: str = head["device_id"]

    def _load(self) -> None:
        raw = self.path.read_bytes()
        if raw and not raw.endswith(b"\n"):  # a line torn by a crash: never acknowledged
            raw = raw[: raw.rfind(b"\n") + 1]
            with self.path.open("r+b") as fh:
                fh.truncate(len(raw))
        self.lines = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line]
        if not self.lines:
            raise click.ClickException(gettext("The queue file is empty."))

    def append(self, line: dict[str, Any]) -> None:
        """Written and on the disk before the caller goes on."""
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.lines.append(line)

    def scans(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["type"] == "scan"]

    def acked(self) -> set[int]:
        return {line["device_seq"] for line in self.lines if line["type"] == "ack"}

    def next_seq(self) -> int:
        """One more than any sequence number this device has used (never reused: the
        server would take a reused number for a repeat of the first scan)."""
        if self._last_seq is None:
            self._last_seq = max((s["device_seq"] for s in self.scans()), default=0)
        self._last_seq += 1
        return self._last_seq

    def pending(self) -> list[dict[str, Any]]:
        """Scans the gate let through that the server has not answered yet."""
        done = self.acked()
        return [s for s in self.scans() if s["verdict"] == ALLOWED and s["device_seq"] not in done]

    def unreflected(self, pack: Pack) -> list[dict[str, Any]]:
        """Scans this gate let through that the pack does not know about: those not yet
        applied by the server when the pack was downloaded (all of them, for a pack this
        queue did not download, so that no one boards twice)."""
        applied: set[int] | None = None
        acked: set[int] = set()
        for line in self.lines:
            if line["type"] == "ack":
                acked.add(line["device_seq"])
            elif line["type"] == "pack" and line["generated_at"] == pack.generated_at.isoformat():
                applied = set(acked)
        return [
            s
            for s in self.scans()
            if s["verdict"] == ALLOWED and s["device_seq"] not in (applied or set())
        ]


# Judging a scan ---------------------------------------------------------------------------


@dataclass
class Gate:
    pack: Pack
    queue: Queue
    call: dict[str, Any]
    direction: ScanDirection
    aboard: dict[uuid.UUID, bool] = field(default_factory=dict)
    moved: dict[uuid.UUID, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.pack.passes.values():
            person = uuid.UUID(entry["passenger_id"])
            self.aboard[person], self.moved[person] = entry["aboard"], entry["movements"]
        for scan in self.queue.unreflected(self.pack):
            self._move(uuid.UUID(scan["passenger_id"]), ScanDirection(scan["direction"]))

    def _move(self, person: uuid.UUID, direction: ScanDirection) -> None:
        self.aboard[person] = direction is ScanDirection.EMBARK
        self.moved[person] = self.moved.get(person, 0) + 1

    def judge(self, code: str, at: datetime) -> tuple[RefusalReason | None, dict[str, Any] | None]:
        check = verify_offline(
            code, self.pack.keys, at=at, voyage_id=self.pack.voyage_id, revoked=self.pack.revoked
        )
        if check.claims is None:
            return check.reason or RefusalReason.UNKNOWN, None
        entry = self.pack.passes.get(check.claims.pass_id)
        if check.reason is not None:
            return check.reason, entry
        if entry is None:  # issued after the pack was made, or replaced since
            return RefusalReason.UNKNOWN, None
        person = uuid.UUID(entry["passenger_id"])
        if self.direction is ScanDirection.EMBARK:
            if self.aboard.get(person):
                return RefusalReason.ALREADY_ABOARD, entry
            if not self.moved.get(person) and entry["boarding_call_id"] != self.call["id"]:
                return RefusalReason.WRONG_PORT, entry
        elif not self.aboard.get(person):
            return RefusalReason.NOT_ABOARD, entry
        return None, entry

    def scan(self, code: str) -> str:
        """Judge, journal, then answer: the line the gangway shows."""
        at = _now()
        reason, entry = self.judge(code, at)
        self.queue.append(
            {
                "type": "scan",
                "device_seq": self.queue.next_seq(),
                "code": code,
                "direction": self.direction.value,
                "port_call_id": self.call["id"],
                "scanned_at": at.isoformat(),
                "verdict": ALLOWED if reason is None else REFUSED,
                "reason": reason.value if reason else None,
                "passenger_id": entry["passenger_id"] if entry else None,
            }
        )
        who = f"{entry['name']}  {entry['cabin']}" if entry else ""
        if reason is not None:
            return f"✗ {gettext(reason.label)}  {who}".rstrip()
        self._move(uuid.UUID(entry["passenger_id"]), self.direction)  # type: ignore[index]
        allowed = "Allowed aboard" if self.direction is ScanDirection.EMBARK else "Allowed ashore"
        return f"✓ {gettext(allowed)}  {who}"

    def run(self, stdin: TextIO, colour: bool) -> None:
        for line in stdin:
            code = line.strip()
            if not code:
                continue
            answer = self.scan(code)
            if colour:
                answer = (_GREEN if answer.startswith("✓") else _RED) + answer + _RESET
            click.echo(answer)
        aboard = sum(1 for v in self.aboard.values() if v)
        click.echo(
            gettext(
                "%(aboard)s aboard as this gate knows; %(pending)s scans to upload.",
                aboard=aboard,
                pending=len(self.queue.pending()),
            ),
            err=True,
        )


# Talking to the server --------------------------------------------------------------------


def _request(
    method: str, url: str, api_key: str, retries: int, wait: float, **kw: Any
) -> httpx.Response:
    """The answer, retrying while the server cannot be reached or fails (5xx); a 4xx is
    final. Safe to retry: the pack is a read and a batch applies once."""
    headers = {"Authorization": f"Bearer {api_key}"}
    for attempt in range(retries + 1):
        try:
            answer = httpx.request(method, url, headers=headers, timeout=30, **kw)
        except httpx.TransportError as exc:
            problem = str(exc) or type(exc).__name__
        else:
            if answer.status_code < 500:
                return answer
            problem = f"HTTP {answer.status_code}"
        if attempt < retries:
            click.echo(
                gettext("The server cannot be reached (%(why)s); trying again.", why=problem),
                err=True,
            )
            time.sleep(wait * 2**attempt)
    raise click.ClickException(
        gettext(
            "The server cannot be reached (%(why)s). The queue is kept: upload it later.",
            why=problem,
        )
    )


def download_pack(ctx: Options) -> None:
    answer = _request(
        "GET",
        f"{ctx.server}/api/v1/boarding/voyages/{ctx.voyage}/offline-pack",
        ctx.api_key,
        ctx.retries,
        ctx.wait,
    )
    if answer.status_code != 200:
        raise click.ClickException(
            gettext("The server refused the pack: HTTP %(status)s", status=answer.status_code)
        )
    trusted = _trusted_key(ctx.pack, ctx.trust)
    try:
        _payload, signer = open_pack(answer.json(), trusted_key=trusted)
    except (ValueError, PackRefused) as exc:
        raise click.ClickException(
            gettext("The offline pack cannot be used: %(why)s", why=exc)
        ) from exc
    fingerprint = key_fingerprint(signer)
    if trusted is None:
        if ctx.trust and ctx.trust != fingerprint:
            raise click.ClickException(
                gettext("This gate trusts another pack key (%(fp)s).", fp=ctx.trust)
            )
        _write_atomically(
            _trust_path(ctx.pack),
            json.dumps(
                {"public_key": answer.json()["signer"]["public_key"], "fingerprint": fingerprint}
            )
            + "\n",
        )
    _write_atomically(ctx.pack, answer.text)
    pack = read_pack(ctx.pack, ctx.voyage, trusted=signer)
    queue = Queue(ctx.queue, ctx.voyage)
    queue.append({"type": "pack", "generated_at": pack.generated_at.isoformat()})
    click.echo(
        gettext(
            "Offline pack of voyage %(number)s: %(passes)s passes, valid until %(until)s; "
            "pack key %(fp)s.",
            number=pack.number,
            passes=len(pack.passes),
            until=pack.expires_at.isoformat(),
            fp=fingerprint,
        )
    )


def _problem(item: dict[str, Any]) -> str:
    """A scan the purser must look at: refused by the server, or a conflict."""
    reason = RefusalReason.parse(item["reason"])
    why = gettext(reason.label) if reason else str(item["reason"])
    kind = gettext("Conflict") if item["result"] == "conflict" else gettext("Refused")
    return f"✗ #{item['device_seq']} {kind}: {why}  {item['name']} {item['cabin']}".rstrip()


def upload_queue(ctx: Options) -> None:
    queue = Queue(ctx.queue, ctx.voyage)
    pending = queue.pending()
    totals = dict.fromkeys(("accepted", "duplicate", "refused", "conflict"), 0)
    for start in range(0, len(pending), BATCH_SIZE):
        chunk = pending[start : start + BATCH_SIZE]
        body = {
            "device_id": queue.device_id,
            "voyage_id": str(ctx.voyage),
            "scans": [
                {k: s[k] for k in ("device_seq", "code", "direction", "port_call_id", "scanned_at")}
                for s in chunk
            ],
        }
        answer = _request(
            "POST",
            f"{ctx.server}/api/v1/boarding/scans:batch",
            ctx.api_key,
            ctx.retries,
            ctx.wait,
            json=body,
        )
        if answer.status_code != 200:
            raise click.ClickException(
                gettext(
                    "The server refused the upload: HTTP %(status)s %(body)s",
                    status=answer.status_code,
                    body=answer.text[:300],
                )
            )
        for item in answer.json()["items"]:
            queue.append({"type": "ack", **item})
            totals[item["result"]] += 1
            if item["result"] in ("conflict", "refused"):
                click.echo(_problem(item))
    click.echo(json.dumps({"device_id": queue.device_id, "uploaded": len(pending), **totals}))


@dataclass(frozen=True)
class Options:
    voyage: uuid.UUID
    pack: Path
    queue: Path
    server: str
    api_key: str
    trust: str | None
    retries: int
    wait: float


@click.command("gate")
@click.option("--voyage", required=True, type=click.UUID, help="The voyage this gate serves.")
@click.option(
    "--offline-pack",
    "pack",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The signed pack (PACK.trust beside it holds the pinned pack key).",
)
@click.option(
    "--queue",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The gate's journal of scans (JSON lines).",
)
@click.option("--download", is_flag=True, help="Download the voyage's offline pack and exit.")
@click.option("--upload", is_flag=True, help="Upload the queued scans and exit.")
@click.option(
    "--server",
    envvar="ZHILV_GATE_SERVER",
    default="",
    help="The Zhilv server (for --download and --upload).",
)
@click.option(
    "--api-key",
    envvar="ZHILV_GATE_API_KEY",
    default="",
    help="An API key with the boarding:scan scope.",
)
@click.option(
    "--trust",
    default=None,
    help="The pack key's fingerprint to enrol the gate with (else the first download's is pinned).",
)
@click.option(
    "--direction",
    type=click.Choice([d.value for d in ScanDirection]),
    default=ScanDirection.EMBARK.value,
    show_default=True,
)
@click.option(
    "--port", default=None, help="Port call (id or port code, e.g. CTM); default the boarding port."
)
@click.option(
    "--retries",
    type=int,
    default=5,
    show_default=True,
    help="Attempts after the first when the server cannot be reached.",
)
@click.option(
    "--retry-wait",
    "wait",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds before the first retry (doubling).",
)
def gate(
    voyage: uuid.UUID,
    pack: Path,
    queue: Path,
    download: bool,
    upload: bool,
    server: str,
    api_key: str,
    trust: str | None,
    direction: str,
    port: str | None,
    retries: int,
    wait: float,
) -> None:
    """Offline gate: verify boarding passes typed by a scanner on standard input."""
    options = Options(voyage, pack, queue, server.rstrip("/"), api_key, trust, retries, wait)
    if download or upload:
        if not server or not api_key:
            raise click.UsageError(gettext("--download and --upload need --server and --api-key."))
        if download:
            download_pack(options)
        if upload:
            upload_queue(options)
        return
    loaded = read_pack(pack, voyage, trusted=_trusted_key(pack, trust) or _refuse_untrusted())
    if _now() >= loaded.expires_at:
        raise click.ClickException(gettext("The offline pack has expired: download it again."))
    move = ScanDirection(direction)
    journal = Queue(queue, voyage)
    Gate(loaded, journal, loaded.call(port, _now()), move).run(
        sys.stdin, colour=sys.stdout.isatty()
    )


def _refuse_untrusted() -> bytes:
    raise click.ClickException(
        gettext("This gate has no trusted pack key: download the pack first.")
    )
