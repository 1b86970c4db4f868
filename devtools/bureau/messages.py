"""A request as the bureau sees it and the answer it gives, shared by the bureau, its
control API and the two ways of serving it (the asyncio server and the ASGI adapter)."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

from devtools.bureau.checks import Json


@dataclass
class Request:
    method: str
    target: str  # the request-target's bytes as latin-1, exactly as sent
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    client: str | None = None


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    drop: bool = False  # close the connection instead of answering


def json_answer(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Answer:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Answer(status, body, [("content-type", "application/json"), *(headers or [])])


def error(status: int, code: str, message: str, errors: list[Json] | None = None) -> Answer:
    payload: Json = {"code": code, "message": message}
    if errors is not None:
        payload["errors"] = errors
    return json_answer(status, payload)


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
