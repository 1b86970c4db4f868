"""Pure rules of bureau filing: what each kind is sent to, the exact body bytes, what an
answer means, how long to wait before trying again, and when the bureau expects it.

Nothing here touches the database or the network, so every rule has a plain unit test.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from app.enums import LabelledEnum

BUREAU_TZ = ZoneInfo("Asia/Shanghai")
DISTRICT_CODE = re.compile(r"^50\d{4}$", re.ASCII)
MIN_SECRET_BYTES = 32
# The bureau keeps idempotency keys this long (PROTOCOL "Idempotency").
KEY_MEMORY = timedelta(days=30)


class Kind(LabelledEnum):
    CONTRACT = "contract", "Contract"
    AMENDMENT = "amendment", "Contract amendment"
    CANCELLATION = "cancellation", "Contract cancellation"
    GROUP = "group", "Group itinerary"
    STATISTICS = "statistics", "Statistics report"
    GUIDE_ASSIGNMENT = "guide_assignment", "Guide assignment"


class State(LabelledEnum):
    # made before the enterprise registered with the bureau: body not sealed
    HELD = "held", "Held until registered"
    WAITING = "waiting", "Waiting for its contract"  # its contract's filing is not accepted yet
    PENDING = "pending", "Sending"  # to be sent, or being retried
    # the bureau refused our credentials: nothing is sent until resumed
    PAUSED = "paused", "Paused"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"  # 400: the tenant must correct it and file again
    CONFLICTED = "conflicted", "Conflict"  # 409
    SUPERSEDED = "superseded", "Re-filed"  # re-filed with corrections under a new key


class RegistrationStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    # the bureau refused our credentials: nothing is sent until the owner resumes
    PAUSED = "paused", "Paused"


KINDS = tuple(k.value for k in Kind)
STATES = tuple(s.value for s in State)
OPEN_STATES = (State.HELD, State.WAITING, State.PENDING, State.PAUSED)
NEEDS_ACTION = (State.REJECTED, State.CONFLICTED, State.PAUSED)
# Amendments and cancellations go to the contract's own path, after the contract.
FOLLOWS_CONTRACT = (Kind.AMENDMENT, Kind.CANCELLATION)


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # 201
    REPLAYED = "replayed"  # 200: the bureau had it already (same receipt)
    REJECTED = "rejected"  # 400
    REFUSED = "refused"  # 401, 403
    CONFLICTED = "conflicted"  # 409
    BUSY = "busy"  # 429, 503: wait as long as Retry-After says
    FAILED = "failed"  # another status: transient
    NO_ANSWER = "no_answer"  # timeout, refused or dropped connection: outcome unknown


RETRYABLE = (Outcome.BUSY, Outcome.FAILED, Outcome.NO_ANSWER)


_MEANING = {
    201: Outcome.ACCEPTED,
    200: Outcome.REPLAYED,
    400: Outcome.REJECTED,
    401: Outcome.REFUSED,
    403: Outcome.REFUSED,
    409: Outcome.CONFLICTED,
    429: Outcome.BUSY,
    503: Outcome.BUSY,
}


def classify(status: int | None) -> Outcome:
    """What an HTTP status means for a filing (PROTOCOL "Answers")."""
    if status is None:
        return Outcome.NO_ANSWER
    return _MEANING.get(status, Outcome.FAILED)


class PayloadProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Route:
    """Where a filing goes and the business key the bureau knows it by."""

    path: str
    ref: str
    body: dict[str, Any]


def _text(payload: dict[str, Any], field: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not value.strip():
        raise PayloadProblem(field, "This field is required.")
    return value


def route(kind: Kind, payload: dict[str, Any]) -> Route:
    """The path and business key of a filing. For amendments and cancellations the
    payload's `e_number` names the contract: it goes into the path, not the body."""
    body = dict(payload)
    if kind is Kind.CONTRACT:
        return Route("/v1/contracts", _text(body, "e_number"), body)
    if kind in FOLLOWS_CONTRACT:
        e_number = _text(body, "e_number")
        del body["e_number"]
        tail = "amendments" if kind is Kind.AMENDMENT else "cancellation"
        return Route(f"/v1/contracts/{quote(e_number, safe='')}/{tail}", e_number, body)
    if kind is Kind.GROUP:
        return Route("/v1/groups", _text(body, "group_no"), body)
    if kind is Kind.STATISTICS:
        ref = f"{_text(body, 'report_type')}:{_text(body, 'period')}"
        return Route("/v1/statistics", ref, body)
    ref = f"{_text(body, 'group_no')}:{_text(body, 'licence_no')}"
    return Route("/v1/guide-assignments", ref, body)


