"""The gate client on its own (no server, no database): it trusts only the pack key it was
enrolled with, refuses an altered or stale pack, judges codes from the pack alone, and its
queue survives a crash mid-line."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.i18n import gettext
from modules.boarding.cli import gate
from modules.boarding.domain import PassClaims, b64, key_fingerprint, new_kid, seal_pack, sign_pass

VOYAGE = uuid.uuid4()
CALLS = [uuid.uuid4(), uuid.uuid4()]


class Line:
    """A cruise line's keys and passes, made the way the server makes them."""

    def __init__(self) -> None:
        self.pack_key = Ed25519PrivateKey.generate()
        self.pass_key = Ed25519PrivateKey.generate().private_bytes_raw()
        self.kid = new_kid()
        self.passes: list[tuple[uuid.UUID, uuid.UUID, str]] = []

    def issue(self, name: str, voyage: uuid.UUID = VOYAGE) -> str:
        now = datetime.now(UTC).replace(microsecond=0)
        claims = PassClaims(
            kid=self.kid,
            pass_id=uuid.uuid4(),
            voyage_id=voyage,
            passenger_id=uuid.uuid4(),
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=3),
            port_code="CTM",
            cabin="A-201",
        )
        if voyage == VOYAGE:
            self.passes.append((claims.pass_id, claims.passenger_id, name))
        return sign_pass(claims, self.pass_key)

    def pack(self, *, revoked: tuple[uuid.UUID, ...] = (), age: timedelta = timedelta()) -> dict:  # type: ignore[type-arg]
        made = datetime.now(UTC) - age
        public = Ed25519PrivateKey.from_private_bytes(self.pass_key).public_key()
        payload = {
            "tenant_id": str(uuid.uuid4()),
            "generated_at": made.isoformat(),
            "expires_at": (made + timedelta(hours=48)).isoformat(),
            "voyage": {
                "id": str(VOYAGE),
                "number": "CJ20261207A",
                "port_calls": [
                    {"id": str(CALLS[0]), "port_code": "CTM", "arrives_at": None},
                    {"id": str(CALLS[1]), "port_code": "FD", "arrives_at": None},
                ],
            },
            "keys": [
                {
                    "kid": self.kid,
                    "public_key": b64(public.public_bytes_raw()),
                    "verify_until": None,
                }
            ],
            "passes": [
                {
                    "pass_id": str(pass_id),
                    "passenger_id": str(person),
                    "name": name,
                    "cabin": "A-201",
                    "boarding_call_id": str(CALLS[0]),
                    "movements": 0,
                    "aboard": False,
                }
                for pass_id, person, name in self.passes
            ],
            "revoked": [{"pass_id": str(r), "revoked_at": made.isoformat()} for r in revoked],
        }
        return seal_pack(payload, self.pack_key)


def enrol(tmp_path: Path, line: Line, envelope: dict) -> tuple[Path, Path]:  # type: ignore[type-arg]
    """The pack and its pinned key on the gate's disk, as a download leaves them."""
    pack, queue = tmp_path / "pack.json", tmp_path / "queue.jsonl"
    pack.write_text(json.dumps(envelope, ensure_ascii=False))
    public = line.pack_key.public_key().public_bytes_raw()
    trust = {"public_key": b64(public), "fingerprint": key_fingerprint(public)}
    (tmp_path / "pack.json.trust").write_text(json.dumps(trust))
    return pack, queue


def run(pack: Path, queue: Path, codes: list[str], *extra: str):  # type: ignore[no-untyped-def]
    args = ["--voyage", str(VOYAGE), "--offline-pack", str(pack), "--queue", str(queue), *extra]
    return CliRunner().invoke(gate, args, input="\n".join(codes) + "\n")


def answers(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for line in result.output.splitlines() if line.startswith(("✓", "✗"))]


def test_codes_are_judged_from_the_pack_alone(tmp_path):  # type: ignore[no-untyped-def]
    line = Line()
    codes = [line.issue("张伟"), line.issue("李娜"), line.issue("王芳")]
    other_voyage = line.issue("赵敏", voyage=uuid.uuid4())
    pack, queue = enrol(tmp_path, line, line.pack(revoked=(line.passes[2][0],)))
    late = line.issue("刘洋")  # issued after the pack was made
    stranger = Line().issue("钱坤")  # another line's key
    result = run(
        pack, queue, [codes[0], codes[0], codes[1], codes[2], other_voyage, late, stranger]
    )
    assert result.exit_code == 0, result.output
    assert answers(result) == [
        "✓ 允许登船  张伟  A-201",
        "✗ 已登船  张伟  A-201",
        "✓ 允许登船  李娜  A-201",
        f"✗ {gettext('Revoked')}  王芳  A-201",
        "✗ 非本航次",
        "✗ 无法识别的码",
        "✗ 无法识别的码",
    ]
    ashore = run(pack, queue, [codes[1], codes[2]], "--direction", "disembark")
    assert answers(ashore)[0] == "✓ 允许下船  李娜  A-201"
    scans = [json.loads(x) for x in queue.read_text().splitlines()][1:]
    assert [s["device_seq"] for s in scans] == list(range(1, 10))
    assert [s["verdict"] for s in scans].count("allowed") == 3


def test_a_pack_altered_on_the_gate_or_signed_by_another_key_is_refused(tmp_path):  # type: ignore[no-untyped-def]
    line = Line()
    code = line.issue("张伟")
    envelope = line.pack()
    envelope["payload"]["revoked"] = []
    envelope["payload"]["passes"][0]["name"] = "冒名"
    pack, queue = enrol(tmp_path, line, envelope)
    result = run(pack, queue, [code])
    assert result.exit_code != 0 and "离线包不可用" in result.output
    impostor = Line()
    impostor.passes = line.passes
    pack.write_text(json.dumps(impostor.pack()))
    result = run(pack, queue, [code])
    assert result.exit_code != 0 and "离线包不可用" in result.output


def test_a_stale_pack_or_one_of_another_voyage_is_refused(tmp_path):  # type: ignore[no-untyped-def]
    line = Line()
    code = line.issue("张伟")
    pack, queue = enrol(tmp_path, line, line.pack(age=timedelta(hours=49)))
    assert "离线包已过期" in run(pack, queue, [code]).output
    result = CliRunner().invoke(
        gate,
        ["--voyage", str(uuid.uuid4()), "--offline-pack", str(pack), "--queue", str(queue)],
        input=code,
    )
    assert result.exit_code != 0 and "另一个航次" in result.output


def test_a_line_torn_by_a_crash_is_cut_and_the_gate_remembers_who_it_let_aboard(tmp_path):  # type: ignore[no-untyped-def]
    line = Line()
    first, second = line.issue("张伟"), line.issue("李娜")
    pack, queue = enrol(tmp_path, line, line.pack())
    assert answers(run(pack, queue, [first]))[0].startswith("✓")
    with queue.open("a") as fh:
        fh.write('{"type":"scan","device_seq":2,"co')  # the power went mid-write
    result = run(pack, queue, [first, second])
    assert [a[:5] for a in answers(result)] == ["✗ 已登船", "✓ 允许登"]
    seqs = [json.loads(x)["device_seq"] for x in queue.read_text().splitlines()[1:]]
    assert seqs == [1, 2, 3]


@pytest.mark.parametrize("flag", ["--download", "--upload"])
def test_talking_to_the_server_needs_its_address_and_a_key(tmp_path, flag):  # type: ignore[no-untyped-def]
    result = run(tmp_path / "p.json", tmp_path / "q.jsonl", [], flag)
    assert result.exit_code != 0 and "--server" in result.output
