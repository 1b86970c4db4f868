"""Signing: the agency sends the frozen text to the tourist (a link by SMS/e-mail, also as
a QR code on the agent's screen); the tourist reads it on the phone and confirms with a
one-time code; the agency countersigns, which makes the contract binding: it gets its
e-number, its PDF and its filing with the bureau, all in that one transaction.

The e-number is assigned at the agency's countersignature, not at the tourist's: only a
binding contract takes a number, so a tourist who never signs leaves no gap.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId, keep_on_refusal
from app.documents import qr_svg_data_uri
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.i18n import use_locale
from app.notifications.service import queue_message
from app.security.tokens import digest, new_secret
from app.settings import get_settings
from modules.contracts import domain
from modules.contracts.models import Contract, ContractSignature, ContractVersion
from modules.contracts.repository import ContractRepository
from modules.contracts.schemas import SigningView
from modules.contracts.service.common import (
    Actor,
    NoEnterpriseCode,
    checklist,
    load,
    load_terms,
    now,
    snapshot,
)
from modules.contracts.service.documents import render_document
from modules.contracts.service.guides import guide_problem, guides_by_ids
from tenants.service import record_audit

__all__ = [
    "CODE_ATTEMPTS",
    "CODE_RESEND_AFTER",
    "CODE_TTL",
    "LINK_TTL",
    "SIGNING_PATH",
    "SigningLink",
    "recall",
    "send_signing_code",
    "send_to_tourist",
    "signing_view",
    "tourist_sign",
]

SIGNING_PATH = "/sign/contract"
LINK_TTL = timedelta(days=7)
CODE_TTL = timedelta(minutes=10)
CODE_RESEND_AFTER = timedelta(seconds=60)
CODE_ATTEMPTS = 5
LINK_NOT_VALID = "This link is not valid, has expired or has already been used."


@dataclass(frozen=True, slots=True)
class SigningLink:
    url: str
    qr: str  # data URI of the URL's QR code
    expires_at: datetime


def _incomplete(items: list[domain.CheckItem]) -> Invalid:
    """Refusal listing every missing item, not only the first."""
    return Invalid(
        "The contract lacks items Tourism Law Art. 58 requires; complete them first.",
        errors=[
            {"field": f"checklist.{i.key}", "code": "missing", "message": i.label}
            for i in domain.missing(items)
        ],
    )


async def freeze_version(
    db: AsyncSession, tenant_id: TenantId, c: Contract, actor: Actor, reason: str = ""
) -> ContractVersion:
    """Check the contract and freeze its text as the next version."""
    terms, code = await load_terms(db, tenant_id, c)
    items = checklist(c, terms)
    if domain.missing(items):
        raise _incomplete(items)
    if domain.org_code(code) is None:
        raise NoEnterpriseCode()
    guides = await guides_by_ids(db, tenant_id, c.guide_ids or [])
    problem = guide_problem(guides, c.end_date)
    if problem:
        raise Invalid.field("guide_ids", problem)
    data = snapshot(c, terms, [{"name": g.name, "licence_no": g.licence_no} for g in guides])
    html, sha = render_document(data)
    c.version += 1
    version = ContractVersion(
        contract_id=c.id,
        version=c.version,
        reason=reason,
        snapshot=data,
        document_html=html,
        document_sha256=sha,
        created_by=actor.user_id,
    )
    await ContractRepository(db, tenant_id).save(version)
    return version


async def _deliver_link(
    db: AsyncSession, tenant_id: TenantId, c: Contract, agency: str, url: str
) -> None:
    with use_locale(await ContractRepository(db, tenant_id).locale()):
        body = _(
            "%(agency)s: your travel contract is ready to sign. Read and sign it here within "
            "7 days: %(url)s",
            agency=agency,
            url=url,
        )
        subject = _("Your travel contract from %(agency)s", agency=agency)
    await queue_message(
        db, tenant_id, channel="sms", recipient=c.lead_phone, body=body, purpose="contract_signing"
    )
    if c.lead_email:
        await queue_message(
            db, tenant_id, channel="email", recipient=c.lead_email, subject=subject, body=body,
            purpose="contract_signing",
        )  # fmt: skip


async def send_to_tourist(
    db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID, *, actor: Actor
) -> SigningLink:
    """Freeze the draft's text and send the tourist a signing link (SMS, and e-mail when
    given). Refused, listing every missing item, until the contract has all Art. 58 asks.
    Asked again while the tourist has not signed, it sends a fresh link (the old one
    stops working)."""
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id, lock=True)
    if c.status == domain.ContractStatus.DRAFT:
        await freeze_version(db, tenant_id, c, actor)
    elif c.status != domain.ContractStatus.AWAITING_TOURIST:
        raise Conflict("This contract is not waiting for the tourist's signature.")
    secret = new_secret()
    expires = now() + LINK_TTL
    c.sign_token_hash, c.sign_token_expires_at = digest(secret), expires
    c.code_hash, c.code_expires_at, c.code_sent_at, c.code_attempts = None, None, None, 0
    c.status, c.updated_at = domain.ContractStatus.AWAITING_TOURIST, now()
    base = get_settings().base_url.rstrip("/")
    url = f"{base}{SIGNING_PATH}?token={tenant_id}.{secret}"
    agency, _code = await repo.agency()
    await _deliver_link(db, tenant_id, c, agency, url)
    await record_audit(
        db,
        tenant_id,
        "contracts.sent",
        actor_user_id=actor.user_id,
        subject_type="contract",
        subject_id=c.id,
        data={"version": c.version},
        ip=actor.ip,
    )
    await db.flush()
    return SigningLink(url=url, qr=qr_svg_data_uri(url, scale=5), expires_at=expires)


async def recall(
    db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID, *, actor: Actor
) -> None:
    """Take a contract back to draft before the tourist signed: the link stops working
    and the unsigned version is dropped."""
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id, lock=True)
    if c.status != domain.ContractStatus.AWAITING_TOURIST:
        raise Conflict("Only a contract the tourist has not signed yet can be taken back.")
    version = await repo.version(c.id, c.version)
    if version is not None:
        await repo.drop_unsigned_version(version.id)
    c.version -= 1
    c.status, c.sign_token_hash, c.code_hash, c.updated_at = (
        domain.ContractStatus.DRAFT,
        None,
        None,
        now(),
    )
    await db.flush()
    await record_audit(
        db, tenant_id, "contracts.recalled", actor_user_id=actor.user_id,
        subject_type="contract", subject_id=c.id, ip=actor.ip,
    )  # fmt: skip
    await db.flush()  # the audit row, while this tenant is bound


async def _by_token(repo: ContractRepository, token_secret: str, *, lock: bool = False) -> Contract:
    c = await repo.by_token_hash(digest(token_secret or ""), lock=lock) if token_secret else None
    if c is None:
        raise NotFound(LINK_NOT_VALID)
    # Expired whatever the status: the page shows ID numbers; once signed, the tourist
    # has the e-number and its check code by SMS instead.
    if c.sign_token_expires_at is not None and c.sign_token_expires_at < now():
        raise NotFound(LINK_NOT_VALID)
    return c


async def _view(repo: ContractRepository, c: Contract) -> SigningView:
    version = await repo.version(c.id, c.version)
    if version is None:
        raise NotFound(LINK_NOT_VALID)
    agency, _code = await repo.agency()
    lead = next((p for p in version.snapshot["tourists"] if p["is_lead"]), None)
    return SigningView(
        contract_id=c.id,
        status=c.status,
        version=version.version,
        document_html=version.document_html,
        document_sha256=version.document_sha256,
        agency_name=agency,
        lead_name=lead["name"] if lead else "",
        masked_phone=domain.mask_phone(c.lead_phone),
        e_number=c.e_number,
        code_sent_at=c.code_sent_at,
        code_expires_at=c.code_expires_at,
        expires_at=c.sign_token_expires_at,
    )


async def signing_view(db: AsyncSession, tenant_id: TenantId, token_secret: str) -> SigningView:
    """The contract as the tourist reads it before signing: exactly the frozen text whose
    SHA-256 the signature will record. NotFound for an unknown or expired link."""
    repo = ContractRepository(db, tenant_id)
    return await _view(repo, await _by_token(repo, token_secret))


async def send_signing_code(
    db: AsyncSession, tenant_id: TenantId, token_secret: str, *, ip: str | None
) -> None:
    """Text a fresh 6-digit code to the lead tourist's phone (only its hash is kept).
    Refused when asked again within a minute, so the link cannot flood a phone."""
    repo = ContractRepository(db, tenant_id)
    c = await _by_token(repo, token_secret, lock=True)
    if c.status != domain.ContractStatus.AWAITING_TOURIST:
        raise Conflict("This contract is not waiting for your signature.")
    if c.code_sent_at is not None and now() - c.code_sent_at < CODE_RESEND_AFTER:
        raise Conflict("A code was sent less than a minute ago. Please wait before asking again.")
    code = f"{secrets.randbelow(10**6):06d}"
    c.code_hash = _code_hash(c.id, code)
    c.code_sent_at, c.code_expires_at, c.code_attempts = now(), now() + CODE_TTL, 0
    agency, _c = await repo.agency()
    with use_locale(await repo.locale()):
        body = _(
            "%(agency)s: your contract signing code is %(code)s, valid for 10 minutes. "
            "Never tell it to anyone.",
            agency=agency,
            code=code,
        )
    await queue_message(
        db, tenant_id, channel="sms", recipient=c.lead_phone, body=body, purpose="signing_code"
    )
    await db.flush()


def _code_hash(contract_id: uuid.UUID, code: str) -> str:
    return digest(f"{contract_id}:{code}")


WRONG_CODE = "The code is not right."


def _check_code(c: Contract, code: str) -> str | None:
    """None when the code is right; else why not (an English msgid)."""
    if c.code_hash is None or c.code_expires_at is None or c.code_expires_at < now():
        return "The code has expired. Ask for a new one."
    if c.code_attempts >= CODE_ATTEMPTS:
        return "Too many wrong codes. Ask for a new one."
    if not hmac.compare_digest(_code_hash(c.id, code.strip()), c.code_hash):
        return WRONG_CODE
    return None


async def tourist_sign(
    db: AsyncSession,
    tenant_id: TenantId,
    token_secret: str,
    code: str,
    *,
    ip: str | None,
    user_agent: str | None,
) -> SigningView:
    """The tourist's signature, with the SHA-256 of the exact text signed, the time, the
    address and the browser. A wrong code raises Invalid on "code" after counting the
    attempt, kept although the request is refused — after five wrong codes a new code
    is needed."""
    repo = ContractRepository(db, tenant_id)
    c = await _by_token(repo, token_secret, lock=True)
    if c.status != domain.ContractStatus.AWAITING_TOURIST:
        raise Conflict("This contract is not waiting for your signature.")
    problem = _check_code(c, code)
    if problem:
        if problem == WRONG_CODE:
            contract_id = c.id
            await keep_on_refusal(
                db,
                lambda session: ContractRepository(session, tenant_id).count_wrong_code(
                    contract_id
                ),
            )
        raise Invalid.field("code", problem)
    version = await repo.version(c.id, c.version)
    assert version is not None
    lead = next((p for p in version.snapshot["tourists"] if p["is_lead"]), {"name": ""})
    signature = ContractSignature(
        contract_id=c.id,
        version_id=version.id,
        party="tourist",
        signer_name=lead["name"],
        signed_at=now(),
        ip=ip,
        user_agent=(user_agent or "")[:500] or None,
        document_sha256=version.document_sha256,
    )
    c.status, c.code_hash, c.updated_at = domain.ContractStatus.AWAITING_AGENCY, None, now()
    await repo.save(signature, c)
    await record_audit(
        db, tenant_id, "contracts.tourist_signed", subject_type="contract", subject_id=c.id,
        data={"version": version.version, "sha256": version.document_sha256}, ip=ip,
    )  # fmt: skip
    await db.flush()  # the audit row, while this tenant is bound
    return await _view(repo, c)
