"""The enterprise's registration with the bureau (owner only): its code, district and
filing secret; testing the connection; pausing when the bureau refuses our credentials
and resuming once the owner fixed them; alerting the owners."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid
from app.i18n import gettext, use_locale
from app.identifiers import normalize_uscc, uscc_problem
from app.notifications.service import queue_message
from app.security.access import Role
from app.security.crypto import SecretBox, SecretUnreadable, secret_box
from app.settings import Settings
from modules.filings import domain
from modules.filings.domain import RegistrationStatus
from modules.filings.models import BureauRegistration
from modules.filings.repository import FilingRepository, RegistrationRepository
from modules.filings.service.client import Answer, BureauClient, Credentials
from modules.filings.service.filing import forget_registration, seal_held
from modules.filings.service.queue import drain_soon
from tenants import service as tenants

__all__ = [
    "ConnectionTest",
    "NotRegistered",
    "RegistrationView",
    "alert_owners",
    "box_for",
    "credentials_for",
    "pause_filing",
    "registration_view",
    "resume_filing",
    "save_registration",
    "test_connection",
]

# A receipt number no filing has: the bureau answers 404 when it accepted the signature.
PROBE_PATH = "/v1/receipts/ZHILV-CONNECTION-TEST"
TEST_TIMEOUT_SECONDS = 10.0


class NotRegistered(Conflict):
    message = "Register the enterprise with the bureau first."


@dataclass(frozen=True, slots=True)
class RegistrationView:
    registration: BureauRegistration | None
    enterprise_code: str
    district_code: str

    @property
    def paused(self) -> bool:
        return (
            self.registration is not None and self.registration.status == RegistrationStatus.PAUSED
        )


@dataclass(frozen=True, slots=True)
class ConnectionTest:
    result: str  # ok | refused_signature | refused_enterprise | unreachable | unexpected
    status: int | None
    detail: str

    @property
    def ok(self) -> bool:
        return self.result == "ok"


def box_for(settings: Settings) -> SecretBox:
    return secret_box(settings.filing_encryption_key, settings.secret_key)


def credentials_for(registration: BureauRegistration, box: SecretBox) -> Credentials:
    secret = box.open(registration.secret_sealed, owner=str(registration.tenant_id))
    return Credentials(enterprise_code=registration.enterprise_code, secret=secret)


async def registration_view(db: AsyncSession, tenant_id: TenantId) -> RegistrationView:
    registration = await RegistrationRepository(db, tenant_id).current()
    if registration is not None:
        return RegistrationView(
            registration, registration.enterprise_code, registration.district_code
        )
    tenant = await tenants.tenant_settings(db, tenant_id)
    return RegistrationView(None, tenant.enterprise_code, "")


def _problems(code: str, district: str, secret: str, first: bool) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if problem := uscc_problem(code):
        errors.append({"field": "enterprise_code", "code": "invalid", "message": problem})
    if problem := domain.district_problem(district):
        errors.append({"field": "district_code", "code": "invalid", "message": problem})
    if secret or first:
        if problem := domain.secret_problem(secret):
            errors.append({"field": "filing_secret", "code": "invalid", "message": problem})
    return errors


async def save_registration(
    db: AsyncSession,
    tenant_id: TenantId,
    settings: Settings,
    *,
    enterprise_code: str,
    district_code: str,
    filing_secret: str = "",
    actor_user_id: uuid.UUID | None = None,
    ip: str | None = None,
) -> BureauRegistration:
    """Save the bureau registration. The secret is encrypted before it is stored and is
    never shown again; leaving it empty keeps the stored one. Filings made before the
    first registration are sealed and queued now."""
    repo = RegistrationRepository(db, tenant_id)
    registration = await repo.current(lock=True)
    code, district = normalize_uscc(enterprise_code), district_code.strip()
    errors = _problems(code, district, filing_secret, registration is None)
    if errors:
        raise Invalid(errors=errors)
    sealed = box_for(settings).seal(filing_secret, owner=str(tenant_id)) if filing_secret else None
    first = registration is None
    if registration is None:
        assert sealed is not None
        registration = BureauRegistration(
            enterprise_code=code, district_code=district, secret_sealed=sealed
        )
        repo.add(registration)
    else:
        registration.enterprise_code, registration.district_code = code, district
        if sealed:
            registration.secret_sealed = sealed
            registration.secret_set_at = clock.now()
        registration.updated_at = clock.now()
    await db.flush()
    forget_registration(db)
    if first:
        await seal_held(db, tenant_id, district)
    await tenants.record_audit(
        db,
        tenant_id,
        "filings.registration_saved",
        actor_user_id=actor_user_id,
        subject_type="bureau_registration",
        subject_id=registration.id,
        data={"enterprise_code": code, "district_code": district, "secret_changed": bool(sealed)},
        ip=ip,
    )
    return registration


def _judge(answer: Answer) -> ConnectionTest:
    detail = answer.error or answer.body[:500]
    if answer.status in (404, 200):
        return ConnectionTest("ok", answer.status, detail)
    if answer.status == 401:
        return ConnectionTest("refused_signature", 401, detail)
    if answer.status == 403:
        return ConnectionTest("refused_enterprise", 403, detail)
    if answer.status is None:
        return ConnectionTest("unreachable", None, detail)
    return ConnectionTest("unexpected", answer.status, detail)


async def test_connection(
    db: AsyncSession, tenant_id: TenantId, settings: Settings
) -> ConnectionTest:
    """A signed GET of a receipt that does not exist: 404 means the bureau accepted our
    code and signature. The outcome is kept with the registration."""
    registration = await RegistrationRepository(db, tenant_id).current(lock=True)
    if registration is None:
        raise NotRegistered()
    try:
        credentials = credentials_for(registration, box_for(settings))
    except SecretUnreadable:
        outcome = ConnectionTest("unreadable_secret", None, "")
    else:
        timeout = min(settings.filing_http_timeout_seconds, TEST_TIMEOUT_SECONDS)
        client = BureauClient(settings.bureau_url, timeout=timeout)
        try:
            outcome = _judge(await client.get(PROBE_PATH, credentials))
        finally:
            await client.aclose()
    registration.last_test_at = clock.now()
    registration.last_test_status = outcome.status
    registration.last_test_result = outcome.result
    await db.flush()
    return outcome


async def alert_owners(db: AsyncSession, tenant_id: TenantId, subject: str, body: str) -> int:
    """E-mail every active owner (through the outbox, in this transaction). `subject`
    and `body` are msgids, translated into the enterprise's language."""
    tenant = await tenants.tenant_settings(db, tenant_id)
    owners = [
        row.user.email
        for row in await tenants.list_staff(db, tenant_id)
        if row.membership.role == Role.OWNER and row.membership.status == "active"
    ]
    with use_locale(tenant.locale):
        subject_text, body_text = gettext(subject), gettext(body, name=tenant.name)
    for email in owners:
        await queue_message(
            db,
            tenant_id,
            channel="email",
            recipient=email,
            subject=subject_text,
            body=body_text,
            purpose="filing_alert",
        )
    return len(owners)


