"""What every part of the contracts service shares: who acts, the module's errors, and
the contract's terms read back from its rows (for the checklist, the document and the
bureau filing)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import SYSTEM as SYSTEM
from app.actor import Actor as Actor
from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from modules.contracts import domain
from modules.contracts.models import Contract, ContractDay, ContractTourist
from modules.contracts.repository import ContractRepository

EDITABLE = (domain.ContractStatus.DRAFT,)
BINDING = (domain.ContractStatus.SIGNED,)


class ContractNotEditable(Conflict):
    message = "Only a draft can be edited; a signed contract is changed by an amendment."


class ContractNotSigned(Conflict):
    message = "Only a signed contract can be amended or cancelled."


class NoEnterpriseCode(Conflict):
    message = (
        "Your enterprise has no unified social credit code, so contracts cannot be "
        "numbered. Set it in Settings first."
    )


def now() -> datetime:
    return clock.now()


async def load(repo: ContractRepository, contract_id: uuid.UUID, *, lock: bool = False) -> Contract:
    contract = await repo.contract(contract_id, lock=lock)
    if contract is None:
        raise NotFound()
    return contract


def person(t: ContractTourist) -> domain.Person:
    return domain.Person(t.name, t.id_type, t.id_number, t.phone, t.is_lead)


def day(d: ContractDay) -> domain.Day:
    return domain.Day(d.day_no, d.route, d.sights, d.transport, d.lodging, d.meals, d.free_time)


def terms(
    c: Contract,
    tourists: Sequence[ContractTourist],
    days: Sequence[ContractDay],
    agency_name: str,
) -> domain.Terms:
    return domain.Terms(
        contract_type=c.contract_type,
        agency_name=agency_name,
        agency_licence_no=c.agency_licence_no,
        agency_address=c.agency_address,
        agency_phone=c.agency_phone,
        tourists=tuple(person(t) for t in tourists),
        lead_phone=c.lead_phone,
        lead_email=c.lead_email,
        route_name=c.route_name,
        departure=c.departure,
        destinations=tuple(c.destinations or ()),
        start_date=c.start_date,
        end_date=c.end_date,
        nights=c.nights,
        days=tuple(day(d) for d in days),
        min_group_size=c.min_group_size,
        transport_standard=c.transport_standard,
        lodging_standard=c.lodging_standard,
        meal_standard=c.meal_standard,
        free_time=c.free_time,
        price_total_fen=c.price_total_fen,
        payment_deadline=c.payment_deadline,
        payment_method=c.payment_method,
        insurance=c.insurance,
        insurer=c.insurer,
        policy_no=c.policy_no,
        dispute_resolution=c.dispute_resolution,
        dispute_body=c.dispute_body,
        selling_agency=c.selling_agency if c.sold_by_agent else "",
        ground_operator=c.ground_operator if c.delegated else "",
        guide_count=len(c.guide_ids or ()),
        guide_fee_fen=c.guide_fee_fen,
        other_terms=c.other_terms,
    )


async def load_terms(
    db: AsyncSession, tenant_id: TenantId, c: Contract
) -> tuple[domain.Terms, str | None]:
    """The contract's terms and the agency's credit code."""
    repo = ContractRepository(db, tenant_id)
    name, code = await repo.agency()
    return terms(c, await repo.tourists(c.id), await repo.days(c.id), name), code


def checklist(c: Contract, t: domain.Terms) -> list[domain.CheckItem]:
    return domain.checklist(t, sold_by_agent=c.sold_by_agent, delegated=c.delegated)


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def snapshot(c: Contract, t: domain.Terms, guides: Sequence[dict[str, str]]) -> dict[str, Any]:
    """The frozen contents of a version, as JSON: what its document and filing say."""
    data: dict[str, Any] = {
        name: _json(getattr(t, name))
        for name in domain.Terms.__dataclass_fields__
        if name not in ("tourists", "days")
    }
    data["tourists"] = [
        {"name": p.name, "id_type": p.id_type, "id_number": p.id_number, "phone": p.phone,
         "is_lead": p.is_lead}
        for p in t.tourists
    ]  # fmt: skip
    data["days"] = [{f: getattr(d, f) for f in domain.Day.__dataclass_fields__} for d in t.days]
    data["trip_days"] = t.trip_days
    data["sold_by_agent"] = c.sold_by_agent
    data["delegated"] = c.delegated
    data["guides"] = list(guides)
    return data
