"""The delivery backends against real local servers: an SMTP server (aiosmtpd, with
STARTTLS and AUTH) and a small HTTP SMS gateway."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.notifications.backends import (
    DeliveryError,
    HttpSmsGateway,
    LogBackend,
    PermanentDeliveryError,
    SmtpBackend,
    backends_from_settings,
)
from app.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """aiosmtpd handler: keeps what it accepts, refuses recipients at nobody@."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"hotel",
        b"s3cret",
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def plain_smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def tls_smtp(certificate: tuple[Path, Path]) -> Iterator[tuple[Mailbox, int]]:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(*certificate)
    mailbox, port = Mailbox(), free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        authenticator=_authenticator,
        auth_require_tls=True,
    )
    controller.start()
    yield mailbox, port
    controller.stop()


def smtp_settings(settings: Settings, port: int, **overrides: Any) -> Settings:
    values = {
        "mail_backend": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_username": "",
        "smtp_password": "",
        "mail_from": "智旅 Zhilv <no-reply@zhilv.test>",
        **overrides,
    }
    return settings.model_copy(update=values)


class TestSmtpBackend:
    async def test_delivers_a_chinese_message_with_our_id_in_the_message_id(
        self, settings, plain_smtp
    ):
        mailbox, port = plain_smtp
        backend = SmtpBackend(smtp_settings(settings, port))
        await backend.send_mail(
            message_id="0193-abc",
            to="guest@example.test",
            subject="预订确认",
            body="您好，您的房间已预订。",
        )
        [envelope] = mailbox.received
        assert envelope.rcpt_tos == ["guest@example.test"]
        email = message_from_bytes(envelope.content)
        assert str(make_header(decode_header(email["Subject"]))) == "预订确认"
        assert "0193-abc" in email["Message-ID"]
        assert email.get_payload(decode=True).decode("utf-8").strip() == "您好，您的房间已预订。"

    async def test_starttls_and_login_when_configured(self, settings, tls_smtp, certificate):
        mailbox, port = tls_smtp
        client_context = ssl.create_default_context(cafile=str(certificate[0]))
        configured = smtp_settings(
            settings, port, smtp_starttls=True, smtp_username="hotel", smtp_password="s3cret"
        )
        await SmtpBackend(configured, tls_context=client_context).send_mail(
            message_id="m1", to="guest@example.test", subject="s", body="b"
        )
        assert len(mailbox.received) == 1

    async def test_server_that_requires_starttls_refuses_plain_sessions(self, settings, tls_smtp):
        _mailbox, port = tls_smtp
        with pytest.raises(PermanentDeliveryError):
            await SmtpBackend(smtp_settings(settings, port)).send_mail(
                message_id="m1", to="guest@example.test", subject="s", body="b"
            )

    async def test_untrusted_certificate_is_refused(self, settings, tls_smtp):
        _mailbox, port = tls_smtp
        with pytest.raises(PermanentDeliveryError, match="certificate"):
            await SmtpBackend(smtp_settings(settings, port, smtp_starttls=True)).send_mail(
                message_id="m1", to="guest@example.test", subject="s", body="b"
            )

    async def test_wrong_password_is_permanent(self, settings, tls_smtp, certificate):
        _mailbox, port = tls_smtp
        context = ssl.create_default_context(cafile=str(certificate[0]))
        configured = smtp_settings(
            settings, port, smtp_starttls=True, smtp_username="hotel", smtp_password="wrong"
        )
        with pytest.raises(PermanentDeliveryError, match="535"):
            await SmtpBackend(configured, tls_context=context).send_mail(
                message_id="m1", to="guest@example.test", subject="s", body="b"
            )

    async def test_refused_recipient_is_permanent(self, settings, plain_smtp):
        _mailbox, port = plain_smtp
        with pytest.raises(PermanentDeliveryError, match="recipient"):
            await SmtpBackend(smtp_settings(settings, port)).send_mail(
                message_id="m1", to="nobody@example.test", subject="s", body="b"
            )

    async def test_server_down_is_worth_retrying(self, settings):
        with pytest.raises(DeliveryError) as caught:
            await SmtpBackend(smtp_settings(settings, free_port())).send_mail(
                message_id="m1", to="guest@example.test", subject="s", body="b"
            )
        assert not isinstance(caught.value, PermanentDeliveryError)


