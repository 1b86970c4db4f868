"""What the stand-in remembers: registered enterprises, seen nonces, accepted filings
and what they imply (filed contracts and their cancellations, group numbers, the latest
revision of each statistics period), plus the fault switches.

Everything derived is rebuilt by replaying the accepted filings in order, so a state
file holds only enterprises, nonces and filings, and a restart of `make run` answers
replays and duplicates exactly as before.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

KEY_DAYS = 30
NONCE_SECONDS = 24 * 3600
KEY_SECONDS = KEY_DAYS * 24 * 3600


@dataclass
class Enterprise:
    code: str
    secret: bytes
    suspended: bool = False


@dataclass
class Filing:
    """An accepted filing and the exact answer the bureau gave it (replayed byte for byte)."""

    kind: str
    key: str
    enterprise_code: str
    path: str
    subject: str  # e_number, group_no or "<report_type>/<period>"; "" when none
    raw: bytes
    body: dict[str, Any]
    receipt_no: str
    received_at: str
    stored_at: float
    answer: bytes

    def public(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "enterprise_code": self.enterprise_code,
            "path": self.path,
            "body": self.body,
            "receipt_no": self.receipt_no,
            "received_at": self.received_at,
        }


@dataclass
class Contract:
    body: dict[str, Any]
    cancelled: bool = False


@dataclass
class Faults:
    fail_next: int = 0
    fail_status: int = 503
    retry_after: int | None = None
    delay_seconds: float = 0.0
    drop_next: int = 0
    down: bool = False
    down_how: str = "503"  # or "close": the connection is closed without an answer

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Counters:
    requests: int = 0
    accepted: int = 0
    replayed: int = 0
    rejected: int = 0
    faulted: int = 0
    dropped: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class State:
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    nonces: dict[str, dict[str, float]] = field(default_factory=dict)
    filings: list[Filing] = field(default_factory=list)
    keys: dict[tuple[str, str], Filing] = field(default_factory=dict)
    receipts: dict[str, Filing] = field(default_factory=dict)
    contracts: dict[tuple[str, str], Contract] = field(default_factory=dict)
    groups: set[tuple[str, str]] = field(default_factory=set)
    revisions: dict[tuple[str, str], int] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    counters: Counters = field(default_factory=Counters)
    nonce_count: int = 0

    def apply(self, filing: Filing) -> None:
        """Record an accepted filing and what it changes at the bureau."""
        ent, subject = filing.enterprise_code, filing.subject
        self.filings.append(filing)
        self.keys[(ent, filing.key)] = filing
        self.receipts[filing.receipt_no] = filing
        if filing.kind == "contract":
            self.contracts[(ent, subject)] = Contract(dict(filing.body))
        elif filing.kind == "amendment":
            self.contracts[(ent, subject)].body.update(filing.body.get("changes", {}))
        elif filing.kind == "cancellation":
            self.contracts[(ent, subject)].cancelled = True
        elif filing.kind == "group":
            self.groups.add((ent, subject))
        elif filing.kind == "statistics":
            revision = filing.body.get("revision") or 1
            self.revisions[(ent, subject)] = max(revision, self.revisions.get((ent, subject), 0))

    def filing_for_key(self, enterprise_code: str, key: str, now: float) -> Filing | None:
        """The filing an Idempotency-Key stands for, while the bureau still keeps it."""
        filing = self.keys.get((enterprise_code, key))
        if filing is not None and now - filing.stored_at > KEY_SECONDS:
            del self.keys[(enterprise_code, key)]
            return None
        return filing

    def use_nonce(self, enterprise_code: str, nonce: str, now: float) -> bool:
        """False when the enterprise used this nonce within the last 24 h."""
        seen = self.nonces.setdefault(enterprise_code, {})
        last = seen.get(nonce)
        if last is not None and now - last < NONCE_SECONDS:
            return False
        seen[nonce] = now
        self.nonce_count += 1
        if self.nonce_count % 50_000 == 0:
            self.forget_old_nonces(now)
        return True

    def forget_old_nonces(self, now: float) -> None:
        for code, seen in self.nonces.items():
            self.nonces[code] = {n: t for n, t in seen.items() if now - t < NONCE_SECONDS}


def dump(state: State, sequence: int) -> str:
    return json.dumps(
        {
            "version": 1,
            "sequence": sequence,
            "enterprises": [
                {"code": e.code, "secret": e.secret.decode(), "suspended": e.suspended}
                for e in state.enterprises.values()
            ],
            "nonces": state.nonces,
            "filings": [
                {**asdict(f), "raw": f.raw.decode(), "answer": f.answer.decode()}
                for f in state.filings
            ],
        },
        ensure_ascii=False,
    )


def load(text: str) -> tuple[State, int]:
    data = json.loads(text)
    state = State()
    for e in data["enterprises"]:
        state.enterprises[e["code"]] = Enterprise(e["code"], e["secret"].encode(), e["suspended"])
    state.nonces = data["nonces"]
    for f in data["filings"]:
        f.update(raw=f["raw"].encode(), answer=f["answer"].encode())
        state.apply(Filing(**f))
    return state, int(data["sequence"])


def save_file(target: Path, text: str) -> None:
    """Write atomically, so a crash mid-write leaves the previous state."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