PAUSED_SUBJECT = "Bureau filing paused"
PAUSED_BODY = (
    "The tourism bureau refused the filing credentials of %(name)s, so Zhilv has paused "
    "all bureau filing: nothing is lost, and nothing is sent until you act. Check the "
    "enterprise code and filing secret on the Bureau registration page, test the "
    "connection, then resume filing."
)


async def pause_filing(
    db: AsyncSession, tenant_id: TenantId, *, status: int | None, reason: str
) -> bool:
    """Stop sending for this tenant after the bureau refused our credentials (401/403):
    retrying with the same credentials cannot succeed and would look like an attack.
    Owners are alerted once; False if filing was already paused."""
    registration = await RegistrationRepository(db, tenant_id).current(lock=True)
    if registration is None or registration.status == RegistrationStatus.PAUSED:
        return False
    registration.status = RegistrationStatus.PAUSED
    registration.paused_at = clock.now()
    registration.paused_status = status
    registration.paused_reason = reason[:2000]
    forget_registration(db)
    await FilingRepository(db, tenant_id).pause_pending()
    await alert_owners(db, tenant_id, PAUSED_SUBJECT, PAUSED_BODY)
    await tenants.record_audit(
        db,
        tenant_id,
        "filings.paused",
        subject_type="bureau_registration",
        subject_id=registration.id,
        data={"status": status, "reason": reason[:500]},
    )
    return True


async def resume_filing(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    actor_user_id: uuid.UUID | None = None,
    ip: str | None = None,
) -> int:
    """Resume after a pause: every paused filing is due again, each with its own key
    and bytes as before. Returns how many."""
    registration = await RegistrationRepository(db, tenant_id).current(lock=True)
    if registration is None:
        raise NotRegistered()
    registration.status = RegistrationStatus.ACTIVE
    registration.paused_at = registration.paused_status = registration.paused_reason = None
    forget_registration(db)
    resumed = await FilingRepository(db, tenant_id).resume_paused()
    if resumed:
        await drain_soon(db, tenant_id)
    await tenants.record_audit(
        db,
        tenant_id,
        "filings.resumed",
        actor_user_id=actor_user_id,
        subject_type="bureau_registration",
        subject_id=registration.id,
        data={"filings": len(resumed)},
        ip=ip,
    )
    return len(resumed)