class Gateway:
    """A small HTTP SMS gateway: records requests, answers with `status`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "json": json.loads(body),
                    }
                )
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    g = Gateway()
    yield g
    g.close()


def sms_settings(settings: Settings, url: str) -> Settings:
    return settings.model_copy(
        update={"sms_backend": "http", "sms_gateway_url": url, "sms_gateway_token": "gw-token"}
    )


class TestHttpSmsGateway:
    async def test_posts_json_with_the_bearer_token(self, settings, gateway):
        await HttpSmsGateway(sms_settings(settings, gateway.url)).send_sms(
            message_id="m-1", to="13800138000", body="您的验证码是 123456"
        )
        assert gateway.requests == [
            {
                "path": "/v1/sms",
                "auth": "Bearer gw-token",
                "json": {"id": "m-1", "to": "13800138000", "body": "您的验证码是 123456"},
            }
        ]

    @pytest.mark.parametrize("status", [429, 500, 503])
    async def test_busy_or_failing_gateway_is_worth_retrying(self, settings, gateway, status):
        gateway.status = status
        with pytest.raises(DeliveryError) as caught:
            await HttpSmsGateway(sms_settings(settings, gateway.url)).send_sms(
                message_id="m", to="13800138000", body="x"
            )
        assert not isinstance(caught.value, PermanentDeliveryError)
        assert str(status) in str(caught.value)

    async def test_rejected_request_is_permanent(self, settings, gateway):
        gateway.status = 400
        with pytest.raises(PermanentDeliveryError):
            await HttpSmsGateway(sms_settings(settings, gateway.url)).send_sms(
                message_id="m", to="not-a-number", body="x"
            )

    async def test_unreachable_gateway_is_worth_retrying(self, settings):
        url = f"http://127.0.0.1:{free_port()}/sms"
        with pytest.raises(DeliveryError) as caught:
            await HttpSmsGateway(sms_settings(settings, url)).send_sms(
                message_id="m", to="1", body="x"
            )
        assert not isinstance(caught.value, PermanentDeliveryError)

    def test_needs_a_gateway_url(self, settings):
        with pytest.raises(ValueError, match="SMS_GATEWAY_URL"):
            HttpSmsGateway(
                settings.model_copy(update={"sms_backend": "http", "sms_gateway_url": ""})
            )


class TestBackendChoice:
    def test_development_defaults_to_the_log(self, settings):
        chosen = backends_from_settings(
            settings.model_copy(update={"mail_backend": "log", "sms_backend": "log"})
        )
        assert isinstance(chosen.mail, LogBackend) and isinstance(chosen.sms, LogBackend)

    def test_settings_choose_smtp_and_the_http_gateway(self, settings):
        chosen = backends_from_settings(
            settings.model_copy(
                update={
                    "mail_backend": "smtp",
                    "sms_backend": "http",
                    "sms_gateway_url": "http://gw.test/sms",
                }
            )
        )
        assert (chosen.mail.name, chosen.sms.name) == ("smtp", "http")

    async def test_log_backend_writes_the_whole_message(self, caplog):
        caplog.set_level("INFO", logger="zhilv.notifications")
        await LogBackend().send_mail(
            message_id="m", to="a@b.test", subject="重置密码", body="链接 https://x/y"
        )
        [record] = caplog.records
        assert "重置密码" in record.getMessage() and "https://x/y" in record.getMessage()
        assert record.fields["to"] == "a@b.test"
