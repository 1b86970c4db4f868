"""Request logs (one line per request) with a request id.

The id comes from an incoming `X-Request-ID` when it looks sane, else is new; it is
echoed in the response and attached to every log record made while serving.

Lines are JSON for machines (the default when stderr is not a terminal, and always in
production unless LOG_JSON says otherwise) and plain text for a person watching a terminal
(`make run`): time, level, request id, message, key fields.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextvars import ContextVar
from typing import Any

from litestar.types import Scope

from app.db.base import uuid7

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("zhilv.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id_var.get()
        if rid:
            data["request_id"] = rid
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            data.update(extra)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


_LEVEL_COLOURS = {"DEBUG": "2", "INFO": "32", "WARNING": "33", "ERROR": "31", "CRITICAL": "1;31"}


class ReadableFormatter(logging.Formatter):
    """`14:03:07.412 INFO    zhilv.request [9f3c2a1b] GET /console 200  ms=4.2` for people.

    The request id shows its last eight characters (the random part of our uuid7 ids; a
    search for them finds the full id in JSON logs). Fields already visible in the message
    are not repeated."""

    def __init__(self, colour: bool = False) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        level = f"{record.levelname:<7}"
        if self.colour:
            level = f"\x1b[{_LEVEL_COLOURS.get(record.levelname, '0')}m{level}\x1b[0m"
        message = record.getMessage()
        parts = [f"{stamp}.{int(record.msecs):03d}", level, record.name]
        rid = request_id_var.get()
        if rid:
            parts.append(f"[{rid[-8:]}]")
        parts.append(message)
        line = " ".join(parts)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            words = set(message.split())
            shown = [
                f"{key}={_field(value)}" for key, value in fields.items() if str(value) not in words
            ]
            if shown:
                line += "  " + " ".join(shown)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _field(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (" " in text or not text) else text


def wants_json(json_lines: bool | None, production: bool, stream: Any) -> bool:
    """LOG_JSON when set; otherwise JSON in production and wherever no person is watching."""
    if json_lines is not None:
        return json_lines
    isatty = getattr(stream, "isatty", None)
    return production or not (isatty and isatty())


def configure_logging(
    level: str = "INFO", json_lines: bool | None = None, *, production: bool = False
) -> None:
    stream = sys.stderr
    handler = logging.StreamHandler(stream)
    if wants_json(json_lines, production, stream):
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(ReadableFormatter(colour=getattr(stream, "isatty", bool)()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("granian.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def request_id(scope: Scope) -> str:
    """The request's id: an incoming `X-Request-ID` when it looks sane, else a new one."""
    incoming = next((v.decode() for k, v in scope["headers"] if k == b"x-request-id"), "")
    return incoming if _SANE.match(incoming) else uuid7().hex


def log_request(scope: Scope, path: str, status: int, started: float) -> None:
    """The request's one log line (app.web.pipeline writes it when the answer is sent)."""
    if not log.isEnabledFor(logging.INFO):
        return
    method = str(scope.get("method", ""))
    log.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "fields": {
                "method": method,
                "path": path,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        },
    )
