"""The stand-in's own control API under `/_sim/` (unsigned, loopback only): register
enterprises, switch faults on and off, read what was stored and how often the bureau was
called. Tests use it to set the scene and to count filings on the bureau's side.

- `POST /_sim/enterprises` {"enterprise_code", "filing_secret", "suspended"?}; `GET` lists them
- `POST /_sim/faults` any of {"fail_next", "status", "retry_after"}, {"delay_seconds"},
  {"drop_next"}, {"down", "how": "503"|"close"}; `GET` shows them
- `POST /_sim/clock` {"offset_seconds"}: move the bureau's clock (timestamp window, key expiry)
- `POST /_sim/reset`: forget enterprises, nonces, filings, faults and the clock offset
- `GET /_sim/filings?kind=&enterprise_code=`: the accepted filings, oldest first
- `GET /_sim/stats`: requests seen, accepted, replayed, rejected, faulted, dropped,
  answers by status and accepted filings by kind
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from devtools.bureau.messages import Answer, Request, error, json_answer
from devtools.bureau.state import Enterprise

if TYPE_CHECKING:
    from devtools.bureau.bureau import Bureau

_CODE = re.compile(r"^[0-9A-Z]{18}$")
_FAULT_KEYS = {"fail_next", "status", "retry_after", "delay_seconds", "drop_next", "down", "how"}


def handle_control(bureau: Bureau, req: Request) -> Answer:
    path, _, query = req.target.partition("?")
    route = (req.method, path.rstrip("/"))
    if route == ("GET", "/_sim/stats"):
        return json_answer(200, stats(bureau))
    if route == ("GET", "/_sim/filings"):
        return json_answer(200, filings(bureau, parse_qs(query)))
    if route == ("GET", "/_sim/faults"):
        return json_answer(200, bureau.state.faults.public())
    if route == ("GET", "/_sim/enterprises"):
        listed = [
            {"enterprise_code": e.code, "suspended": e.suspended}
            for e in bureau.state.enterprises.values()
        ]
        return json_answer(200, listed)
    if route == ("GET", "/_sim/clock"):
        return json_answer(200, {"offset_seconds": bureau.clock_offset, "now": bureau.now()})
    if route == ("POST", "/_sim/reset"):
        bureau.reset()
        return json_answer(200, {"reset": True})
    actions = {"/_sim/enterprises": register, "/_sim/faults": set_faults, "/_sim/clock": set_clock}
    if req.method == "POST" and route[1] in actions:
        try:
            body = json.loads(req.body or b"{}")
        except ValueError:
            return error(400, "invalid_json", "body is not JSON")
        if not isinstance(body, dict):
            return error(400, "invalid_json", "body must be a JSON object")
        return actions[route[1]](bureau, body)
    return error(404, "not_found", "no such control endpoint")


def stats(bureau: Bureau) -> dict[str, Any]:
    state = bureau.state
    counters = state.counters
    return {
        "requests": counters.requests,
        "accepted": counters.accepted,
        "replayed": counters.replayed,
        "rejected": counters.rejected,
        "faulted": counters.faulted,
        "dropped": counters.dropped,
        "by_status": dict(counters.by_status),
        "by_kind": dict(Counter(f.kind for f in state.filings)),
        "filings": len(state.filings),
    }


def filings(bureau: Bureau, query: dict[str, list[str]]) -> list[dict[str, Any]]:
    kind = query.get("kind", [None])[0]
    code = query.get("enterprise_code", [None])[0]
    return [
        f.public()
        for f in bureau.state.filings
        if (kind is None or f.kind == kind) and (code is None or f.enterprise_code == code)
    ]


def register(bureau: Bureau, body: dict[str, Any]) -> Answer:
    """What the bureau does when it registers an enterprise and hands over its secret."""
    code, secret = body.get("enterprise_code"), body.get("filing_secret")
    suspended = body.get("suspended", False)
    problems = []
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(_problem("enterprise_code", "18 characters, digits and upper-case letters"))
    if not isinstance(secret, str) or len(secret.encode()) < 32:
        problems.append(_problem("filing_secret", "a string of at least 32 bytes"))
    if not isinstance(suspended, bool):
        problems.append(_problem("suspended", "true or false"))
    if problems:
        return error(400, "invalid", "cannot register", problems)
    assert isinstance(code, str) and isinstance(secret, str)
    bureau.state.enterprises[code] = Enterprise(code, secret.encode(), suspended)
    bureau.dirty = True
    return json_answer(200, {"enterprise_code": code, "suspended": suspended})


def set_faults(bureau: Bureau, body: dict[str, Any]) -> Answer:
    problems = [_problem(k, "unknown switch") for k in body.keys() - _FAULT_KEYS]
    counts = {k: body[k] for k in ("fail_next", "drop_next") if k in body}
    for name, value in counts.items():
        if not _is_int(value) or value < 0:
            problems.append(_problem(name, "a whole number >= 0"))
    status, retry_after = body.get("status", 503), body.get("retry_after")
    if not _is_int(status) or not 400 <= status <= 599:
        problems.append(_problem("status", "an HTTP error status, 400-599"))
    if retry_after is not None and (not _is_int(retry_after) or retry_after < 0):
        problems.append(_problem("retry_after", "whole seconds >= 0"))
    delay = body.get("delay_seconds", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        problems.append(_problem("delay_seconds", "seconds >= 0"))
    if not isinstance(body.get("down", False), bool) or body.get("how", "503") not in (
        "503",
        "close",
    ):
        problems.append(_problem("down", 'down is true or false, how is "503" or "close"'))
    if problems:
        return error(400, "invalid", "faults not changed", problems)
    faults = bureau.state.faults
    if "fail_next" in body:
        faults.fail_next, faults.fail_status, faults.retry_after = (
            body["fail_next"],
            status,
            retry_after,
        )
    if "drop_next" in body:
        faults.drop_next = body["drop_next"]
    if "delay_seconds" in body:
        faults.delay_seconds = float(delay)
    if "down" in body:
        faults.down, faults.down_how = body["down"], body.get("how", "503")
    return json_answer(200, faults.public())


def set_clock(bureau: Bureau, body: dict[str, Any]) -> Answer:
    offset = body.get("offset_seconds")
    if isinstance(offset, bool) or not isinstance(offset, int | float):
        return error(400, "invalid", "clock not changed", [_problem("offset_seconds", "seconds")])
    bureau.clock_offset = float(offset)
    return json_answer(200, {"offset_seconds": bureau.clock_offset, "now": bureau.now()})


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _problem(field_name: str, expected: str) -> dict[str, str]:
    return {"field": field_name, "code": "invalid", "message": f"expected {expected}"}
