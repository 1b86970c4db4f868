"""How messages leave: e-mail over SMTP, SMS through an HTTP gateway, or — in development —
the log.

Backends raise `DeliveryError` for failures worth retrying (the server is down, busy or
timed out) and `PermanentDeliveryError` for those that waiting cannot fix (the address is
refused, the gateway rejects the request): the send job then goes straight to the
dead-letter state instead of retrying. Any other exception is a bug and is retried.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import httpx

from app.jobs.retry import PermanentError
from app.settings import Settings

log = logging.getLogger("zhilv.notifications")

SMTP_TIMEOUT_SECONDS = 30
SMS_TIMEOUT_SECONDS = 15
SMTPS_PORT = 465


class DeliveryError(Exception):
    """The message was not delivered; trying again later may work."""


class PermanentDeliveryError(DeliveryError, PermanentError):
    """The message was refused; trying again will not help."""


class MailBackend(Protocol):
    name: str

    async def send_mail(self, *, message_id: str, to: str, subject: str, body: str) -> None: ...


class SmsGateway(Protocol):
    name: str

    async def send_sms(self, *, message_id: str, to: str, body: str) -> None: ...


class LogBackend:
    """Development: the message, in full, goes to the log (password-reset links included,
    so it must never be the backend of a production deployment)."""

    name = "log"

    async def send_mail(self, *, message_id: str, to: str, subject: str, body: str) -> None:
        self._write("email", message_id, to, body, subject=subject)

    async def send_sms(self, *, message_id: str, to: str, body: str) -> None:
        self._write("sms", message_id, to, body)

    def _write(self, channel: str, message_id: str, to: str, body: str, subject: str = "") -> None:
        fields = {"channel": channel, "message_id": message_id, "to": to, "subject": subject}
        log.info("%s to %s: %s\n%s", channel, to, subject, body, extra={"fields": fields})


class SmtpBackend:
    """E-mail through an SMTP server: STARTTLS on the submission port when SMTP_STARTTLS is
    on, implicit TLS on port 465, certificates verified. The Message-ID carries our message
    id, so a receiver can drop the duplicate of an at-least-once retry."""

    name = "smtp"

    def __init__(self, settings: Settings, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.tls_context = tls_context or ssl.create_default_context()

    async def send_mail(self, *, message_id: str, to: str, subject: str, body: str) -> None:
        email = self._compose(message_id, to, subject, body)
        await asyncio.to_thread(self._send, email)

    def _compose(self, message_id: str, to: str, subject: str, body: str) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.mail_from
        email["To"] = to
        email["Subject"] = subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = make_msgid(idstring=message_id, domain="zhilv")
        email.set_content(body, charset="utf-8")
        return email

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_port == SMTPS_PORT:
            return smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS, context=self.tls_context
            )
        client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
        if s.smtp_starttls:
            try:
                client.starttls(context=self.tls_context)
            except BaseException:
                client.close()
                raise
        return client

    def _send(self, email: EmailMessage) -> None:
        try:
            with self._connect() as client:
                if self.settings.smtp_username:
                    client.login(self.settings.smtp_username, self.settings.smtp_password)
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"SMTP refused the recipient: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            raw = exc.smtp_error
            reply = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            error = PermanentDeliveryError if exc.smtp_code >= 500 else DeliveryError
            raise error(f"SMTP {exc.smtp_code}: {reply}"[:500]) from exc
        except (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as exc:
            # The server cannot do STARTTLS, or its certificate does not verify: a set-up
            # problem, retried from the console once it is fixed.
            raise PermanentDeliveryError(f"SMTP: {exc}"[:500]) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}"[:500]) from exc


class HttpSmsGateway:
    """SMS through an HTTP gateway: `POST SMS_GATEWAY_URL` with JSON `{"id", "to", "body"}`
    and `Authorization: Bearer SMS_GATEWAY_TOKEN`; any 2xx is accepted. `id` is our
    message id, for a gateway that drops duplicates. 408, 429 and 5xx are retried; other
    4xx answers mean the request itself is wrong and are not."""

    name = "http"

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None):
        if not settings.sms_gateway_url:
            raise ValueError("SMS_BACKEND=http needs SMS_GATEWAY_URL")
        self.url = settings.sms_gateway_url
        self.token = settings.sms_gateway_token
        self.transport = transport

    async def send_sms(self, *, message_id: str, to: str, body: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        payload = {"id": message_id, "to": to, "body": body}
        try:
            async with httpx.AsyncClient(
                timeout=SMS_TIMEOUT_SECONDS, transport=self.transport
            ) as client:
                response = await client.post(self.url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS gateway: {type(exc).__name__}: {exc}"[:500]) from exc
        if response.is_success:
            return
        detail = f"SMS gateway answered {response.status_code}: {response.text[:200]}"
        if response.status_code in (408, 429) or response.status_code >= 500:
            raise DeliveryError(detail)
        raise PermanentDeliveryError(detail)


@dataclass(frozen=True, slots=True)
class Backends:
    mail: MailBackend
    sms: SmsGateway


def backends_from_settings(settings: Settings) -> Backends:
    """MAIL_BACKEND (log | smtp) and SMS_BACKEND (log | http) choose the backends."""
    mail: MailBackend = SmtpBackend(settings) if settings.mail_backend == "smtp" else LogBackend()
    sms: SmsGateway = HttpSmsGateway(settings) if settings.sms_backend == "http" else LogBackend()
    return Backends(mail=mail, sms=sms)
