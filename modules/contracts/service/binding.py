"""Countersigning: the agency's signature makes the contract binding. In that one
transaction it takes its e-number (gap-free per agency and year), its PDF is rendered and
stored, and it is filed with the bureau. Also the verification code printed on the PDF
for the public check."""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict
from app.i18n import gettext as _
from app.i18n import use_locale
from app.notifications.service import queue_message
from app.security.tokens import digest
from app.settings import get_settings
from modules.contracts import domain
from modules.contracts.models import Contract, ContractSignature, ContractVersion
from modules.contracts.repository import ContractRepository
from modules.contracts.service import bureau
from modules.contracts.service.common import Actor, NoEnterpriseCode, load, now
from modules.contracts.service.documents import render_contract_pdf, sha256_hex, verify_url
from tenants.service import record_audit

__all__ = [
    "agency_signature",
    "countersign",
    "store_pdf",
    "tell_tourist",
    "verify_code",
    "verify_code_hash",
]

# Printed on the PDF for the public check; no 0/O, 1/I to misread.
VERIFY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
VERIFY_LENGTH = 8


def verify_code(tenant_id: uuid.UUID, e_number: str) -> str:
    """The 8-character code printed on the contract for the public check, derived with
    HMAC from the e-number (so every version's PDF prints the same code) and checked
    against its stored hash (so a later change of SECRET_KEY leaves printed codes valid)."""
    key = get_settings().secret_key.encode()
    mac = hmac.new(key, f"contract-verify:{tenant_id}:{e_number}".encode(), "sha256").digest()
    return "".join(VERIFY_ALPHABET[b % len(VERIFY_ALPHABET)] for b in mac[:VERIFY_LENGTH])


def verify_code_hash(e_number: str, code: str) -> str:
    return digest(f"{e_number}:{code.strip().upper()}")


async def countersign(
    db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID, *, actor: Actor
) -> str:
    """The agency's signature: the contract binds now. In this one transaction it takes
    the next e-number of the agency's year (the counter row stays locked until commit,
    so concurrent signings never share or skip a number), its PDF is rendered and
    stored, and it is filed with the bureau. Returns the e-number."""
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id, lock=True)
    if c.status != domain.ContractStatus.AWAITING_AGENCY:
        raise Conflict("Only a contract the tourist has signed can be countersigned.")
    agency, enterprise_code = await repo.agency()
    org = domain.org_code(enterprise_code)
    if org is None:
        raise NoEnterpriseCode()
    version = await repo.version(c.id, c.version)
    assert version is not None
    signed_at = now()
    tz = await repo.timezone()
    year = signed_at.astimezone(clock.zone(tz)).year
    e_number = str(domain.make_e_number(org, year, await repo.next_sequence(year)))
    code = verify_code(tenant_id, e_number)
    c.e_number, c.e_year, c.e_sequence = e_number, year, int(e_number.split("-")[2])
    c.verify_code_hash = verify_code_hash(e_number, code)
    c.status, c.signed_at, c.updated_at = domain.ContractStatus.SIGNED, signed_at, signed_at
    await repo.save(agency_signature(c, version, actor, agency, signed_at), c)
    await store_pdf(repo, c, version, code, signed_at, tz)
    c.filing_id = await bureau.file_contract(
        db, tenant_id, c.id, e_number, signed_at, version.snapshot
    )
    await tell_tourist(db, tenant_id, c, agency, code)
    await record_audit(
        db, tenant_id, "contracts.signed", actor_user_id=actor.user_id,
        subject_type="contract", subject_id=c.id,
        data={"e_number": e_number, "sha256": version.document_sha256}, ip=actor.ip,
    )  # fmt: skip
    await db.flush()
    return e_number


def agency_signature(
    c: Contract, version: ContractVersion, actor: Actor, agency: str, at: datetime
) -> ContractSignature:
    """The agency's signature of a version, by the staff member, with the text's SHA-256."""
    return ContractSignature(
        contract_id=c.id, version_id=version.id, party="agency",
        signer_name=actor.name or agency, user_id=actor.user_id, signed_at=at, ip=actor.ip,
        user_agent=(actor.user_agent or "")[:500] or None,
        document_sha256=version.document_sha256,
    )  # fmt: skip


async def tell_tourist(
    db: AsyncSession,
    tenant_id: TenantId,
    c: Contract,
    agency: str,
    code: str,
    *,
    amended: str | None = None,
) -> None:
    """The tourist learns the contract binds (or was amended, and why), with its number
    and the code to check it and download the PDF."""
    assert c.e_number is not None
    params = {
        "agency": agency,
        "number": c.e_number,
        "code": code,
        "url": f"{verify_url(c.e_number)}&code={code}",
    }
    with use_locale(await ContractRepository(db, tenant_id).locale()):
        if amended is None:
            body = _(
                "%(agency)s: your travel contract %(number)s is signed and in force. Check it "
                "and download it with the code %(code)s: %(url)s",
                **params,
            )
        else:
            body = _(
                "%(agency)s: your travel contract %(number)s was amended (%(reason)s). Check "
                "the new version with the code %(code)s: %(url)s",
                reason=amended,
                **params,
            )
    purpose = "contract_signed" if amended is None else "contract_amended"
    await queue_message(
        db, tenant_id, channel="sms", recipient=c.lead_phone, body=body, purpose=purpose
    )


async def store_pdf(
    repo: ContractRepository,
    c: Contract,
    version: ContractVersion,
    code: str,
    at: datetime,
    tz: str,
) -> None:
    """Render the version's PDF once and store it (the row is frozen from then on)."""
    assert c.e_number is not None
    pdf = await render_contract_pdf(
        e_number=c.e_number,
        verify_code=code,
        version=version,
        signatures=await repo.signatures_of_version(version.id),
        effective_at=at,
        tz=tz,
    )
    version.pdf, version.pdf_sha256, version.effective_at = pdf, sha256_hex(pdf), at
    await repo.save(version)
