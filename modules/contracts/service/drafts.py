"""Drafting: an agent writes the contract (tourists and days as rows), saves it half-done
as often as needed, and checks it against Tourism Law Art. 58–60 before sending it."""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid
from modules.contracts import domain
from modules.contracts.models import Contract
from modules.contracts.repository import ContractRepository
from modules.contracts.schemas import DayInput, DraftInput, PersonInput
from modules.contracts.service.common import (
    EDITABLE,
    Actor,
    ContractNotEditable,
    checklist,
    load,
    load_terms,
    now,
)
from modules.contracts.service.guides import guides_by_ids
from tenants.service import record_audit

__all__ = [
    "apply_input",
    "check_input",
    "completeness",
    "create_draft",
    "draft_defaults",
    "draft_input",
    "update_draft",
    "validate_draft",
]

MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
TERMS_FROM_INPUT = tuple(
    f
    for f in domain.Terms.__dataclass_fields__
    if f not in ("agency_name", "tourists", "days", "selling_agency", "ground_operator",
                 "guide_count")
)  # fmt: skip
CONTRACT_FIELDS = tuple(f for f in DraftInput.__dataclass_fields__ if f not in ("tourists", "days"))


def validate_draft(data: DraftInput) -> None:
    """What is wrong whatever stage the draft is at (a wrong ID check digit, an end before
    the start); what is merely missing is the completeness check's business."""
    errors: list[dict[str, str]] = []

    def fail(field: str, message: str) -> None:
        errors.append({"field": field, "code": "invalid", "message": message})

    if data.contract_type not in domain.CONTRACT_TYPES:
        fail("contract_type", "Choose the kind of contract.")
    for i, p in enumerate(data.tourists):
        if not p.name.strip():
            fail(f"tourists.{i}.name", "Enter the tourist's name.")
        problem = domain.id_problem(p.id_type, p.id_number)
        if problem:
            fail(f"tourists.{i}.id_number", problem)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        fail("end_date", "The trip cannot end before it starts.")
    if data.insurance and data.insurance not in domain.INSURANCE_CHOICES:
        fail("insurance", "Choose how insurance is arranged.")
    if data.dispute_resolution and data.dispute_resolution not in domain.DISPUTE_CHOICES:
        fail("dispute_resolution", "Choose how disputes are resolved.")
    if data.lead_phone and not MOBILE.fullmatch(data.lead_phone):
        fail("lead_phone", "Enter an 11-digit mainland mobile number; the signing link goes there.")
    seen: set[str] = set()
    for i, p in enumerate(data.tourists):
        if p.id_number in seen:
            fail(f"tourists.{i}.id_number", "This document is already on the list.")
        seen.add(p.id_number)
    if data.lead_email and "@" not in data.lead_email:
        fail("lead_email", "Enter an e-mail address.")
    trip = (data.end_date - data.start_date).days + 1 if data.start_date and data.end_date else 0
    if trip and len(data.days) > trip:
        fail("days", "There are more itinerary days than days in the trip.")
    if data.nights is not None and trip and data.nights > trip:
        fail("nights", "There cannot be more nights than days.")
    if errors:
        raise Invalid(errors=errors)


def _rows(data: DraftInput) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    return [asdict(p) for p in data.tourists], [asdict(d) for d in data.days]


async def apply_input(db: AsyncSession, tenant_id: TenantId, c: Contract, data: DraftInput) -> None:
    validate_draft(data)
    await guides_by_ids(db, tenant_id, data.guide_ids)  # refuses another agency's guide
    for name in CONTRACT_FIELDS:
        value = getattr(data, name)
        setattr(c, name, list(value) if isinstance(value, tuple) else value)
    c.updated_at = now()
    repo = ContractRepository(db, tenant_id)
    await repo.save(c)
    tourists, days = _rows(data)
    await repo.replace_rows(c.id, tourists, days)


async def draft_defaults(db: AsyncSession, tenant_id: TenantId) -> DraftInput:
    """A new draft starts with the agency details of its latest contract."""
    last = await ContractRepository(db, tenant_id).latest_agency_details()
    if last is None:
        return DraftInput(dispute_resolution="court")
    return DraftInput(
        agency_licence_no=last.agency_licence_no,
        agency_address=last.agency_address,
        agency_phone=last.agency_phone,
        dispute_resolution=last.dispute_resolution,
        dispute_body=last.dispute_body,
        payment_method=last.payment_method,
    )


async def create_draft(
    db: AsyncSession, tenant_id: TenantId, data: DraftInput, *, actor: Actor
) -> uuid.UUID:
    """Save a new draft (nothing is required yet beyond a valid contract type)."""
    c = Contract(
        contract_type=data.contract_type,
        status=domain.ContractStatus.DRAFT,
        created_by=actor.user_id,
    )
    await apply_input(db, tenant_id, c, data)
    await record_audit(
        db,
        tenant_id,
        "contracts.drafted",
        actor_user_id=actor.user_id,
        subject_type="contract",
        subject_id=c.id,
        ip=actor.ip,
    )
    await db.flush()  # the audit row, while this tenant is bound
    return c.id


async def update_draft(
    db: AsyncSession,
    tenant_id: TenantId,
    contract_id: uuid.UUID,
    data: DraftInput,
    *,
    actor: Actor,
) -> None:
    """Edit a draft. Anything else is refused: a contract sent to the tourist is recalled
    first, and a signed one changes only by an amendment."""
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id, lock=True)
    if c.status not in EDITABLE:
        raise ContractNotEditable()
    await apply_input(db, tenant_id, c, data)


async def completeness(
    db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID
) -> list[domain.CheckItem]:
    """The Art. 58 checklist of a contract, item by item."""
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id)
    terms, _code = await load_terms(db, tenant_id, c)
    return checklist(c, terms)


async def draft_input(db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID) -> DraftInput:
    """A contract's current terms as form input (to edit a draft or amend a contract)."""
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id)
    values = {name: getattr(c, name) for name in CONTRACT_FIELDS}
    values["destinations"] = tuple(c.destinations or ())
    values["guide_ids"] = tuple(c.guide_ids or ())
    tourists = tuple(
        PersonInput(t.name, t.id_type, t.id_number, t.phone, t.is_lead)
        for t in await repo.tourists(c.id)
    )
    days = tuple(
        DayInput(d.day_no, d.route, d.sights, d.transport, d.lodging, d.meals, d.free_time)
        for d in await repo.days(c.id)
    )
    return DraftInput(**values, tourists=tourists, days=days)


async def check_input(
    db: AsyncSession, tenant_id: TenantId, data: DraftInput
) -> list[domain.CheckItem]:
    """The Art. 58 checklist of what is typed in the form, before it is saved."""
    name, _code = await ContractRepository(db, tenant_id).agency()
    terms = domain.Terms(
        **{f: getattr(data, f) for f in TERMS_FROM_INPUT},
        agency_name=name,
        tourists=tuple(
            domain.Person(p.name, p.id_type, p.id_number, p.phone, p.is_lead) for p in data.tourists
        ),
        days=tuple(
            domain.Day(d.day_no, d.route, d.sights, d.transport, d.lodging, d.meals, d.free_time)
            for d in data.days
        ),
        selling_agency=data.selling_agency if data.sold_by_agent else "",
        ground_operator=data.ground_operator if data.delegated else "",
        guide_count=len(data.guide_ids),
    )
    return domain.checklist(terms, sold_by_agent=data.sold_by_agent, delegated=data.delegated)
