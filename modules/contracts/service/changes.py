"""Changing a binding contract: an amendment is a new version with its reason, its own
PDF and its filing; a cancellation records who cancelled, why, and the refund the
standard scale gives (REFERENCE §1.4), and is filed too."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid
from modules.contracts import domain
from modules.contracts.models import Contract
from modules.contracts.repository import ContractRepository
from modules.contracts.schemas import CancelInput, DraftInput
from modules.contracts.service import bureau
from modules.contracts.service.binding import (
    agency_signature,
    store_pdf,
    tell_tourist,
    verify_code,
)
from modules.contracts.service.common import BINDING, Actor, ContractNotSigned, load, now
from modules.contracts.service.drafts import apply_input
from modules.contracts.service.signing import freeze_version
from tenants.service import record_audit

__all__ = ["amend", "cancel", "refund_quote"]


async def amend(
    db: AsyncSession,
    tenant_id: TenantId,
    contract_id: uuid.UUID,
    data: DraftInput,
    *,
    reason: str,
    actor: Actor,
) -> int:
    """Record an amendment agreed with the tourist in writing (Art. 9 of the model text):
    the signed versions stay as they were; the new terms become the next version, signed
    for the agency by the staff member, with its own PDF under the same e-number, and
    the changes the bureau knows of are filed. Returns the new version number."""
    if not reason.strip():
        raise Invalid.field("reason", "Say why the contract is amended.")
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id, lock=True)
    if c.status not in BINDING or c.e_number is None:
        raise ContractNotSigned()
    before = await repo.version(c.id, c.version)
    assert before is not None
    await apply_input(db, tenant_id, c, data)
    version = await freeze_version(db, tenant_id, c, actor, reason=reason.strip())
    at = now()
    agency, _code = await repo.agency()
    signature = agency_signature(c, version, actor, agency, at)
    await repo.save(signature)
    changes = bureau.changes_between(before.snapshot, version.snapshot)
    if changes:  # a change the bureau does not record (a hotel's name) is not filed
        version.filing_id = await bureau.file_amendment(
            db, tenant_id, c.id, c.e_number, amended_at=at, reason=reason.strip(),
            changes=changes, after=await _last_amendment_filing(repo, c),
        )  # fmt: skip
    # The PDF last: once it is stored, the version row is frozen.
    code = verify_code(tenant_id, c.e_number)
    await store_pdf(repo, c, version, code, at, await repo.timezone())
    await tell_tourist(db, tenant_id, c, agency, code, amended=reason.strip())
    await record_audit(
        db, tenant_id, "contracts.amended", actor_user_id=actor.user_id,
        subject_type="contract", subject_id=c.id,
        data={"version": version.version, "reason": reason.strip(), "filed": bool(changes)},
        ip=actor.ip,
    )  # fmt: skip
    await db.flush()  # the audit row, while this tenant is bound
    return version.version


async def _last_amendment_filing(repo: ContractRepository, c: Contract) -> uuid.UUID | None:
    filed = [v.filing_id for v in await repo.versions(c.id) if v.filing_id is not None]
    return filed[-1] if filed else None


def _quote(c: Contract, data: CancelInput, today: date) -> domain.Refund:
    if data.canceller not in domain.CANCELLERS:
        raise Invalid.field("canceller", "Choose who cancels.")
    if c.start_date is None or c.end_date is None or c.price_total_fen is None:
        raise Invalid.field("canceller", "The contract has no dates or price to compute from.")
    trip_days = (c.end_date - c.start_date).days + 1
    return domain.refund_for(
        data.canceller,
        price_fen=c.price_total_fen,
        start=c.start_date,
        notice=data.notice_date or today,
        trip_days=trip_days,
        actual_cost_fen=data.actual_cost_fen,
    )


async def refund_quote(
    db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID, data: CancelInput
) -> domain.Refund:
    """What a cancellation would refund, shown before the agent confirms it."""
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id)
    today = clock.local_date(now(), await repo.timezone())
    return _quote(c, data, today)


async def cancel(
    db: AsyncSession,
    tenant_id: TenantId,
    contract_id: uuid.UUID,
    data: CancelInput,
    *,
    actor: Actor,
) -> domain.Refund:
    """Cancel a binding contract. Its e-number stays taken (numbers are gap-free per
    year), the refund is computed from the standard scale, and the cancellation is
    filed with the bureau."""
    if not data.reason.strip():
        raise Invalid.field("reason", "Say why the contract is cancelled.")
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id, lock=True)
    if c.status not in BINDING or c.e_number is None:
        raise ContractNotSigned()
    at = now()
    today = clock.local_date(at, await repo.timezone())
    refund = _quote(c, data, today)
    c.status, c.cancelled_at, c.cancelled_by, c.updated_at = (
        domain.ContractStatus.CANCELLED,
        at,
        actor.user_id,
        at,
    )
    c.cancel_party, c.cancel_reason = data.canceller, data.reason.strip()
    c.cancel_notice_date = data.notice_date or today
    c.refund_fen, c.penalty_fen = refund.refund_fen, refund.penalty_fen
    await repo.save(c)
    c.cancel_filing_id = await bureau.file_cancellation(
        db, tenant_id, c.id, c.e_number, cancelled_at=at, reason=c.cancel_reason,
        refund_fen=refund.refund_fen, after=await _last_amendment_filing(repo, c),
    )  # fmt: skip
    await record_audit(
        db, tenant_id, "contracts.cancelled", actor_user_id=actor.user_id,
        subject_type="contract", subject_id=c.id,
        data={"party": data.canceller, "refund_fen": refund.refund_fen}, ip=actor.ip,
    )  # fmt: skip
    await db.flush()
    return refund