def seal_body(body: dict[str, Any], district_code: str) -> bytes:
    """The exact bytes sent on every attempt: compact JSON, UTF-8 (Chinese as is), keys
    sorted, with the enterprise's district code unless the payload names one."""
    sealed = {"district_code": district_code, **body}
    return json.dumps(sealed, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def retry_delay(
    failures: int,
    *,
    base: float,
    cap: float,
    retry_after: int | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after `failures` failed attempts in a row.

    Retry-After, when the bureau sends it, is honoured as a minimum (busy or down).
    Otherwise exponential backoff with "equal jitter": half the step fixed, half random,
    so that many enterprises' workers do not hammer a recovering bureau in step."""
    step = min(cap, base * 2 ** max(failures - 1, 0))
    jitter = (rng or random).uniform(0, step / 2)
    delay = step / 2 + jitter
    if retry_after is not None:
        wait = max(float(retry_after), 1.0)
        delay = max(wait, min(delay, wait * 1.1))
    return delay


def parse_retry_after(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        seconds = int(value.strip())
    except ValueError:
        return None
    return min(max(seconds, 0), 86_400)


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, BUREAU_TZ).astimezone(UTC)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BUREAU_TZ)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _statistics_due(payload: dict[str, Any]) -> datetime | None:
    report, period = payload.get("report_type"), str(payload.get("period", ""))
    if report in ("hotel_monthly", "hot_spring_monthly") and re.fullmatch(
        r"\d{4}-\d{2}", period, re.ASCII
    ):
        year, month = int(period[:4]), int(period[5:])
        if 1 <= month <= 12:
            following = date(year + month // 12, month % 12 + 1, 10)
            return _end_of_day(following)
    if report == "agency_quarterly" and re.fullmatch(r"\d{4}-Q[1-4]", period, re.ASCII):
        year, quarter = int(period[:4]), int(period[-1])
        month = quarter * 3 + 1
        return _end_of_day(date(year + month // 13, (month - 1) % 12 + 1, 15))
    if report == "cruise_voyage":
        arrival = _day((payload.get("figures") or {}).get("arrival_date"))
        if arrival:
            return datetime.combine(arrival, time.max, BUREAU_TZ).astimezone(UTC) + timedelta(
                hours=48
            )
    return None


def due_at(kind: Kind, payload: dict[str, Any]) -> datetime | None:
    """When the bureau expects the filing (PROTOCOL "Timeliness"); None if unknown."""
    if kind is Kind.CONTRACT:
        signed = _instant(payload.get("signed_at"))
        return signed + timedelta(hours=24) if signed else None
    if kind in FOLLOWS_CONTRACT:
        field = "amended_at" if kind is Kind.AMENDMENT else "cancelled_at"
        at = _instant(payload.get(field))
        return at + timedelta(hours=24) if at else None
    if kind is Kind.GROUP:
        start = _day(payload.get("start_date"))
        return datetime.combine(start, time.min, BUREAU_TZ).astimezone(UTC) if start else None
    if kind is Kind.GUIDE_ASSIGNMENT:
        start = _day(payload.get("from_date"))
        return datetime.combine(start, time.min, BUREAU_TZ).astimezone(UTC) if start else None
    return _statistics_due(payload)


def secret_problem(secret: str) -> str | None:
    if len(secret.encode()) < MIN_SECRET_BYTES:
        return "The filing secret has at least 32 bytes; paste it exactly as the bureau gave it."
    return None


def district_problem(code: str) -> str | None:
    if not DISTRICT_CODE.match(code):
        return "Enter the 6-digit code of a Chongqing district or county (50xxxx)."
    return None


def field_errors(answer_body: Any) -> list[dict[str, str]]:
    """The bureau's field errors from a 400 answer, or its message as one error."""
    if not isinstance(answer_body, dict):
        return []
    errors = answer_body.get("errors")
    if isinstance(errors, list) and errors:
        return [
            {
                "field": str(e.get("field", "")),
                "code": str(e.get("code", "")),
                "message": str(e.get("message", "")),
            }
            for e in errors
            if isinstance(e, dict)
        ]
    message = answer_body.get("message")
    code = answer_body.get("code")
    return [{"field": "", "code": str(code or ""), "message": str(message)}] if message else []
