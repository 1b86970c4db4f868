"""Request logs (app/web/logging.py): the status logged is the status answered, and lines
are readable in a terminal, JSON elsewhere."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from app.web.logging import (
    JsonFormatter,
    ReadableFormatter,
    configure_logging,
    request_id_var,
    wants_json,
)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def request_log() -> Iterator[list[logging.LogRecord]]:
    handler = _Collect()
    logger = logging.getLogger("zhilv.request")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.records
    logger.removeHandler(handler)


def _record(msg: str = "GET /console 200", **fields: object) -> logging.LogRecord:
    record = logging.LogRecord("zhilv.request", logging.INFO, __file__, 1, msg, (), None)
    record.fields = fields
    return record


class TestRequestLog:
    async def test_a_refused_csrf_check_is_logged_as_403_not_500(self, client, request_log):
        response = await client.post("/console/login", data={"email": "a@b.c"})
        assert response.status_code == 403
        statuses = [r.fields["status"] for r in request_log if r.fields["path"] == "/console/login"]
        assert statuses == [403]

    async def test_an_answered_request_is_logged_with_its_status(self, client, request_log):
        await client.get("/console/login")
        assert [r.fields["status"] for r in request_log] == [200]


class TestReadableFormatter:
    def test_a_request_line_has_time_level_request_id_message_and_extra_fields(self):
        token = request_id_var.set("0190f3c2a1b2c3d4e5f60718293a4b5c")
        try:
            line = ReadableFormatter().format(
                _record(method="GET", path="/console", status=200, ms=4.2)
            )
        finally:
            request_id_var.reset(token)
        time_, level, logger, rid, *rest = line.split()
        assert len(time_) == len("14:03:07.412") and time_[2] == ":"
        assert (level, logger, rid) == ("INFO", "zhilv.request", "[293a4b5c]")
        # method, path and status are in the message already; only the time taken is added
        assert " ".join(rest) == "GET /console 200 ms=4.2"

    def test_text_fields_with_spaces_are_quoted_and_errors_show_their_traceback(self):
        try:
            raise ValueError("bad")
        except ValueError:
            record = _record("job failed", task="filings.send", reason="no answer")
            record.exc_info = sys.exc_info()
        line = ReadableFormatter().format(record)
        assert 'task=filings.send reason="no answer"' in line
        assert "ValueError: bad" in line
        assert not line.startswith("{")

    def test_colour_only_when_asked(self):
        assert "\x1b[" not in ReadableFormatter().format(_record())
        assert "\x1b[32mINFO" in ReadableFormatter(colour=True).format(_record())


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestChoosingTheFormat:
    def test_json_unless_a_person_watches_a_terminal_outside_production(self):
        assert wants_json(None, production=False, stream=io.StringIO()) is True
        assert wants_json(None, production=False, stream=_Tty()) is False
        assert wants_json(None, production=True, stream=_Tty()) is True

    def test_log_json_decides_when_set(self):
        assert wants_json(True, production=False, stream=_Tty()) is True
        assert wants_json(False, production=True, stream=io.StringIO()) is False

    def test_configure_logging_installs_the_chosen_formatter(self, monkeypatch):
        root = logging.getLogger()
        saved = root.handlers[:], root.level
        try:
            monkeypatch.setattr(sys, "stderr", _Tty())
            configure_logging("INFO")
            assert isinstance(root.handlers[0].formatter, ReadableFormatter)
            monkeypatch.setattr(sys, "stderr", io.StringIO())
            configure_logging("INFO")
            assert isinstance(root.handlers[0].formatter, JsonFormatter)
            line = root.handlers[0].formatter.format(_record(ms=1.0))
            assert json.loads(line)["ms"] == 1.0
        finally:
            root.handlers[:], level = saved
            root.setLevel(level)
